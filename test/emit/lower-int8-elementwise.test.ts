// The C lowerings of Int8Add, Int8AveragePool and Int8GlobalAveragePool (src/emit/c/lower-int8-elementwise.ts,
// lower-int8-pool.ts) and of a quantized model's float Softmax tail (lower-float-tail.ts): the kernel calls and literal
// constants they make (multipliers from addMultipliers and averageMultiplier, the one definition), broadcasting
// strides, in-place outputs, and their refusals. The kernels themselves are checked against the interpreter in
// test/c-kernels/int8-kernels.test.ts and on QEMU.
import { describe, expect, it } from 'vitest';
import type { CArg, CStep } from '../../src/emit/c/c-step.js';
import { lowerGraph } from '../../src/emit/c/lower.js';
import { attr, GraphBuilder } from '../../src/ir/builder.js';
import type { Graph } from '../../src/ir/graph.js';
import { Tensor } from '../../src/ir/tensor.js';
import { addMultipliers } from '../../src/ops/util/int8-add-params.js';
import { averageMultiplier } from '../../src/ops/util/int8-average.js';
import { compileToC } from '../../src/emit/c/compile-c.js';
import { quantizeModel } from '../../src/quant/quantize.js';
import { feeds, residualModel } from '../quant/quant-models.js';
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

/** int8 input [1, 2, 7, 8] → Int8AveragePool (attrs) → output. */
function averagePoolGraph(attrs: Record<string, ReturnType<typeof attr.int>>): Graph {
  const b = new GraphBuilder('int8_avg');
  const c = (name: string, t: Tensor) => b.initializer(name, t);
  const inputs = [b.input('x', 'int8', [1, 2, 7, 8]), c('xs', f32(0.05)), c('xz', s8(-128)), c('ys', f32(0.03)), c('yz', s8(4))];
  b.output(b.node('Int8AveragePool', inputs, { act_min: attr.int(4), ...attrs }, { name: 'avg', domain: EDGEPRUNE_DOMAIN })[0]);
  return b.build();
}

describe('int8 average pool lowerings', () => {
  const node = { name: 'avg', opType: 'Int8AveragePool', domain: EDGEPRUNE_DOMAIN, inputs: [], outputs: [], attrs: {} };
  const multiplier = (n: number) => averageMultiplier(f32(0.05), f32(0.03), n, node);

  it('calls ep_avgpool2d_s8 with the float pool\'s geometry and one multiplier per tap count that occurs', () => {
    const g = averagePoolGraph({ kernel_shape: attr.ints([3, 3]), strides: attr.ints([2, 2]), pads: attr.ints([1, 1, 1, 1]), count_include_pad: attr.int(0) });
    const step = only(lowerGraph(g));
    expect(step.summary).toBe('Int8AveragePool 3x3');
    expect(step.calls.map((c) => c.kernel)).toEqual(['ep_avgpool2d_s8']);
    const args = step.calls[0].args;
    // C H W OH OW KH KW sh sw dh dw pt pl pb pr count_include_pad, then the tables, the smallest count, x_zp y_zp act_min act_max
    expect(args.slice(0, 18).map(literal)).toEqual(['x', 'avg_out', 2, 7, 8, 4, 4, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 0]);
    expect(args.slice(20).map(literal)).toEqual([4, -128, 4, 4, 127]);
    // Windows of 4 (corners), 6 (edges) and 9 taps: counts 4 to 9, 5, 7 and 8 never read.
    const [mult, shift] = args.slice(18, 20);
    const expected = [4, 5, 6, 7, 8, 9].map((n) => ([4, 6, 9].includes(n) ? multiplier(n) : { multiplier: 0, shift: 1 }));
    expect(mult.kind === 'weight' && Array.from(mult.weight.tensor.data as Int32Array)).toEqual(expected.map((m) => m.multiplier));
    expect(shift.kind === 'weight' && Array.from(shift.weight.tensor.data as Int8Array)).toEqual(expected.map((m) => m.shift));
  });

  it('counts padding with count_include_pad (one count here: every window 9 taps)', () => {
    const g = averagePoolGraph({ kernel_shape: attr.ints([3, 3]), strides: attr.ints([2, 2]), pads: attr.ints([1, 1, 1, 1]), count_include_pad: attr.int(1) });
    const args = only(lowerGraph(g)).calls[0].args;
    expect(literal(args[17])).toBe(1);
    const [mult, shift] = args.slice(18, 20);
    expect(mult.kind === 'weight' && Array.from(mult.weight.tensor.data as Int32Array)).toEqual([multiplier(9).multiplier]);
    expect(shift.kind === 'weight' && Array.from(shift.weight.tensor.data as Int8Array)).toEqual([multiplier(9).shift]);
    expect(literal(args[20])).toBe(9);
  });

  it('calls ep_global_avgpool_s8 with the plane\'s multiplier', () => {
    const b = new GraphBuilder('int8_gap');
    const c = (name: string, t: Tensor) => b.initializer(name, t);
    const inputs = [b.input('x', 'int8', [1, 3, 5, 6]), c('xs', f32(0.05)), c('xz', s8(9)), c('ys', f32(0.03)), c('yz', s8(-2))];
    b.output(b.node('Int8GlobalAveragePool', inputs, { act_max: attr.int(90) }, { name: 'gap', domain: EDGEPRUNE_DOMAIN })[0]);
    const step = only(lowerGraph(b.build()));
    const m = averageMultiplier(f32(0.05), f32(0.03), 30, node);
    expect(step.summary).toBe('Int8GlobalAveragePool 30 taps');
    expect(step.calls[0].kernel).toBe('ep_global_avgpool_s8');
    expect(step.calls[0].args.map(literal)).toEqual(['x', 'gap_out', 3, 30, m.multiplier, m.shift, 9, -2, -128, 90]);
  });
});

