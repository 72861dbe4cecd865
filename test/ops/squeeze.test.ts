// Squeeze: listed (negative, unsorted) axes, all size-1 axes without a list, and the opset < 13 attribute.
import { describe, expect, it } from 'vitest';
import { attr, elements, i64, iota, makeNode, runOp, upgradeNode } from './tensor-harness.js';

describe('Squeeze', () => {
  it('removes listed axes, negative and unsorted', () => {
    expect(runOp('Squeeze', [iota([1, 3, 1, 2]), i64([-2, 0])])[0].shape).toEqual([3, 2]);
  });

  it('removes every size-1 axis without axes', () => {
    expect(runOp('Squeeze', [iota([1, 3, 1, 2, 1])])[0].shape).toEqual([3, 2]);
  });

  it('rejects squeezing an axis whose size is not 1', () => {
    expect(() => runOp('Squeeze', [iota([1, 3]), i64([1])])).toThrow(/its size is 3, not 1/);
  });

  it('copies int64 exactly', () => {
    const big = 2n ** 62n + 1n;
    expect(elements(runOp('Squeeze', [i64([big], [1, 1])])[0])).toEqual([big]);
  });

  it('moves the opset-11 axes attribute to an input, and leaves a node without axes alone', () => {
    const node = makeNode('Squeeze', ['x'], { axes: attr.ints([0, -1]) });
    const { constants } = upgradeNode(node, 11);
    expect(node.attrs).toEqual({});
    expect(elements(constants.get(node.inputs[1])!)).toEqual([0n, -1n]);
    const plain = makeNode('Squeeze', ['x']);
    upgradeNode(plain, 11);
    expect(plain.inputs).toEqual(['x']);
  });
});
