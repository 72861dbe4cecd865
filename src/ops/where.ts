// Where: pick X where the condition holds and Y elsewhere, with three-way broadcasting.

import { nodeError } from '../errors.js';
import { defineOp } from './op-def.js';
import { broadcastShapes } from './util/broadcast.js';
import { required, sameType } from './util/check.js';
import { mapBroadcast } from './util/elementwise.js';

export const Where = defineOp<Record<string, never>>({
  opType: 'Where',
  domain: '',
  inputs: [3, 3],
  outputs: [1, 1],
  parseAttrs: () => ({}),
  infer(inputs, _attrs, node) {
    const cond = required(inputs, 0, node);
    const x = required(inputs, 1, node);
    const y = required(inputs, 2, node);
    if (cond.dtype !== 'bool') throw nodeError(node, `condition has type ${cond.dtype}; it must be bool`);
    const dtype = sameType([x, y], node);
    return [{ dtype, shape: broadcastShapes([cond.shape, x.shape, y.shape], node) }];
  },
  evaluate(inputs, _attrs, node) {
    const cond = required(inputs, 0, node);
    const x = required(inputs, 1, node);
    const y = required(inputs, 2, node);
    return [mapBroadcast([cond, x, y], x.dtype, node, (c, a, b) => (c ? a : b))];
  },
});
