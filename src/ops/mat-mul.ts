// MatMul: numpy-style matrix product (1-D operands promoted, leading batch dimensions broadcast).

import { Tensor, shapeSize } from '../ir/tensor.js';
import { defineOp } from './op-def.js';
import { broadcastOffsets } from './util/broadcast.js';
import { required, requireType, sameType } from './util/check.js';
import { finishFloat16 } from './util/elementwise.js';
import { MATMUL_TYPES, matMulLayout, matrixView, multiplyInto } from './util/nn-matmul.js';

export const MatMul = defineOp<Record<string, never>>({
  opType: 'MatMul',
  domain: '',
  inputs: [2, 2],
  outputs: [1, 1],
  paramInputs: { 0: 'weight', 1: 'weight' },
  parseAttrs: () => ({}),
  infer(inputs, _attrs, node) {
    const a = required(inputs, 0, node);
    const b = required(inputs, 1, node);
    const dtype = sameType([a, b], node);
    requireType(a, MATMUL_TYPES, node, 'input A');
    return [{ dtype, shape: matMulLayout(a.shape, b.shape, node).outShape }];
  },
  evaluate(inputs, _attrs, node) {
    const a = required(inputs, 0, node);
    const b = required(inputs, 1, node);
    const { M, K, N, batchShape, aBatch, bBatch, outShape } = matMulLayout(a.shape, b.shape, node);
    const out = new Tensor(a.dtype, outShape);
    const batches = shapeSize(batchShape);
    // Which matrix of A and of B each output matrix reads (broadcast over batch dimensions).
    const aMatrix = broadcastOffsets(aBatch, batchShape);
    const bMatrix = broadcastOffsets(bBatch, batchShape);
    for (let i = 0; i < batches; i++) {
      const aView = matrixView(a.data, (aMatrix ? aMatrix[i] : i) * M * K, K);
      const bView = matrixView(b.data, (bMatrix ? bMatrix[i] : i) * K * N, N);
      multiplyInto(a.dtype, aView, bView, M, K, N, out.data, i * M * N);
    }
    return [finishFloat16(out)];
  },
  macs(inputs, outputs) {
    // Every output element is one dot product over A's last dimension (batch · M · N · K in all).
    const a = inputs[0]!;
    return shapeSize(outputs[0].shape) * a.shape[a.shape.length - 1];
  },
});
