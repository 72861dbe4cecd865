// The cost model of the ArgMax kernels: predictCost takes a model ending in ArgMax on every target (float and int8),
// and the formula counts the compares of the reduced axis and the indices stored.
import { describe, expect, it } from 'vitest';
import { attr, GraphBuilder } from '../../src/ir/builder.js';
import type { Graph } from '../../src/ir/graph.js';
import { predictCost } from '../../src/cost/predict.js';
import { KERNEL_MODELS, PORTABLE_CONTEXT } from '../../src/cost/kernels.js';
import { int } from '../../src/emit/c/c-step.js';
import { listMcuTargets } from '../../src/targets/load-targets.js';

function argMaxGraph(dtype: 'float32' | 'int8', shape: number[], axis: number): Graph {
  const b = new GraphBuilder('argmax');
  b.output(b.op('ArgMax', [b.input('x', dtype, shape)], { axis: attr.int(axis), keepdims: attr.int(0) }));
  return b.build();
}

describe('the cost of ArgMax', () => {
  it('counts contiguous or strided compares and one stored index per output', () => {
    const f32 = KERNEL_MODELS.get('ep_argmax_f32')!;
    const call = (outer: number, len: number, inner: number) => ({ kernel: 'ep_argmax_f32', args: [int(0), int(0), int(outer), int(len), int(inner), int(0)] });
    expect(f32.analyze(call(1, 10, 1), PORTABLE_CONTEXT).time).toEqual({ elements: 10, stridedElements: 0, outputs: 1, call: 1 });
    expect(f32.analyze(call(2, 5, 12), PORTABLE_CONTEXT).time).toEqual({ elements: 0, stridedElements: 120, outputs: 24, call: 1 });
  });

  it.each(listMcuTargets().map((t) => t.name))('predictCost takes float and int8 ArgMax on %s, growing with the classes', (name) => {
    const target = listMcuTargets().find((t) => t.name === name)!;
    for (const dtype of ['float32', 'int8'] as const) {
      const small = predictCost(argMaxGraph(dtype, [1, 10], 1), target);
      const large = predictCost(argMaxGraph(dtype, [1, 100], 1), target);
      expect(large.instructions, dtype).toBeGreaterThan(small.instructions);
    }
  });
});
