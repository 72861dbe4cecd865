// Reshape: 0 and -1, allowzero, exact int64 data, errors, and the opset < 5 shape attribute.
import { describe, expect, it } from 'vitest';
import { attr, elements, i64, iota, makeNode, runOp, upgradeNode } from './tensor-harness.js';

describe('Reshape', () => {
  it('copies dims for 0 and infers -1', () => {
    expect(runOp('Reshape', [iota([2, 3, 4]), i64([0, -1])])[0].shape).toEqual([2, 12]);
    expect(runOp('Reshape', [iota([2, 3, 4]), i64([-1, 0, 2])])[0].shape).toEqual([4, 3, 2]);
  });

  it('keeps 0 as a zero dim with allowzero=1', () => {
    expect(runOp('Reshape', [iota([0, 3]), i64([3, 0])], { allowzero: attr.int(1) })[0].shape).toEqual([3, 0]);
  });

  it('keeps int64 data exact and shares no storage with the input', () => {
    const big = 2n ** 62n + 1n;
    const x = i64([big, 1n, 2n, -big], [2, 2]);
    const [y] = runOp('Reshape', [x, i64([4])]);
    expect(elements(y)).toEqual([big, 1n, 2n, -big]);
    expect(y.data).not.toBe(x.data);
  });

  it('rejects sizes that do not match, two -1, and a computed shape', () => {
    expect(() => runOp('Reshape', [iota([2, 3]), i64([4, -1])])).toThrow(/no integer size/);
    expect(() => runOp('Reshape', [iota([2, 3]), i64([5])])).toThrow(/cannot reshape/);
    expect(() => runOp('Reshape', [iota([2, 3]), i64([-1, -1])])).toThrow(/more than one -1/);
    expect(() => runOp('Reshape', [iota([2, 3]), i64([0, -1])], { allowzero: attr.int(1) })).toThrow(/both 0 and -1/);
    expect(() => runOp('Reshape', [iota([2, 3]), i64([6])], {}, { runtimeInputs: [0, 1] })).toThrow(/must be a constant/);
  });

  it('moves the opset-4 shape attribute to an int64 input and drops consumed_inputs', () => {
    const node = makeNode('Reshape', ['x'], { shape: attr.ints([3, -1]), consumed_inputs: attr.ints([0]) });
    const { constants } = upgradeNode(node, 4);
    expect(node.attrs).toEqual({});
    expect(elements(constants.get(node.inputs[1])!)).toEqual([3n, -1n]);
  });
});
