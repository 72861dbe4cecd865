// Slice: steps, negative steps, clamped huge ends, axes, the opset-1 attribute form, and exact int64 data.
import { describe, expect, it } from 'vitest';
import { elements, i32, i64, iota, makeNode, runOp, upgradeNode, attr } from './tensor-harness.js';

const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);

describe('Slice', () => {
  it('slices with starts and ends on every axis', () => {
    const [y] = runOp('Slice', [iota([3, 4]), i64([1, 1]), i64([3, 3])]);
    expect(y.shape).toEqual([2, 2]);
    expect(elements(y)).toEqual([5, 6, 9, 10]);
  });

  it('clamps INT64_MAX ends and negative starts (x[-2:] on the last axis)', () => {
    const [y] = runOp('Slice', [iota([2, 4]), i64([-2]), i64([INT64_MAX]), i64([-1])]);
    expect(y.shape).toEqual([2, 2]);
    expect(elements(y)).toEqual([2, 3, 6, 7]);
  });

  it('steps forward and backward (x[::-1] with INT64_MIN as the end)', () => {
    expect(elements(runOp('Slice', [iota([7]), i64([1]), i64([7]), i64([0]), i64([3])])[0])).toEqual([1, 4]);
    expect(elements(runOp('Slice', [iota([4]), i64([-1]), i64([INT64_MIN]), i64([0]), i64([-1])])[0])).toEqual([3, 2, 1, 0]);
    expect(elements(runOp('Slice', [iota([5]), i64([4]), i64([0]), i64([0]), i64([-2])])[0])).toEqual([4, 2]);
  });

  it('accepts int32 index inputs and gives empty results for empty ranges', () => {
    expect(runOp('Slice', [iota([2, 3]), i32([2]), i32([1]), i32([1])])[0].shape).toEqual([2, 0]);
  });

  it('copies int64 data exactly', () => {
    const big = 2n ** 60n + 3n;
    expect(elements(runOp('Slice', [i64([1, big, -big, 4]), i64([1]), i64([3])])[0])).toEqual([big, -big]);
  });

  it('rejects a zero step and mismatched list lengths', () => {
    expect(() => runOp('Slice', [iota([3]), i64([0]), i64([3]), i64([0]), i64([0])])).toThrow(/step of axis 0 is 0/);
    expect(() => runOp('Slice', [iota([3]), i64([0, 0]), i64([3])])).toThrow(/different lengths/);
  });

  it('needs constant starts and ends', () => {
    expect(() => runOp('Slice', [iota([3]), i64([0]), i64([3])], {}, { runtimeInputs: [0, 1] })).toThrow(/must be a constant/);
  });

  it('upgrades opset-1 attributes to int64 inputs, keeping INT64_MAX', () => {
    const node = makeNode('Slice', ['x'], { starts: attr.ints([1]), ends: attr.ints([2 ** 63]), axes: attr.ints([-1]) });
    const { constants } = upgradeNode(node, 9);
    expect(node.attrs).toEqual({});
    expect(node.inputs).toHaveLength(4);
    const [starts, ends, axes] = node.inputs.slice(1).map((n) => constants.get(n)!);
    expect(elements(starts)).toEqual([1n]);
    expect(elements(ends)).toEqual([INT64_MAX]);
    expect(elements(axes)).toEqual([-1n]);
    const [y] = runOp('Slice', [iota([2, 3]), starts, ends, axes]);
    expect(elements(y)).toEqual([1, 2, 4, 5]);
  });

  it('leaves opset-10 nodes alone', () => {
    const node = makeNode('Slice', ['x', 's', 'e']);
    upgradeNode(node, 10);
    expect(node.inputs).toEqual(['x', 's', 'e']);
  });
});
