// The C lowerings of Int8Add, Int8AveragePool and Int8GlobalAveragePool (src/emit/c/lower-int8-elementwise.ts,
// lower-int8-pool.ts): the kernel calls and literal constants they make (multipliers from addMultipliers and
// averageMultiplier, the one definition), broadcasting strides, in-place outputs, and their refusals. The kernels
// themselves are checked against the interpreter in test/c-kernels/int8-kernels.test.ts and on QEMU.
import { describe, expect, it } from 'vitest';
import type { CArg, CStep } from '../../src/emit/c/c-step.js';
import { lowerGraph } from '../../src/emit/c/lower.js';
import { attr, GraphBuilder } from '../../src/ir/builder.js';
import type { Graph } from '../../src/ir/graph.js';
import { Tensor } from '../../src/ir/tensor.js';
import { addMultipliers } from '../../src/ops/util/int8-add-params.js';
import { EDGEPRUNE_DOMAIN } from '../../src/ops/util/int8-params.js';

const f32 = (v: number) => Tensor.fromNumbers('float32', [1], [v]);
const s8 = (v: number) => Tensor.fromNumbers('int8', [1], [v]);

/** The literal value of an argument (ints and int arrays), or its kind. */
function literal(a: CArg): unknown {
  if (a.kind === 'int') return a.value;
  if (a.kind === 'ints') return a.values;
  if (a.kind === 'value') return a.name;
  return a.kind;
}

interface AddOptions {
  clamp?: [number, number];
  /** b is a itself. */
  sameInput?: boolean;
  /** b is a constant. */
  constantB?: boolean;
  /** y_scale is a graph input. */
  runtimeYScale?: boolean;
}

/** int8 inputs a [aShape] and b [bShape] → Int8Add (clamp) → output int8. */
function addGraph(aShape: number[], bShape: number[], o: AddOptions = {}): Graph {
  const b = new GraphBuilder('int8_add');
  const clamp = o.clamp ?? [-128, 127];
  const c = (name: string, t: Tensor) => b.initializer(name, t);
  const x = b.input('a', 'int8', aShape);
  const y = o.sameInput ? x : o.constantB ? c('bc', Tensor.fromNumbers('int8', bShape, bShape.map((_, i) => i))) : b.input('b', 'int8', bShape);
  const ys = o.runtimeYScale ? b.input('ys_rt', 'float32', [1]) : c('ys', f32(0.09));
  const inputs = [x, c('as', f32(0.02)), c('az', s8(-7)), y, c('bs', f32(0.11)), c('bz', s8(120)), ys, c('yz', s8(-128))];
  b.output(b.node('Int8Add', inputs, { act_min: attr.int(clamp[0]), act_max: attr.int(clamp[1]) }, { name: 'add', domain: EDGEPRUNE_DOMAIN })[0]);
  return b.build();
}

function only(steps: CStep[]): CStep {
  expect(steps).toHaveLength(1);
  return steps[0];
}

describe('Int8Add lowering', () => {
  it('calls ep_add_s8 with the constants of addMultipliers, literal zero points and clamp, and may write over an input', () => {
    const g = addGraph([1, 4, 3, 5], [1, 4, 3, 5], { clamp: [-128, 100] });
    const step = only(lowerGraph(g));
    expect(step.summary).toBe('Int8Add 1x4x3x5 1x4x3x5');
    expect(step.calls.map((c) => c.kernel)).toEqual(['ep_add_s8']);
    const m = addMultipliers(f32(0.02), f32(0.11), f32(0.09), g.nodes[0]);
    expect(step.calls[0].args.map(literal)).toEqual([
      'a', 'b', 'add_out', 1, [60], [1], [1],
      m.a.multiplier, m.a.shift, -7, m.b.multiplier, m.b.shift, 120, m.y.multiplier, m.y.shift, -128, -128, 100,
    ]);
    expect(m.a.shift).toBeGreaterThanOrEqual(31);
    expect(step.inputs).toEqual(['a', 'b']);
    expect(step.inPlace).toEqual([{ output: 0, input: 0 }, { output: 0, input: 1 }]);
  });

  it('broadcasts through strides (merged axes) and writes in place only over the unbroadcast input', () => {
    const step = only(lowerGraph(addGraph([1, 4, 3, 5], [1, 4, 1, 1])));
    expect(step.calls[0].args.slice(3, 7).map(literal)).toEqual([2, [4, 15], [15, 1], [1, 0]]);
    expect(step.inPlace).toEqual([{ output: 0, input: 0 }]);
    const both = only(lowerGraph(addGraph([2, 1, 4], [3, 1])));
    expect(both.calls[0].args.slice(3, 7).map(literal)).toEqual([3, [2, 3, 4], [4, 0, 1], [0, 1, 0]]);
    expect(both.inPlace).toEqual([]);
    const scalars = only(lowerGraph(addGraph([], [])));
    expect(scalars.calls[0].args.slice(3, 7).map(literal)).toEqual([1, [1], [1], [1]]);
  });

  it('reads a tensor added to itself once', () => {
    const step = only(lowerGraph(addGraph([1, 6], [1, 6], { sameInput: true })));
    expect(step.inputs).toEqual(['a']);
    expect(step.inPlace).toEqual([{ output: 0, input: 0 }]);
    expect(step.calls[0].args.slice(0, 2).map(literal)).toEqual(['a', 'a']);
  });

  it('refuses run-time scales and constant int8 operands, naming them', () => {
    expect(() => lowerGraph(addGraph([1, 6], [1, 6], { runtimeYScale: true }))).toThrow(/node 'add' \(ai\.edgeprune\.Int8Add\): value 'ys_rt' is float32; the C backend runs Int8Add on int8 values/);
    expect(() => lowerGraph(addGraph([1, 6], [1, 6], { constantB: true }))).toThrow(/input b 'bc' is a constant; the int8 C kernels read it at run time/);
  });
});
