// Quantized ONNX graphs written the way onnxruntime's quantizer and PyTorch export write them (QDQ, QOperator and
// integer forms), built with the IR builder, for the quantized-ONNX import and refusal tests.
import { attr, GraphBuilder } from '../../src/ir/builder.js';
import type { DType } from '../../src/ir/dtype.js';
import type { Graph } from '../../src/ir/graph.js';
import { shapeSize, Tensor } from '../../src/ir/tensor.js';
import { Random } from '../../src/util/random.js';

export const f32 = (values: number[], shape = [values.length]) => Tensor.fromNumbers('float32', shape, values);
export const ints = (dtype: DType, shape: number[], values: number[]) => Tensor.fromNumbers(dtype, shape, values);
export const scalar = (dtype: DType, v: number) => Tensor.scalar(dtype, v);

/** Seeded integers in [lo, hi]. */
export function randomInts(rng: Random, n: number, lo: number, hi: number): number[] {
  return Array.from({ length: n }, () => lo + rng.int(hi - lo + 1));
}

/** Seeded float inputs in [lo, hi) for a graph's first input. */
export function randomInput(g: Graph, seed: number, lo = 0, hi = 1): Record<string, Tensor> {
  const rng = new Random(seed);
  const v = g.inputs[0];
  const shape = v.shape as number[];
  return { [v.name]: Tensor.fromNumbers('float32', shape, Array.from({ length: shapeSize(shape) }, () => rng.uniform(lo, hi))) };
}

export interface QdqCnnOptions {
  /** Activation type: uint8 (onnxruntime's default QUInt8) or int8. */
  activations?: 'uint8' | 'int8';
  /** The conv's activation between Conv and QuantizeLinear. */
  activation?: 'none' | 'relu' | 'clip';
  /** A float bias instead of DequantizeLinear(int32). */
  floatBias?: boolean;
  seed?: number;
}

/**
 * An onnxruntime-style QDQ CNN: input 1x2x6x6 → Q → DQ → Conv 3x3 2→4 pad 1 (int8 weights per channel, int32 bias) →
 * [Relu | Clip] → Q → DQ → MaxPool 2 → Q → DQ → Flatten → Q → DQ → Gemm 36→3 (transB) → Q → DQ → output.
 * uint8 activations have zero points 128 + the int8 ones, so both variants mean the same real numbers.
 */
