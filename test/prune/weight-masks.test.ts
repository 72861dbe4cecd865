// Magnitude masks (per layer, global), the threshold rule, applying masks, and the schedules.
import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../src/ir/builder.js';
import { Tensor } from '../../src/ir/tensor.js';
import { digitsMlp } from '../../src/models/sample-models.js';
import { scheduleTargets } from '../../src/prune/schedules.js';
import { applyMasks, magnitudeMasks, masksFromZeros, prunableWeights, thresholdMasks, weightSparsity } from '../../src/prune/weight-masks.js';

function twoLayers() {
  const b = new GraphBuilder('two');
  const x = b.input('x', 'float32', [1, 4]);
  const w1 = b.initializer('w1', Tensor.fromNumbers('float32', [4, 2], [1, -2, 3, -4, 5, -6, 7, -8]));
  const w2 = b.initializer('w2', Tensor.fromNumbers('float32', [2, 2], [0.1, -0.2, 0.3, -0.4]));
  b.output(b.op('MatMul', [b.op('MatMul', [x, w1]), w2]));
  return b.build();
}

const zeros = (m: Uint8Array) => m.filter((v) => v === 0).length;

describe('weight masks', () => {
  it('finds the layer weights, not the biases', () => {
    expect([...prunableWeights(digitsMlp()).keys()]).toEqual(['fc1.weight', 'fc2.weight', 'fc3.weight']);
  });

  it('per layer: every tensor at the same sparsity, smallest magnitudes first', () => {
    const m = magnitudeMasks(twoLayers(), 0.5, 'layer');
    expect(Array.from(m.get('w1')!)).toEqual([0, 0, 0, 0, 1, 1, 1, 1]);
    expect(Array.from(m.get('w2')!)).toEqual([0, 0, 1, 1]);
  });

  it('global: one threshold, so the layer of small weights goes first', () => {
    const m = magnitudeMasks(twoLayers(), 0.5, 'global');
    expect(zeros(m.get('w2')!)).toBe(4);
    expect(zeros(m.get('w1')!)).toBe(2);
  });

  it('keeps pruned weights pruned when the target grows', () => {
    const g = digitsMlp();
    const m40 = magnitudeMasks(g, 0.4, 'layer');
    const pruned = applyMasks(g, m40);
    const m80 = magnitudeMasks(pruned, 0.8, 'layer', m40);
    for (const [name, mask] of m40) mask.forEach((v, i) => { if (!v) expect(m80.get(name)![i]).toBe(0); });
    expect(weightSparsity(applyMasks(g, m80))).toBeCloseTo(0.8, 2);
    expect(masksFromZeros(applyMasks(g, m80)).get('fc1.weight')).toEqual(m80.get('fc1.weight'));
  });

  it('threshold rule prunes |w| < mean|w| / alpha', () => {
    const m = thresholdMasks(twoLayers(), 1);
    // w1: mean |w| = 4.5 → keeps 5, 6, 7, 8.
    expect(Array.from(m.get('w1')!)).toEqual([0, 0, 0, 0, 1, 1, 1, 1]);
    // w2: mean 0.25 → keeps 0.3, 0.4.
    expect(Array.from(m.get('w2')!)).toEqual([0, 0, 1, 1]);
  });

  it('applyMasks zeros exactly the masked weights and copies the tensors', () => {
    const g = twoLayers();
    const out = applyMasks(g, magnitudeMasks(g, 0.5, 'layer'));
    expect(out.initializers.get('w1')!.toNumbers()).toEqual([0, 0, 0, 0, 5, -6, 7, -8]);
    expect(g.initializers.get('w1')!.toNumbers()).toEqual([1, -2, 3, -4, 5, -6, 7, -8]);
  });
});

describe('schedules', () => {
  it('oneshot, steps and the Zhu & Gupta polynomial', () => {
    expect(scheduleTargets('oneshot', 0.8, 5)).toEqual([0.8]);
    expect(scheduleTargets('steps', 0.8, 4).map((v) => +v.toFixed(6))).toEqual([0.2, 0.4, 0.6, 0.8]);
    const poly = scheduleTargets('polynomial', 0.8, 4);
    // s_k = 0.8 (1 − (1 − k/4)^3): front-loaded.
    expect(poly.map((v) => +v.toFixed(6))).toEqual([0.8 * (1 - 0.421875), 0.8 * (1 - 0.125), 0.8 * (1 - 0.015625), 0.8].map((v) => +v.toFixed(6)));
    expect(poly[0]).toBeGreaterThan(0.2);
  });
});
