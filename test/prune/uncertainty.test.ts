// The uncertainty of a drop: one sample in points, the paired standard error, and per-sample correctness through the interpreter.
import { describe, expect, it } from 'vitest';
import { borderline, correctness, dropUncertainty, pairedDropError, repeatedEstimate } from '../../src/prune/uncertainty.js';
import { digitsMlp } from '../../src/models/sample-models.js';
import type { Dataset } from '../../src/data/dataset.js';

describe('pairedDropError', () => {
  it('is sd(reference − final) / √n in points, counting only the samples where the models disagree', () => {
    // 100 samples; the final model loses 3 and gains 1: differences +1 ×3, −1 ×1, 0 ×96.
    const ref = new Uint8Array(100).fill(1);
    const fin = new Uint8Array(100).fill(1);
    fin[0] = fin[1] = fin[2] = 0;
    ref[3] = 0;
    const mean = 0.02;
    const variance = (3 * (1 - mean) ** 2 + (-1 - mean) ** 2 + 96 * mean ** 2) / 99;
    expect(pairedDropError(ref, fin)).toBeCloseTo(Math.sqrt(variance / 100) * 100, 10);
    // Two models that agree everywhere: no uncertainty in their difference.
    expect(pairedDropError(ref, ref)).toBe(0);
  });
});

describe('dropUncertainty', () => {
  it('one sample in points, and a standard error from the interpreter\'s per-sample hits', () => {
    const g = digitsMlp();
    const n = 40;
    const features = new Float32Array(n * 64).map((_, i) => ((i * 7919) % 17) / 17);
    const ds: Dataset = { features, labels: new Int32Array(n).map((_, i) => i % 10), count: n, featureShape: [64], classes: 10, source: 'synthetic' };
    const hits = correctness(g, ds)!;
    expect(hits).toHaveLength(n);
    const u = dropUncertainty(g, g, ds);
    expect(u).toEqual({ samples: n, pointsPerSample: 2.5, standardError: 0 });
    expect(correctness(g, { ...ds, targets: new Float32Array(n) })).toBeNull();
  });
});

describe('borderline and repeatedEstimate', () => {
  it('borderline: within two samples of the limit on a split under 1,000 samples', () => {
    expect(borderline(1.0, 1.5, 270)).toBe(true); // 2 samples = 0.74 points
    expect(borderline(2.2, 1.5, 270)).toBe(true);
    expect(borderline(0.5, 1.5, 270)).toBe(false);
    expect(borderline(1.5, 1.5, 1000)).toBe(false);
    expect(borderline(Infinity, 1.5, 270)).toBe(false);
  });

  it('decides on the mean and keeps the median-scoring model', async () => {
    const runs = [{ graph: 'b', validation: 0.8 }, { graph: 'c', validation: 0.95 }];
    const r = await repeatedEstimate({ graph: 'a', validation: 0.9 }, async () => runs.shift()!, 3);
    expect(r.validation).toBeCloseTo(0.8833333333, 9);
    expect(r.graph).toBe('a');
    expect(r.scores).toEqual([0.9, 0.8, 0.95]);
  });
});
