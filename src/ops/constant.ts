// Constant: a tensor held in an attribute (value, value_float(s), value_int(s)); folded into an initializer.

import { nodeError } from '../errors.js';
import { Tensor } from '../ir/tensor.js';
import { defineOp } from './op-def.js';
import { int64Tensor } from './util/tensor-ints.js';

export interface ConstantAttrs {
  value: Tensor;
}

const UNSUPPORTED = ['value_string', 'value_strings', 'sparse_value'];

export const Constant = defineOp<ConstantAttrs>({
  opType: 'Constant',
  domain: '',
  inputs: [0, 0],
  outputs: [1, 1],
  parseAttrs: (a, node) => {
    a.ignore(...UNSUPPORTED);
    for (const name of UNSUPPORTED) {
      if (a.has(name)) a.fail(name, 'is not supported: edgeprune holds dense numeric tensors only (no strings, no sparse tensors)');
    }
    const given: Tensor[] = [];
    const value = a.tensor('value');
    if (value) given.push(value);
    const valueFloat = a.float('value_float');
    if (valueFloat !== undefined) given.push(Tensor.scalar('float32', valueFloat));
    const valueFloats = a.floats('value_floats');
    if (valueFloats) given.push(Tensor.fromNumbers('float32', [valueFloats.length], valueFloats));
    const valueInt = a.int('value_int');
    if (valueInt !== undefined) given.push(int64Tensor([valueInt], []));
    const valueInts = a.ints('value_ints');
    if (valueInts) given.push(int64Tensor(valueInts));
    if (given.length !== 1) {
      throw nodeError(node, `needs exactly one of the attributes value, value_float, value_floats, value_int, value_ints; it has ${given.length}`);
    }
    return { value: given[0] };
  },
  infer: (_inputs, attrs) => [{ dtype: attrs.value.dtype, shape: attrs.value.shape, value: attrs.value }],
  evaluate: (_inputs, attrs) => [attrs.value],
});
