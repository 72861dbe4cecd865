// Split: sizes from the split input, num_outputs (uneven last part), the attribute form of older opsets.
import { describe, expect, it } from 'vitest';
import { attr, elements, i64, iota, makeNode, runOp, upgradeNode } from './tensor-harness.js';

describe('Split', () => {
  it('cuts along an axis into the sizes of the split input', () => {
    const parts = runOp('Split', [iota([2, 5]), i64([2, 3])], { axis: attr.int(-1) }, { outputs: 2 });
    expect(parts.map((p) => p.shape)).toEqual([[2, 2], [2, 3]]);
    expect(elements(parts[0])).toEqual([0, 1, 5, 6]);
    expect(elements(parts[1])).toEqual([2, 3, 4, 7, 8, 9]);
  });

  it('cuts into num_outputs parts of ceil(dim / n), the last one smaller', () => {
    const parts = runOp('Split', [iota([7])], { num_outputs: attr.int(3) }, { outputs: 3 });
    expect(parts.map((p) => elements(p))).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
  });

  it('cuts into equal parts when neither sizes nor num_outputs are given', () => {
    const parts = runOp('Split', [iota([6])], {}, { outputs: 2 });
    expect(parts.map((p) => elements(p))).toEqual([[0, 1, 2], [3, 4, 5]]);
  });

  it('allows zero-sized parts and copies int64 exactly', () => {
    const big = 2n ** 62n + 7n;
    const parts = runOp('Split', [i64([big, -big, 3n]), i64([0, 2, 1])], {}, { outputs: 3 });
    expect(parts.map((p) => elements(p))).toEqual([[], [big, -big], [3n]]);
  });

  it('rejects sizes that do not add up, and split together with num_outputs', () => {
    expect(() => runOp('Split', [iota([6]), i64([2, 3])], {}, { outputs: 2 })).toThrow(/does not cut axis/);
    expect(() => runOp('Split', [iota([6]), i64([3, 3])], { num_outputs: attr.int(2) }, { outputs: 2 })).toThrow(/both a split input/);
    expect(() => runOp('Split', [iota([6])], { num_outputs: attr.int(3) }, { outputs: 2 })).toThrow(/num_outputs is 3/);
  });

  it('moves the opset-11 split attribute to an int64 input', () => {
    const node = makeNode('Split', ['x'], { split: attr.ints([1, 2]), axis: attr.int(0) }, ['a', 'b']);
    const { constants } = upgradeNode(node, 11);
    expect(node.attrs['split']).toBeUndefined();
    expect(elements(constants.get(node.inputs[1])!)).toEqual([1n, 2n]);
    expect(node.attrs['num_outputs']).toBeUndefined();
  });

  it('gives an opset-13 split without sizes its num_outputs', () => {
    const node = makeNode('Split', ['x'], {}, ['a', 'b', 'c']);
    upgradeNode(node, 13);
    expect(node.attrs['num_outputs']).toEqual(attr.int(3));
  });
});
