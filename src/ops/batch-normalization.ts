// BatchNormalization (inference): Y = (X - mean) / sqrt(var + epsilon) * scale + B, per channel.

import { nodeError } from '../errors.js';
import type { NumberArray } from '../ir/dtype.js';
import type { Node } from '../ir/graph.js';
import { Tensor, shapeSize } from '../ir/tensor.js';
import { defineOp, type ValueType } from './op-def.js';
import { FLOAT_TYPES, required, requireType } from './util/check.js';
import { finishFloat16 } from './util/elementwise.js';

export interface BatchNormalizationAttrs {
  epsilon: number;
}

const PARAM_NAMES = ['scale', 'B', 'input_mean', 'input_var'];

export const BatchNormalization = defineOp<BatchNormalizationAttrs>({
  opType: 'BatchNormalization',
  domain: '',
  inputs: [5, 5],
  outputs: [1, 3],
  paramInputs: { 1: 'norm', 2: 'norm', 3: 'norm', 4: 'norm' },
  parseAttrs: (a, node) => {
    if (a.intOf('training_mode', 0, [0, 1]) === 1) {
      throw nodeError(node, 'training-mode BatchNormalization is not supported; export in eval mode (model.eval() before torch.onnx.export)');
    }
    a.float('momentum'); // only updates running statistics in training mode
    return { epsilon: a.float('epsilon', 1e-5) };
  },
  upgrade(node, opset) {
    if (opset < 9) dropSpatial(node);
    // Before opset 14 the presence of the extra outputs (mean, var, saved mean and var) meant training.
    if (opset < 14) {
      rejectExtraOutputs(node);
      node.outputs = node.outputs.slice(0, 1);
    }
  },
  infer(inputs, _attrs, node) {
    rejectExtraOutputs(node);
    const x = required(inputs, 0, node);
    requireType(x, FLOAT_TYPES, node, 'input X');
    const C = channelsOf(x, node);
    for (let i = 1; i <= 4; i++) {
      const p = required(inputs, i, node);
      requireType(p, FLOAT_TYPES, node, `input ${PARAM_NAMES[i - 1]}`);
      if (p.shape.length !== 1 || p.shape[0] !== C) {
        throw nodeError(node, `input ${PARAM_NAMES[i - 1]} has shape ${p.shape.join('x') || 'scalar'}, expected ${C} (one value per channel of X ${x.shape.join('x')})`);
      }
    }
    return [{ dtype: x.dtype, shape: x.shape }];
  },
  evaluate(inputs, attrs, node) {
    const x = required(inputs, 0, node);
    const [scale, bias, mean, variance] = [1, 2, 3, 4].map((i) => required(inputs, i, node).data as NumberArray);
    const C = channelsOf(x, node);
    const plane = x.shape.length > 2 ? shapeSize(x.shape.slice(2)) : 1;
    const round = x.dtype === 'float64' ? (v: number) => v : Math.fround;
    const epsilon = round(attrs.epsilon);
    const deviation = new Float64Array(C);
    for (let c = 0; c < C; c++) deviation[c] = round(Math.sqrt(round(variance[c] + epsilon)));
    const out = new Tensor(x.dtype, x.shape);
    const src = x.data as NumberArray;
    const dst = out.data as NumberArray;
    for (let i = 0, c = 0, inPlane = 0; i < src.length; i++) {
      dst[i] = round(round(round(round(src[i] - mean[c]) / deviation[c]) * scale[c]) + bias[c]);
      if (++inPlane === plane) {
        inPlane = 0;
        if (++c === C) c = 0;
      }
    }
    return [finishFloat16(out)];
  },
});

/** Channels of X: its second dimension, or 1 for a 1-D X (N values). */
function channelsOf(x: ValueType, node: Node): number {
  if (x.shape.length === 0) throw nodeError(node, 'input X is a scalar; expected N x C x ...');
  return x.shape.length === 1 ? 1 : x.shape[1];
}

function rejectExtraOutputs(node: Node): void {
  if (node.outputs.slice(1).some((o) => o !== '')) {
    throw nodeError(
      node,
      `has ${node.outputs.filter((o) => o).length} outputs; only Y is supported (running mean and variance are outputs of training mode)`,
      'export the model in eval mode',
    );
  }
}

/** Opsets 7-8: spatial=1 (per-channel statistics) is today's form; spatial=0 has statistics per element. */
function dropSpatial(node: Node): void {
  const spatial = node.attrs.spatial;
  if (spatial && spatial.kind === 'int' && spatial.value === 0) {
    throw nodeError(
      node,
      "spatial=0 (statistics per element, opsets 7-8) is not supported; only spatial=1 (per channel) is",
      'flatten X to N x (C·D1·…·Dn) before the node and give scale, B, mean and var that shape, as the ONNX spec suggests',
    );
  }
  delete node.attrs.spatial;
}
