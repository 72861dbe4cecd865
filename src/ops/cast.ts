// Cast: convert a tensor to the element type named by the `to` attribute (an ONNX TensorProto type code).

import { ALL_DTYPES, dtypeFromOnnx, type DType } from '../ir/dtype.js';
import type { AttrReader } from './attrs.js';
import { defineOp } from './op-def.js';
import { required } from './util/check.js';
import { castTensor } from './util/ew-cast.js';

export interface CastAttrs {
  to: DType;
}

/** The float8-only attributes of Cast and CastLike: read, and meaningless for the types the IR holds. */
export function ignoreFloat8Attrs(a: AttrReader): void {
  a.int('saturate', 1);
  a.stringOf('round_mode', 'up', ['up', 'down', 'nearest']);
}

export const Cast = defineOp<CastAttrs>({
  opType: 'Cast',
  domain: '',
  inputs: [1, 1],
  outputs: [1, 1],
  parseAttrs(a: AttrReader) {
    const code = a.int('to');
    if (code === undefined) a.fail('to', 'is missing; Cast needs a target type');
    const found = dtypeFromOnnx(code);
    if ('unsupported' in found) {
      a.fail('to', `is ${found.unsupported}, which edgeprune cannot hold; supported targets: ${ALL_DTYPES.join(', ')}`);
    }
    ignoreFloat8Attrs(a);
    return { to: found.dtype };
  },
  infer(inputs, attrs, node) {
    const x = required(inputs, 0, node);
    return [{ dtype: attrs.to, shape: x.shape }];
  },
  evaluate: (inputs, attrs, node) => [castTensor(required(inputs, 0, node), attrs.to)],
});
