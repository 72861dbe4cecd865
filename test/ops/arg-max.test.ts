// Unit tests of ArgMax: axes, keepdims, ties (first or last index), NaN, int8 and int64 inputs, import at opsets 7-13.

import { describe, expect, it } from 'vitest';
import type { AttrValue } from '../../src/ir/graph.js';
import { Tensor } from '../../src/ir/tensor.js';
import { evalOp, f32, int, loadModel, runModel, values } from './ew-support.js';

const x23 = f32([2, 3], [1, 7, 3, 9, 5, 6]);

describe('ArgMax', () => {
  it('reduces axis 0 by default and keeps it as 1', () => {
    const r = evalOp('ArgMax', [x23])[0];
    expect(r.dtype).toBe('int64');
    expect(r.shape).toEqual([1, 3]);
    expect(values(r)).toEqual([1n, 0n, 1n]);
  });

  it('reduces a negative axis and drops it without keepdims', () => {
    const r = evalOp('ArgMax', [x23], { axis: int(-1), keepdims: int(0) })[0];
    expect(r.shape).toEqual([2]);
    expect(values(r)).toEqual([1n, 0n]);
  });

  it('reduces the middle axis of a 3-D tensor', () => {
    // [2, 3, 2]: for each (outer, inner) pair the largest of three values at stride 2.
    const x = f32([2, 3, 2], [1, 6, 5, 2, 3, 4, 9, 0, 8, 0, 7, 1]);
    const r = evalOp('ArgMax', [x], { axis: int(1) })[0];
    expect(r.shape).toEqual([2, 1, 2]);
    expect(values(r)).toEqual([1n, 0n, 0n, 2n]);
  });

  it('resolves ties to the first index, or the last with select_last_index', () => {
    const x = f32([1, 5], [2, 4, 1, 4, 4]);
    expect(values(evalOp('ArgMax', [x], { axis: int(1) })[0])).toEqual([1n]);
    expect(values(evalOp('ArgMax', [x], { axis: int(1), select_last_index: int(1) })[0])).toEqual([4n]);
  });

  it('ranks NaN above every number, as the ONNX reference (numpy) does', () => {
    const x = f32([5], [1, NaN, 9, NaN, Infinity]);
    expect(values(evalOp('ArgMax', [x])[0])).toEqual([1n]);
    expect(values(evalOp('ArgMax', [x], { select_last_index: int(1) })[0])).toEqual([3n]);
  });

  it('works on int8 (extremes included) and int64 inputs', () => {
    const s8 = Tensor.fromNumbers('int8', [2, 4], [-128, -128, -127, -128, 127, -1, 127, 0]);
    expect(values(evalOp('ArgMax', [s8], { axis: int(1), keepdims: int(0) })[0])).toEqual([2n, 0n]);
    expect(values(evalOp('ArgMax', [s8], { axis: int(1), keepdims: int(0), select_last_index: int(1) })[0])).toEqual([2n, 2n]);
    const i64 = new Tensor('int64', [3], BigInt64Array.from([2n ** 60n, 2n ** 60n + 1n, -5n]));
    expect(values(evalOp('ArgMax', [i64])[0])).toEqual([1n]);
  });

  it('refuses an axis out of range and an empty axis, naming the node', () => {
    expect(() => evalOp('ArgMax', [x23], { axis: int(2) })).toThrow(/test_node.*axis 2 is out of range for rank 2/);
    const m = { opset: 13, nodes: [{ op: 'ArgMax', inputs: ['x'], outputs: ['y'], attrs: { axis: int(1) } }], inputs: [{ name: 'x', dtype: 'float32' as const, shape: [2, 0] }], outputs: [{ name: 'y', dtype: 'int64' as const, shape: [2, 1] }] };
    expect(() => loadModel(m)).toThrow(/axis 1 has length 0/);
  });

  for (const opset of [7, 11, 12, 13]) {
    it(`imports and runs at opset ${opset} with int64 output type inferred`, () => {
      const attrs: Record<string, AttrValue> = opset >= 12 ? { axis: int(1), select_last_index: int(1) } : { axis: int(1) };
      const m = {
        opset,
        nodes: [{ op: 'ArgMax', inputs: ['x'], outputs: ['y'], attrs }],
        inputs: [{ name: 'x', dtype: 'float32' as const, shape: [2, 3] }],
        outputs: [{ name: 'y', dtype: 'int64' as const, shape: [2, 1] }],
      };
      const y = runModel(m, { x: f32([2, 3], [5, 1, 5, 0, 2, 2]) });
      expect(y.shape).toEqual([2, 1]);
      expect(values(y)).toEqual(opset >= 12 ? [2n, 2n] : [0n, 1n]);
    });
  }
});