describe('a quantized residual CNN in C', () => {
  it('lowers every node: Int8Conv, Int8Add, Int8AveragePool (padded, count_include_pad), Int8GlobalAveragePool, Int8Gemm', () => {
    const float = residualModel();
    const { graph } = quantizeModel(float, feeds(float, 8));
    const lib = compileToC(graph);
    expect(lib.steps.map((s) => s.calls.map((c) => c.kernel)).flat()).toEqual([
      'ep_quantize_f32_s8', 'ep_conv2d_s8', 'ep_conv2d_s8', 'ep_add_s8', 'ep_avgpool2d_s8', 'ep_global_avgpool_s8', 'ep_dense_s8', 'ep_dequantize_s8_f32',
    ]);
    expect(lib.plan.arenaBytes).toBe(lib.plan.lowerBoundBytes);
  });

  it('runs a final Softmax with the interpreter\'s exp in a quantized model (ep_softmax_tail_f32), with ep_softmax_f32 in a float one', () => {
    const b = new GraphBuilder('tail');
    const c = (name: string, t: Tensor) => b.initializer(name, t);
    const q = b.op('QuantizeLinear', [b.input('x', 'float32', [1, 10]), c('s', f32(0.1)), c('z', s8(3))], {}, 'q');
    b.output(b.op('Softmax', [b.op('DequantizeLinear', [q, 's', 'z'], {}, 'dq')], { axis: attr.int(-1) }, 'softmax'));
    const steps = lowerGraph(b.build());
    expect(steps.map((s) => s.calls.map((call) => call.kernel))).toEqual([['ep_quantize_f32_s8'], ['ep_dequantize_s8_f32'], ['ep_softmax_tail_f32']]);
    expect(steps[2].calls[0].args.map(literal)).toEqual(['dq_out', 'softmax_out', 1, 10, 1]);
    const float = new GraphBuilder('float');
    float.output(float.op('Softmax', [float.input('x', 'float32', [2, 10])], { axis: attr.int(-1) }, 'softmax'));
    expect(lowerGraph(float.build()).map((s) => s.calls[0].kernel)).toEqual(['ep_softmax_f32']);
  });
});
