// Transpose: explicit and default permutations, exact int64 data, invalid permutations.
import { describe, expect, it } from 'vitest';
import { attr, elements, i64, iota, runOp } from './tensor-harness.js';

describe('Transpose', () => {
  it('permutes axes', () => {
    const [y] = runOp('Transpose', [iota([2, 3, 4])], { perm: attr.ints([1, 2, 0]) });
    expect(y.shape).toEqual([3, 4, 2]);
    expect(elements(y).slice(0, 4)).toEqual([0, 12, 1, 13]);
  });

  it('reverses the axes by default and copies int64 exactly', () => {
    const big = 2n ** 62n + 1n;
    const [y] = runOp('Transpose', [i64([big, 1n, 2n, -big], [2, 2])]);
    expect(elements(y)).toEqual([big, 2n, 1n, -big]);
  });

  it('rejects a perm that is not a permutation', () => {
    expect(() => runOp('Transpose', [iota([2, 3])], { perm: attr.ints([0, 0]) })).toThrow(/not a permutation/);
  });
});
