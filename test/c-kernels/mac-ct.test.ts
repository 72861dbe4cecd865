// The constant-time soft-float MAC (templates/c/lib/ep_mac_ct.h, --constant-time-mac): the bits of float32 hardware on
// the host (test/c-kernels/mac-ct-host.c), no conditional branch or call in its Cortex-M3 code, libgcc's bits and one
// instruction count on every operand class in QEMU lm3s6965, and a model verified with it: bit-exact with the
// interpreter, the same count on every adversarial vector (an exact worst case).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { KERNEL_DIR, missingTools } from '../../bench/kernels/bench-lib.js';
import { runSoftMac } from '../../bench/kernels/soft-mac.js';
import { counterResolution } from '../../src/cost/check-independence.js';
import { SOFT_MAC_CONSTANT_TIME } from '../../src/cost/worst-case-coefficients.js';
import { attr, GraphBuilder } from '../../src/ir/builder.js';
import { shapeSize } from '../../src/ir/tensor.js';
import { findMcuTarget } from '../../src/targets/load-targets.js';
import { loadVectors } from '../../src/verify/vectors.js';
import { verifyOnTarget } from '../../src/verify/verify-mcu.js';
import { skipForMissingTools, skipWithoutTools } from '../support/toolchain.js';
import { Random, Tensor } from './harness.js';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'mac-ct-'));

const noGcc = await skipWithoutTools('test/c-kernels/mac-ct.test.ts', ['gcc']);

