// Unsqueeze: axes in the output's numbering (negative, unsorted), errors, and the opset < 13 attribute.
import { describe, expect, it } from 'vitest';
import { attr, elements, i64, iota, makeNode, runOp, upgradeNode } from './tensor-harness.js';

describe('Unsqueeze', () => {
  it('inserts axes at output positions, negative and unsorted', () => {
    expect(runOp('Unsqueeze', [iota([3, 4]), i64([3, -4])])[0].shape).toEqual([1, 3, 4, 1]);
    expect(runOp('Unsqueeze', [iota([]), i64([0])])[0].shape).toEqual([1]);
  });

  it('rejects repeated and out-of-range axes', () => {
    expect(() => runOp('Unsqueeze', [iota([3]), i64([0, 0])])).toThrow(/repeat an axis/);
    expect(() => runOp('Unsqueeze', [iota([3]), i64([2])])).toThrow(/out of range/);
  });

  it('copies int64 exactly', () => {
    const big = -(2n ** 62n) - 1n;
    expect(elements(runOp('Unsqueeze', [i64([big]), i64([1])])[0])).toEqual([big]);
  });

  it('moves the opset-11 axes attribute to an int64 input', () => {
    const node = makeNode('Unsqueeze', ['x'], { axes: attr.ints([0]) });
    const { constants } = upgradeNode(node, 11);
    expect(node.attrs).toEqual({});
    expect(elements(constants.get(node.inputs[1])!)).toEqual([0n]);
  });

  it('refuses an opset-11 node without axes', () => {
    expect(() => upgradeNode(makeNode('Unsqueeze', ['x']), 11)).toThrow(/no 'axes' attribute/);
  });
});
