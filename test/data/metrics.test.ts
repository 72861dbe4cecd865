// Metrics never reward bad numbers: NaN or infinite outputs are wrong, their loss is NaN, and NaN scores lose every comparison.
import { describe, expect, it } from 'vitest';
import { byScoreDescending, classificationMetrics, comparableScore, dropInPoints, labelRank, meanSquaredError } from '../../src/data/metrics.js';
import { evaluateModel } from '../../src/data/evaluate.js';
import { GraphBuilder } from '../../src/ir/builder.js';
import { Tensor } from '../../src/ir/tensor.js';

describe('classification metrics with NaN and infinite outputs', () => {
  it('an all-NaN output is never correct, top-1 or top-k, and its loss is NaN', () => {
    const outputs = new Float32Array(3 * 4).fill(NaN);
    const m = classificationMetrics(outputs, Int32Array.from([0, 1, 3]), 4, 4);
    expect(m.accuracy).toBe(0);
    expect(m.topK).toBe(0);
    expect(m.loss).toBeNaN();
    expect(m.nonFinite).toBe(3);
  });

  it('a row with one NaN, +Infinity or -Infinity is wrong even when the label scores highest', () => {
    expect(labelRank([0.1, 0.9, NaN], 1)).toBe(Infinity);
    expect(labelRank([NaN, 0.9, 0.1], 1)).toBe(Infinity);
    expect(labelRank([0, Infinity, 0], 1)).toBe(Infinity);
    expect(labelRank([-Infinity, 2, 0], 1)).toBe(Infinity);
    expect(labelRank([0.1, 0.9, 0.0], 1)).toBe(0);
    expect(labelRank([0.5, 0.5, 0.0], 1)).toBe(1);
    const m = classificationMetrics(Float32Array.from([0.1, 0.9, 0.2, 0.7, NaN, 0.1]), Int32Array.from([1, 1]), 3, 1);
    expect(m.accuracy).toBe(0.5);
    expect(m.nonFinite).toBe(1);
    expect(m.loss).toBeNaN();
  });

  it('MSE of a NaN or infinite output is NaN, never a good value', () => {
    expect(meanSquaredError(Float32Array.from([1, NaN]), Float32Array.from([1, 1]))).toBeNaN();
    expect(meanSquaredError(Float32Array.from([1, Infinity]), Float32Array.from([1, 1]))).toBeNaN();
    expect(meanSquaredError(Float32Array.from([1, 3]), Float32Array.from([1, 1]))).toBe(2);
  });
});

describe('score comparisons', () => {
  it('NaN is the worst score: it ranks last and drops +Infinity points', () => {
    expect(comparableScore(NaN)).toBe(-Infinity);
    expect([0.5, NaN, 0.9, 0.1].sort(byScoreDescending)).toEqual([0.9, 0.5, 0.1, NaN]);
    expect([NaN, 0.2].sort(byScoreDescending)).toEqual([0.2, NaN]);
    expect(dropInPoints(0.9, NaN)).toBe(Infinity);
    expect(dropInPoints(NaN, 0.9)).toBe(Infinity);
    expect(dropInPoints(NaN, NaN)).toBe(Infinity);
    expect(dropInPoints(0.9, 0.85)).toBeCloseTo(5, 9);
    expect(dropInPoints(-2, -Infinity)).toBe(Infinity);
  });
});

describe('evaluateModel on an all-NaN model', () => {
  it('scores 0% with every sample counted non-finite', () => {
    // Log of a negative number: NaN whatever the input.
    const b = new GraphBuilder('all_nan');
    const x = b.input('x', 'float32', [1, 3]);
    const negative = b.initializer('minus_one', Tensor.fromNumbers('float32', [1, 3], [-1, -1, -1]));
    const y = b.op('Log', [b.op('Mul', [b.op('Abs', [x]), negative]), ], {}, 'log');
    b.output(b.op('Add', [y, x]));
    const g = b.build();
    const ds = { features: Float32Array.from([1, 2, 3, 4, 5, 6]), labels: Int32Array.from([0, 2]), count: 2, featureShape: [3], classes: 3, source: 'mem' };
    const r = evaluateModel(g, ds, 2);
    expect(r.accuracy).toBe(0);
    expect(r.topK).toBe(0);
    expect(r.loss).toBeNaN();
    expect(r.nonFiniteOutputs).toBe(2);
  });
});
