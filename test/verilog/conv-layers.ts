// int8 convolution layers for the RTL tests: random ones or a quantized model's Int8Conv nodes and their wrapper module
// (bench/rtl-conv-layers.ts), and the interpreter's Int8Conv.
import { Tensor } from '../../src/ir/tensor.js';
import { Int8Conv } from '../../src/ops/int8-conv.js';
import { attr, evalOp } from '../c-kernels/harness.js';
import type { ConvLayer } from '../../bench/rtl-conv-layers.js';

export { convParameters, convWrapper, modelConv, randomConv, type ConvLayer, type ConvSpec } from '../../bench/rtl-conv-layers.js';

const f32 = (values: number[]) => Tensor.fromNumbers('float32', [values.length], values);
const s8 = (v: number) => Tensor.fromNumbers('int8', [1], [v]);

/** The interpreter's Int8Conv on one NCHW image: the output, NCHW. */
export function convReference(l: ConvLayer, image: number[]): number[] {
  const x = Tensor.fromNumbers('int8', [1, l.cIn, l.H, l.W], image);
  const w = Tensor.fromNumbers('int8', [l.cOut, l.cIn, l.K, l.K], l.weights);
  const y = evalOp(
    Int8Conv,
    [x, f32([l.xScale]), s8(l.xZero), w, f32(l.wScale), f32([l.yScale]), s8(l.yZero), Tensor.fromNumbers('int32', [l.cOut], l.bias)],
    {
      kernel_shape: attr.ints([l.K, l.K]),
      pads: attr.ints([l.pad, l.pad, l.pad, l.pad]),
      strides: attr.ints([l.stride, l.stride]),
      act_min: attr.int(l.actMin),
      act_max: attr.int(l.actMax),
    },
  );
  return Array.from(y.data as Int8Array);
}
