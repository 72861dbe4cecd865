// Identity: any dtype copied exactly into new storage.
import { describe, expect, it } from 'vitest';
import { elements, runOp, u64 } from './tensor-harness.js';

describe('Identity', () => {
  it('copies any dtype exactly into new storage', () => {
    const x = u64([2n ** 64n - 1n]);
    const [y] = runOp('Identity', [x]);
    expect(elements(y)).toEqual([2n ** 64n - 1n]);
    expect(y.data).not.toBe(x.data);
  });
});