export function qdqCnn(o: QdqCnnOptions = {}): Graph {
  const rng = new Random(o.seed ?? 7);
  const act = o.activations ?? 'uint8';
  const shift = act === 'uint8' ? 128 : 0;
  const b = new GraphBuilder('qdq_cnn');
  const quantize = (x: string, scale: number, zero: number, name: string) => {
    const s = b.initializer(`${name}.scale`, scalar('float32', scale));
    const z = b.initializer(`${name}.zero_point`, scalar(act, zero + shift));
    const q = b.op('QuantizeLinear', [x, s, z], {}, `${name}_QuantizeLinear`);
    return b.op('DequantizeLinear', [q, s, z], {}, `${name}_DequantizeLinear`);
  };
  const weights = (name: string, shape: number[], scales: number[], axis: number) => {
    const w = b.initializer(`${name}.weight_quantized`, ints('int8', shape, randomInts(rng, shapeSize(shape), -127, 127)));
    const s = b.initializer(`${name}.weight_scale`, f32(scales));
    const z = b.initializer(`${name}.weight_zero_point`, ints('int8', [scales.length], scales.map(() => 0)));
    return b.op('DequantizeLinear', [w, s, z], scales.length > 1 ? { axis: attr.int(axis) } : {}, `${name}.weight_DequantizeLinear`);
  };
  const xScale = 0.0123;
  let x = quantize(b.input('input', 'float32', [1, 2, 6, 6]), xScale, -7, 'input');
  const wScales = [0.0031, 0.0047, 0.0029, 0.0052];
  const w = weights('conv', [4, 2, 3, 3], wScales, 0);
  let bias: string;
  if (o.floatBias) {
    bias = b.initializer('conv.bias', f32([0.05, -0.11, 0.2, 0.013]));
  } else {
    const q = b.initializer('conv.bias_quantized', ints('int32', [4], [1200, -3400, 250, 7]));
    const s = b.initializer('conv.bias_scale', f32(wScales.map((ws) => Math.fround(Math.fround(xScale) * Math.fround(ws)))));
    bias = b.op('DequantizeLinear', [q, s], { axis: attr.int(0) }, 'conv.bias_DequantizeLinear');
  }
  x = b.op('Conv', [x, w, bias], { kernel_shape: attr.ints([3, 3]), pads: attr.ints([1, 1, 1, 1]) }, 'conv');
  if (o.activation === 'relu') x = b.op('Relu', [x], {}, 'conv_relu');
  if (o.activation === 'clip') x = b.op('Clip', [x, b.initializer('clip.min', scalar('float32', 0)), b.initializer('clip.max', scalar('float32', 0.6))], {}, 'conv_clip');
  const convScale = 0.0094;
  const convZero = o.activation === 'relu' ? -100 : o.activation === 'clip' ? -90 : 3;
  x = quantize(x, convScale, convZero, 'conv_out');
  x = quantize(b.op('MaxPool', [x], { kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]) }, 'pool'), convScale, convZero, 'pool_out');
  x = quantize(b.op('Flatten', [x], { axis: attr.int(1) }, 'flatten'), convScale, convZero, 'flatten_out');
  const w2 = weights('fc', [3, 36], [0.0061, 0.0044, 0.0071], 0);
  x = b.op('Gemm', [x, w2], { transB: attr.int(1) }, 'fc');
  b.output(quantize(x, 0.021, 11, 'fc_out'));
  return b.build();
}

/** The same kind of network in the QOperator form: Q → QLinearConv → MaxPool → Flatten → QLinearMatMul → DQ, in uint8 or int8. */
export function qlinearCnn(act: 'uint8' | 'int8' = 'uint8', seed = 9): Graph {
  const rng = new Random(seed);
  const shift = act === 'uint8' ? 128 : 0;
  const b = new GraphBuilder('qlinear_cnn');
  const c = (name: string, t: Tensor) => b.initializer(name, t);
  const zero = (name: string, v: number) => c(name, scalar(act, v + shift));
  let x = b.op('QuantizeLinear', [b.input('input', 'float32', [1, 2, 6, 6]), c('x.scale', scalar('float32', 0.0123)), zero('x.zero', -7)], {}, 'input_quantize');
  x = b.op(
    'QLinearConv',
    [x, 'x.scale', 'x.zero', c('conv.w', ints('int8', [4, 2, 3, 3], randomInts(rng, 72, -127, 127))), c('conv.w_scale', f32([0.0031, 0.0047, 0.0029, 0.0052])),
      c('conv.w_zero', ints('int8', [4], [0, 0, 0, 0])), c('conv.y_scale', scalar('float32', 0.0094)), zero('conv.y_zero', 3), c('conv.bias', ints('int32', [4], [1200, -3400, 250, 7]))],
    { kernel_shape: attr.ints([3, 3]), pads: attr.ints([1, 1, 1, 1]) },
    'conv',
  );
  x = b.op('MaxPool', [x], { kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]) }, 'pool');
  x = b.op('Flatten', [x], { axis: attr.int(1) }, 'flatten');
  x = b.op(
    'QLinearMatMul',
    [x, 'conv.y_scale', 'conv.y_zero', c('fc.b', ints('int8', [36, 3], randomInts(rng, 108, -127, 127))), c('fc.b_scale', f32([0.0061, 0.0044, 0.0071])),
      c('fc.b_zero', ints('int8', [3], [0, 0, 0])), c('fc.y_scale', scalar('float32', 0.021)), zero('fc.y_zero', 11)],
    {},
    'fc',
  );
  b.output(b.op('DequantizeLinear', [x, 'fc.y_scale', 'fc.y_zero'], {}, 'output'));
  return b.build();
}
