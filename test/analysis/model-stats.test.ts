// Parameter, MAC, sparsity and peak-activation counts: QDQ weights, shared weights, branching liveness.
import { describe, expect, it } from 'vitest';
import { liveIntervals, peakLiveBytes } from '../../src/analysis/liveness.js';
import { modelStats } from '../../src/analysis/model-stats.js';
import { attr, GraphBuilder } from '../../src/ir/builder.js';
import { Tensor } from '../../src/ir/tensor.js';

describe('model statistics', () => {
  it('counts the int8 weights behind DequantizeLinear in a QDQ model, with their sparsity', () => {
    const b = new GraphBuilder('qdq');
    const x = b.input('x', 'float32', [1, 2, 4, 4]);
    const wq = b.initializer('w_q', Tensor.fromNumbers('int8', [3, 2, 1, 1], [0, 5, -3, 0, 0, 7]));
    const bq = b.initializer('b_q', Tensor.fromNumbers('int32', [3], [10, -20, 30]));
    const ws = b.initializer('w_scale', Tensor.fromNumbers('float32', [3], [0.1, 0.2, 0.3]));
    const bs = b.initializer('b_scale', Tensor.fromNumbers('float32', [3], [0.01, 0.02, 0.03]));
    const w = b.op('DequantizeLinear', [wq, ws], { axis: attr.int(0) });
    const bias = b.op('DequantizeLinear', [bq, bs], { axis: attr.int(0) });
    b.output(b.op('Conv', [x, w, bias], {}, 'conv'));
    const stats = modelStats(b.build());
    const conv = stats.layers.find((l) => l.name === 'conv')!;
    expect(conv.params).toBe(6 + 3);
    expect(conv.sparsity).toBeCloseTo(3 / 6, 10);
    expect(conv.macs).toBe(16 * 3 * 2);
    expect(stats.totals.weightBytes).toBe(6 * 1 + 3 * 4);
  });

  it('counts a weight shared by two layers once', () => {
    const b = new GraphBuilder('shared');
    const x = b.input('x', 'float32', [1, 4]);
    const w = b.initializer('w', Tensor.fromNumbers('float32', [4, 4], new Array(16).fill(1)));
    const h = b.op('MatMul', [x, w]);
    b.output(b.op('MatMul', [h, w]));
    const stats = modelStats(b.build());
    expect(stats.layers.map((l) => l.params)).toEqual([16, 0]);
    expect(stats.totals.params).toBe(16);
    expect(stats.totals.macs).toBe(32);
  });

  it('keeps a residual branch live across the layers it skips', () => {
    const b = new GraphBuilder('residual');
    const x = b.input('x', 'float32', [1, 100]); // 400 bytes
    const a = b.op('Relu', [x]);
    const c = b.op('Sigmoid', [a]);
    const d = b.op('Tanh', [c]);
    b.output(b.op('Add', [d, a]));
    const g = b.build();
    const intervals = liveIntervals(g);
    const ia = intervals.find((i) => i.name === a)!;
    expect([ia.first, ia.last]).toEqual([0, 3]);
    // At the Tanh: a (kept for the Add), c and d are live.
    expect(peakLiveBytes(intervals, g.nodes.length).bytes).toBe(3 * 400);
  });
});
