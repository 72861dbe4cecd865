// On-target accuracy: top-1 of the target's and the interpreter's outputs against labels, agreement and difference.
import { describe, expect, it } from 'vitest';
import { Tensor } from '../../src/ir/tensor.js';
import { onTargetAccuracy, topClass } from '../../src/verify/on-target-accuracy.js';

const scores = (...v: number[]) => Tensor.fromNumbers('float32', [1, v.length], v);
const index = (c: number) => new Tensor('int64', [1], BigInt64Array.from([BigInt(c)]));

describe('onTargetAccuracy', () => {
  it('scores the target and the interpreter each against the labels, and counts equal top-1 classes', () => {
    const target = [scores(0.9, 0.1, 0), scores(0.2, 0.7, 0.1), scores(0.5, 0.4, 0.1), scores(0, 0, 1)];
    const interpreter = [scores(0.9, 0.1, 0), scores(0.2, 0.7, 0.1), scores(0.4, 0.5, 0.1), scores(0, 0.25, 1)];
    const a = onTargetAccuracy([0, 1, 1, 2], target, interpreter)!;
    expect(a.vectors).toBe(4);
    expect(a.onTarget).toBe(3 / 4); // vector 2: the target says 0
    expect(a.interpreter).toBe(1);
    expect(a.agreement).toBe(3 / 4);
    expect(a.maxAbsDiff).toBeCloseTo(0.25, 6);
  });

  it('counts a non-finite output as wrong and ties as the lower class, as eval does', () => {
    const a = onTargetAccuracy([0, 1], [scores(Number.NaN, 0), scores(0.5, 0.5)], [scores(1, 0), scores(0.5, 0.5)])!;
    expect(a.onTarget).toBe(0);
    expect(a.interpreter).toBe(1 / 2);
    expect(a.agreement).toBe(1 / 2);
    expect(a.maxAbsDiff).toBe(Infinity);
  });

  it('compares class indices of a model ending in ArgMax', () => {
    const a = onTargetAccuracy([3, 1], [index(3), index(2)], [index(3), index(1)])!;
    expect(a).toEqual({ vectors: 2, onTarget: 1 / 2, interpreter: 1, agreement: 1 / 2, maxAbsDiff: 1 });
    expect(topClass(index(7))).toBe(7);
  });

  it('is null without labels, and refuses a label the output has no class for', () => {
    expect(onTargetAccuracy(undefined, [scores(1, 0)], [scores(1, 0)])).toBeNull();
    expect(onTargetAccuracy([], [], [])).toBeNull();
    expect(() => onTargetAccuracy([5], [scores(1, 0)], [scores(1, 0)])).toThrow(/label 5, but the model's first output scores 2 classes/);
  });
});
