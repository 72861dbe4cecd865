// Small int8 models built directly in edgeprune's int8 ops (seeded random int8 weights, scales of the size a calibration
// gives), for the QDQ round-trip tests and the onnxruntime agreement bench; no quantizer involved.

import { attr, GraphBuilder } from '../ir/builder.js';
import type { Graph } from '../ir/graph.js';
import { Tensor } from '../ir/tensor.js';
import { EDGEPRUNE_DOMAIN } from '../ops/util/int8-params.js';
import { Random } from '../util/random.js';

export interface Int8SampleOptions {
  /**
   * Round every scale to a power of two (as some quantizers do for shift-only hardware): requantization then often
   * lands exactly on a half, where rounding rules differ (edgeprune half up, onnxruntime half to even).
   */
  powerOfTwoScales?: boolean;
}

/** The scale as the options want it (float32). */
const scaleOf = (s: number, o: Int8SampleOptions) => Math.fround(o.powerOfTwoScales ? 2 ** Math.round(Math.log2(s)) : s);

/** Standard deviation of the centred int8 activations (x − x_zero_point) the next layer sees, roughly. */
const ACTIVATION_SPREAD = 45;
/** Standard deviation of the random int8 weights. */
const WEIGHT_SPREAD = 40;

interface LayerShape {
  name: string;
  /** Weight shape, output channels first. */
  weight: number[];
  /** Taps per output (fan-in). */
  taps: number;
  /** The activation's clamp: 'relu' (act_min = zero point), 'relu6' (also a top below 127) or 'none'. */
  activation: 'relu' | 'relu6' | 'none';
}

/**
 * One int8 layer with seeded weights and realistic scales: weights ~ N(0, 40) in [-127, 127], per-channel w_scale in
 * [0.002, 0.01) (never a power of two), and y_scale set so that ±4 standard deviations of the real output fill the
 * int8 range (half of it for a ReLU output, whose zero point is then -128).
 */
function addLayer(b: GraphBuilder, rng: Random, o: Int8SampleOptions, x: string, xScale: number, xZero: number, shape: LayerShape, opType: 'Int8Conv' | 'Int8Gemm', attrs = {}) {
  const M = shape.weight[0];
  const size = shape.weight.reduce((a, d) => a * d, 1);
  const w = Array.from({ length: size }, () => Math.max(-127, Math.min(127, Math.round(rng.normal() * WEIGHT_SPREAD))));
  const wScale = Array.from({ length: M }, () => scaleOf(rng.uniform(0.002, 0.01), o));
  const accSpread = Math.sqrt(shape.taps) * ACTIVATION_SPREAD * WEIGHT_SPREAD;
  const realSpread = accSpread * xScale * (wScale.reduce((a, s) => a + s, 0) / M);
  const clamped = shape.activation !== 'none';
  const yScale = scaleOf((4 * realSpread) / (clamped ? 255 : 127), o);
  const yZero = clamped ? -128 : Math.round(rng.uniform(-10, 10));
  const bias = Array.from({ length: M }, () => Math.round(rng.normal() * accSpread * 0.25));
  const name = shape.name;
  const inputs = [
    x,
    b.initializer(`${name}.x_scale`, Tensor.fromNumbers('float32', [1], [xScale])),
    b.initializer(`${name}.x_zero_point`, Tensor.fromNumbers('int8', [1], [xZero])),
    b.initializer(`${name}.weight`, Tensor.fromNumbers('int8', shape.weight, w)),
    b.initializer(`${name}.w_scale`, Tensor.fromNumbers('float32', [M], wScale)),
    b.initializer(`${name}.y_scale`, Tensor.fromNumbers('float32', [1], [yScale])),
    b.initializer(`${name}.y_zero_point`, Tensor.fromNumbers('int8', [1], [yZero])),
    b.initializer(`${name}.bias`, Tensor.fromNumbers('int32', [M], bias)),
  ];
  const clamp = shape.activation === 'none' ? {} : { act_min: attr.int(yZero), ...(shape.activation === 'relu6' ? { act_max: attr.int(100) } : {}) };
  const [y] = b.node(opType, inputs, { ...attrs, ...clamp }, { name, domain: EDGEPRUNE_DOMAIN });
  return { y, scale: yScale, zero: yZero };
}

