// Every target profile runs: a tiny model compiles, links within the part's memories and verifies in
// the target's emulator (QEMU), and the profile's facts hold together.
import { describe, expect, it } from 'vitest';
import { attr, GraphBuilder } from '../../src/ir/builder.js';
import { Tensor } from '../../src/ir/tensor.js';
import { listMcuTargets } from '../../src/targets/load-targets.js';
import { Random } from '../../src/util/random.js';
import { loadVectors } from '../../src/verify/vectors.js';
import { verifyOnTarget } from '../../src/verify/verify-mcu.js';

function tinyModel() {
  const r = new Random(7);
  const t = (shape: number[]) => Tensor.fromNumbers('float32', shape, Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => r.uniform(-0.5, 0.5)));
  const b = new GraphBuilder('tiny');
  let x = b.input('x', 'float32', [1, 1, 6, 6]);
  x = b.op('Relu', [b.op('Conv', [x, b.initializer('cw', t([4, 1, 3, 3])), b.initializer('cb', t([4]))], { kernel_shape: attr.ints([3, 3]), pads: attr.ints([1, 1, 1, 1]) })]);
  x = b.op('MaxPool', [x], { kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]) });
  x = b.op('Flatten', [x], { axis: attr.int(1) });
  x = b.op('Gemm', [x, b.initializer('fw', t([5, 36])), b.initializer('fb', t([5]))], { transB: attr.int(1) });
  b.output(b.op('Softmax', [x], { axis: attr.int(-1) }));
  return b.build();
}

const targets = listMcuTargets();

describe('target profiles', () => {
  it('include the boards the cost model is calibrated for', () => {
    expect(targets.map((t) => t.name)).toEqual(expect.arrayContaining(['lm3s6965', 'mps2-an386', 'mps2-an500', 'nrf52840', 'stm32f405', 'stm32f446', 'stm32h743']));
  });

  it.each(targets.map((t) => [t.name, t] as const))('%s: memories and clocks are consistent', (_, t) => {
    expect(t.clockHz).toBeGreaterThan(1e6);
    expect(t.cyclesPerInstruction).toBeGreaterThan(0.3);
    expect(Number(t.ram.origin)).toBe(0x20000000);
    if (t.emulator.machine.startsWith('mps2')) expect(Number(t.flash.origin)).toBe(0);
    for (const region of t.partMemory ?? []) expect(region.bytes).toBeGreaterThan(0);
    // A target that stands in for another part says what that means.
    if (!t.description.toLowerCase().includes(t.emulator.machine.replace('-', ' ').split(' ')[0]) && ['stm32f446', 'nrf52840', 'stm32h743'].includes(t.name)) expect(t.emulator.note).toBeTruthy();
  });
});

describe.each(targets.map((t) => [t.name, t] as const))('QEMU smoke run on %s', (_, target) => {
  it('a tiny model verifies against the interpreter', async () => {
    const g = tinyModel();
    const r = await verifyOnTarget(g, 'tiny', { target, vectors: loadVectors(g, { count: 2, seed: 3 }) });
    expect(r.passed, r.results.map((v) => v.problem).join('; ')).toBe(true);
    expect(r.runOn).toBe(`qemu ${target.emulator.machine}`);
    expect(r.instructions).toBeGreaterThan(1000);
    expect(r.firmwareFlashBytes).toBeLessThan(target.flash.bytes);
    expect(r.firmwareRamBytes).toBeLessThan(target.ram.bytes);
    expect(r.estimateBasis).toContain(`${target.clockHz / 1e6} MHz`);
  });
});
