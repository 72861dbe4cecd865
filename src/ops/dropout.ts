// Dropout for inference: the identity, with an all-true mask; training mode (random) is refused.

import { nodeError } from '../errors.js';
import type { Node } from '../ir/graph.js';
import { Tensor } from '../ir/tensor.js';
import { defineOp, type UpgradeContext } from './op-def.js';
import { FLOAT_TYPES, required, requireType } from './util/check.js';

const TRAINING_REFUSED = 'training-mode Dropout is not supported; export the model in eval mode';

/**
 * Before opset 12 the ratio was an attribute (it becomes a constant input) and there was no
 * training mode. Before opset 10 the mask had the data's type: a CastLike turns the bool mask back.
 */
function upgradeDropout(node: Node, opset: number, ctx: UpgradeContext): Node[] | void {
  if (opset >= 12) return;
  const isTest = node.attrs.is_test;
  if (isTest !== undefined) {
    if (isTest.kind === 'int' && isTest.value === 0) throw nodeError(node, TRAINING_REFUSED);
    delete node.attrs.is_test;
  }
  const ratio = node.attrs.ratio;
  if (ratio !== undefined) {
    if (ratio.kind !== 'float' && ratio.kind !== 'int') throw nodeError(node, `attribute 'ratio' has type ${ratio.kind}, expected float`);
    node.inputs = [node.inputs[0], ctx.addConstant(Tensor.scalar('float32', ratio.value), `${node.name}_ratio`)];
    delete node.attrs.ratio;
  }
  const mask = node.outputs[1];
  if (opset >= 10 || !mask) return;
  const boolMask = ctx.uniqueName(`${mask}_bool`);
  node.outputs = [node.outputs[0], boolMask];
  const cast: Node = { name: '', opType: 'CastLike', domain: '', inputs: [boolMask, node.inputs[0]], outputs: [mask], attrs: {} };
  return [node, cast];
}

function checkRatio(ratio: number, node: Node): void {
  if (!(ratio >= 0 && ratio < 1)) throw nodeError(node, `ratio is ${ratio}; it must be in [0, 1)`);
}

export const Dropout = defineOp<{ seed?: number }>({
  opType: 'Dropout',
  domain: '',
  inputs: [1, 3],
  outputs: [1, 2],
  // The seed only matters in training mode, which is refused.
  parseAttrs: (a) => ({ seed: a.int('seed') }),
  upgrade: upgradeDropout,
  infer(inputs, _attrs, node) {
    const x = required(inputs, 0, node);
    requireType(x, FLOAT_TYPES, node, 'input data');
    const ratio = inputs[1];
    const training = inputs[2];
    if (ratio) {
      requireType(ratio, FLOAT_TYPES, node, 'ratio');
      if (ratio.value) checkRatio(ratio.value.at(0), node);
    }
    if (training) {
      requireType(training, ['bool'], node, 'training_mode');
      // Refused here when known from constants; otherwise evaluate checks the values.
      if (training.value?.at(0) && (ratio === undefined || (ratio.value && ratio.value.at(0) > 0))) {
        throw nodeError(node, TRAINING_REFUSED);
      }
    }
    return [
      { dtype: x.dtype, shape: x.shape },
      { dtype: 'bool', shape: x.shape },
    ];
  },
  evaluate(inputs, _attrs, node) {
    const x = required(inputs, 0, node);
    const ratio = inputs[1] ? inputs[1].at(0) : 0.5;
    checkRatio(ratio, node);
    if (inputs[2]?.at(0) && ratio > 0) throw nodeError(node, TRAINING_REFUSED);
    const mask = new Tensor('bool', x.shape);
    (mask.data as Uint8Array).fill(1);
    return [x.clone(), mask];
  },
});