/**
 * The MNIST-like CNN of the MCU benchmarks in int8: float input 1x1x28x28 in [0, 1] → QuantizeLinear (scale 1/255, zero
 * point -128) → Int8Conv 5x5 1→8 pad 2, ReLU → MaxPool 2 → Int8Conv 5x5 8→16 pad 2, clamp [zero point, 100] (a
 * ReLU6-like top) → MaxPool 3 → Flatten → Int8Gemm 256→10 → DequantizeLinear → float logits.
 */
export function int8MnistLikeCnn(seed = 4, o: Int8SampleOptions = {}): Graph {
  const rng = new Random(seed);
  const b = new GraphBuilder('int8_mnist_like_cnn');
  const input = b.input('input', 'float32', [1, 1, 28, 28]);
  const inputScale = scaleOf(1 / 255, o);
  const inScale = b.initializer('input.scale', Tensor.fromNumbers('float32', [1], [inputScale]));
  const inZero = b.initializer('input.zero_point', Tensor.fromNumbers('int8', [1], [-128]));
  let x = b.op('QuantizeLinear', [input, inScale, inZero], {}, 'input_quantize');
  const conv = (k: number, pad: number) => ({ kernel_shape: attr.ints([k, k]), pads: attr.ints([pad, pad, pad, pad]) });
  const pool = (k: number) => ({ kernel_shape: attr.ints([k, k]), strides: attr.ints([k, k]) });
  let layer = addLayer(b, rng, o, x, inputScale, -128, { name: 'conv1', weight: [8, 1, 5, 5], taps: 25, activation: 'relu' }, 'Int8Conv', conv(5, 2));
  x = b.op('MaxPool', [layer.y], pool(2), 'pool1');
  layer = addLayer(b, rng, o, x, layer.scale, layer.zero, { name: 'conv2', weight: [16, 8, 5, 5], taps: 200, activation: 'relu6' }, 'Int8Conv', conv(5, 2));
  x = b.op('MaxPool', [layer.y], pool(3), 'pool2');
  x = b.op('Flatten', [x], { axis: attr.int(1) }, 'flatten');
  layer = addLayer(b, rng, o, x, layer.scale, layer.zero, { name: 'fc', weight: [10, 256], taps: 256, activation: 'none' }, 'Int8Gemm');
  const outScale = b.initializer('fc.output_scale', Tensor.fromNumbers('float32', [1], [layer.scale]));
  const outZero = b.initializer('fc.output_zero_point', Tensor.fromNumbers('int8', [1], [layer.zero]));
  b.output(b.op('DequantizeLinear', [layer.y, outScale, outZero], {}, 'logits'));
  return b.build();
}

/** An int8 MLP for the 8x8 digits: 64 → Int8Gemm 32 (ReLU) → Int8Gemm 10, float in and out. */
export function int8DigitsMlp(seed = 5, o: Int8SampleOptions = {}): Graph {
  const rng = new Random(seed);
  const b = new GraphBuilder('int8_digits_mlp');
  const input = b.input('input', 'float32', [1, 64]);
  const inputScale = scaleOf(16 / 255, o);
  const inScale = b.initializer('input.scale', Tensor.fromNumbers('float32', [1], [inputScale]));
  const inZero = b.initializer('input.zero_point', Tensor.fromNumbers('int8', [1], [-128]));
  const x = b.op('QuantizeLinear', [input, inScale, inZero], {}, 'input_quantize');
  const h = addLayer(b, rng, o, x, inputScale, -128, { name: 'fc1', weight: [32, 64], taps: 64, activation: 'relu' }, 'Int8Gemm');
  const y = addLayer(b, rng, o, h.y, h.scale, h.zero, { name: 'fc2', weight: [10, 32], taps: 32, activation: 'none' }, 'Int8Gemm');
  const outScale = b.initializer('fc2.output_scale', Tensor.fromNumbers('float32', [1], [y.scale]));
  const outZero = b.initializer('fc2.output_zero_point', Tensor.fromNumbers('int8', [1], [y.zero]));
  b.output(b.op('DequantizeLinear', [y.y, outScale, outZero], {}, 'logits'));
  return b.build();
}
