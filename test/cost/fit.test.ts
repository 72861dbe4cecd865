// The calibration's least squares: non-negative, scale-free, exact on consistent data.
import { describe, expect, it } from 'vitest';
import { fitTerms, nnls } from '../../src/cost/fit.js';

describe('nnls', () => {
  it('recovers non-negative coefficients from exact data, whatever the column scales', () => {
    const rows = Array.from({ length: 12 }, (_, i) => [1e6 * (i + 1), 1000 * ((i * 7) % 5), 1]);
    const truth = [1.3, 4.5, 60];
    const b = rows.map((r) => r.reduce((s, v, j) => s + v * truth[j], 0));
    nnls(rows, b).forEach((x, j) => expect(x).toBeCloseTo(truth[j], 6));
  });

  it('keeps coefficients at zero instead of going negative', () => {
    const rows = [[1, 1], [2, 1], [3, 1], [4, 1]];
    const b = [10, 9, 8, 7]; // the unconstrained fit has slope -1
    const x = nnls(rows, b);
    expect(x[0]).toBe(0);
    expect(x[1]).toBeCloseTo(8.5, 6);
  });

  it('fitTerms reports relative errors and zero weights for unused terms', () => {
    const f = fitTerms(['a', 'b', 'unused'], [{ terms: { a: 10, b: 1 }, y: 21 }, { terms: { a: 20, b: 1 }, y: 41 }, { terms: { a: 5, b: 2 }, y: 12 }], 1);
    expect(f.coefficients.a).toBeCloseTo(2, 6);
    expect(f.coefficients.b).toBeCloseTo(1, 6);
    expect(f.coefficients.unused).toBe(0);
    expect(f.maxRelError).toBeLessThan(1e-9);
  });
});