describe.skipIf(noGcc)('ep_mac_ct.h on the host', () => {
  it('gives SSE float32\'s bits (any NaN for a NaN) on 300,000 triples of each operand class, the bias add and the clamp', async () => {
    const dir = tmp();
    try {
      const exe = path.join(dir, 'mac-ct-host');
      await execa('gcc', ['-std=c11', '-ffp-contract=off', '-O2', '-Wall', '-Wextra', '-Wshadow', '-Wdouble-promotion', '-Werror', '-DEP_SEPARATE_MAC=1', '-I', KERNEL_DIR, 'test/c-kernels/mac-ct-host.c', '-o', exe, '-lm'], { timeout: 120_000 });
      const out = await execa(exe, ['300000'], { timeout: 120_000, reject: false });
      const lines = out.stdout.trim().split('\n').map((l) => l.split(' '));
      expect(lines.map((l) => l[0])).toEqual(['random-bits', 'typical', 'cancellation', 'ties-and-gaps', 'range-ends', 'significand-carry', 'subnormals', 'specials', 'special-grid', 'add', 'clamp']);
      for (const l of lines) {
        expect(Number(l[1]), l[0]).toBeGreaterThan(10_000);
        expect(l.slice(2).join(' '), l[0]).toBe('0');
      }
      expect(out.exitCode, String(out.stderr)).toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

const skipQemu = skipForMissingTools('test/c-kernels/mac-ct.test.ts', await missingTools());

describe.skipIf(skipQemu)('ep_mac_ct.h on a Cortex-M3', () => {
  it('compiles to code without a conditional branch or a call (-O2)', async () => {
    const dir = tmp();
    try {
      const src = path.join(dir, 'uses.c');
      fs.writeFileSync(src, '#include "ep_mac_ct.h"\nstatic const float bias[4] = {1, 2, 3, 4};\n' +
        'float mac(float x, float w, float a) { return EP_MAC(x, w, a); }\n' +
        'float end(float a) { return ep__clamp(ep__sum_end(a, bias, 2), 0.0f, 6.0f); }\n');
      const obj = path.join(dir, 'uses.o');
      await execa('arm-none-eabi-gcc', ['-mcpu=cortex-m3', '-mthumb', '-mfloat-abi=soft', '-std=c11', '-ffp-contract=off', '-O2', '-Wall', '-Wextra', '-Werror', '-I', KERNEL_DIR, '-c', src, '-o', obj], { timeout: 120_000 });
      const dis = (await execa('arm-none-eabi-objdump', ['-d', obj], { timeout: 60_000 })).stdout;
      // function name → its instructions
      const functions = new Map<string, string[]>();
      let current = '';
      for (const line of dis.split('\n')) {
        const head = /^[0-9a-f]+ <([\w.]+)>:$/.exec(line);
        if (head) functions.set((current = head[1]), []);
        else if (current && /^\s+[0-9a-f]+:\t/.test(line)) functions.get(current)!.push(line.split('\t').slice(2).join(' '));
      }
      const checked = [...functions.keys()].filter((f) => f === 'mac' || f === 'end' || /^ep__(mac_ct|ct_)/.test(f));
      expect(checked).toContain('ep__mac_ct');
      for (const f of checked) {
        const bad = functions.get(f)!.filter((i) => /^(b(eq|ne|cs|cc|hs|lo|mi|pl|vs|vc|hi|ls|ge|lt|gt|le)(\.[nw])?|cbn?z|blx?|bx\s+r[0-9])\b/.test(i) && !/^bl\s+[0-9a-f]+ <ep__(mac_ct|ct_add)[\w.]*>/.test(i));
        expect(bad, f).toEqual([]);
      }
      expect(functions.get('ep__mac_ct')!.length).toBeGreaterThan(100);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('gives libgcc\'s bits on every operand class in QEMU, in the same instructions per MAC on every kind of operand', async () => {
    const r = await runSoftMac({ triples: 20_000, constantTime: true });
    expect(r.classes.filter((c) => c.mismatches > 0)).toEqual([]);
    expect(r.costs.length).toBeGreaterThanOrEqual(10);
    const counts = r.costs.map((c) => c.epMac);
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThan(0.03); // the counter's resolution over 4,096 MACs
    expect(Math.abs(counts[0] - SOFT_MAC_CONSTANT_TIME)).toBeLessThan(0.5); // the cost model's figure
    const libgccWorst = Math.max(...r.costs.map((c) => c.libgcc));
    expect(counts[0]).toBeLessThan(libgccWorst);
  });

  it('verifies a conv + dense model bit for bit with the interpreter, with one count on every adversarial vector', async () => {
    const rng = new Random(4);
    const rand = (shape: number[], scale: number) => Tensor.fromNumbers('float32', shape, Array.from({ length: shapeSize(shape) }, () => rng.uniform(-scale, scale)));
    const b = new GraphBuilder('ct_mac');
    let x = b.input('input', 'float32', [1, 2, 6, 6]);
    x = b.op('Relu', [b.op('Conv', [x, b.initializer('c.w', rand([4, 2, 3, 3], 0.5)), b.initializer('c.b', rand([4], 0.1))], { kernel_shape: attr.ints([3, 3]), pads: attr.ints([1, 1, 1, 1]) })]);
    x = b.op('Flatten', [x], { axis: attr.int(1) });
    b.output(b.op('Gemm', [x, b.initializer('fc.w', rand([5, 144], 0.2)), b.initializer('fc.b', rand([5], 0.1))], { transB: attr.int(1) }));
    const g = b.build();
    const target = findMcuTarget('lm3s6965');
    const r = await verifyOnTarget(g, 'ct-mac', { target, vectors: loadVectors(g, { count: 2, seed: 3 }), worstCase: {}, constantTimeMac: true });
    expect(r.constantTimeMac).toBe(true);
    expect(r.passed).toBe(true);
    expect(r.bitExactVectors).toBe(r.vectors);
    expect(r.hostBitIdentical).toBe(true);
    const w = r.worstCase!;
    expect(w.kernels.filter((k) => k.dependent)).toEqual([]);
    expect(w.exact).toBe(true);
    const counts = [w.typicalInstructions, ...w.adversarial.map((a) => a.instructions)];
    expect(w.adversarial.length).toBeGreaterThanOrEqual(6);
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(counterResolution(target));
  });
});
