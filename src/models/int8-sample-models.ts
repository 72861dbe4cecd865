// Quantized reference graphs (int8 ops of domain ai.edgeprune, seeded random int8 weights, plausible scales): for the
// int8 C backend's tests and benches, before any model is quantized from data.

import { attr, GraphBuilder } from '../ir/builder.js';
import type { AttrValue, Graph } from '../ir/graph.js';
import { Tensor } from '../ir/tensor.js';
import { EDGEPRUNE_DOMAIN } from '../ops/util/int8-params.js';
import { Random } from '../util/random.js';

/** An int8 value in the graph being built, with its scale and zero point. */
export interface QuantizedValue {
  name: string;
  scale: number;
  zeroPoint: number;
  /** The spread of (value − zero point) in int8 steps that the next layer's scales are chosen for. */
  spread: number;
}

const f32 = (values: number[]) => Tensor.fromNumbers('float32', [values.length], values.map(Math.fround));
const s8 = (value: number) => Tensor.fromNumbers('int8', [], [value]);

/** Builds int8 layers on a GraphBuilder: every constant named `<layer>.<role>`. */
export class Int8GraphBuilder {
  constructor(readonly b: GraphBuilder, private readonly rng: Random) {}

  /** QuantizeLinear of a float input: values in [lo, hi] map onto the int8 range. */
  quantize(x: string, name: string, lo: number, hi: number): QuantizedValue {
    const scale = Math.fround((hi - lo) / 255);
    const zeroPoint = Math.max(-128, Math.min(127, Math.round(-128 - lo / scale)));
    const out = this.b.op('QuantizeLinear', [x, this.b.initializer(`${name}.scale`, f32([scale])), this.b.initializer(`${name}.zero_point`, s8(zeroPoint))], {}, name);
    return { name: out, scale, zeroPoint, spread: 74 };
  }

  /** DequantizeLinear back to float; `output` names its value (default `<name>_out`). */
  dequantize(x: QuantizedValue, name: string, output?: string): string {
    const inputs = [x.name, this.b.initializer(`${name}.scale`, f32([x.scale])), this.b.initializer(`${name}.zero_point`, s8(x.zeroPoint))];
    return this.b.node('DequantizeLinear', inputs, {}, { name, outputs: output === undefined ? 1 : [output] })[0];
  }

  /**
   * The parameters of an int8 layer with `outputs` rows of `taps` weights: random weights in [-127, 127], a weight scale
   * per row, an int32 bias, and an output scale that spreads a typical accumulator over the int8 range (ReLU: zero
   * point -128 and act_min -128, the real zero).
   */
  private layer(x: QuantizedValue, name: string, weightShape: number[], relu: boolean) {
    const [outputs] = weightShape;
    const taps = weightShape.slice(1).reduce((p, d) => p * d, 1);
    const w = Array.from({ length: outputs * taps }, () => Math.round(this.rng.uniform(-127, 127)));
    const wScale = Array.from({ length: outputs }, () => Math.fround(this.rng.uniform(0.002, 0.02)));
    const accStd = Array.from({ length: outputs }, (_, m) => x.spread * Math.sqrt(w.slice(m * taps, (m + 1) * taps).reduce((s, v) => s + v * v, 0)));
    const realStd = Math.max(...accStd.map((a, m) => a * x.scale * wScale[m]));
    const yScale = Math.fround((3 * realStd) / (relu ? 255 : 127));
    const yZero = relu ? -128 : 0;
    const bias = accStd.map((a) => Math.round(this.rng.normal() * 0.2 * a));
    const b = this.b;
    const inputs = [
      x.name, b.initializer(`${name}.x_scale`, f32([x.scale])), b.initializer(`${name}.x_zero_point`, s8(x.zeroPoint)),
      b.initializer(`${name}.weight`, Tensor.fromNumbers('int8', weightShape, w)), b.initializer(`${name}.w_scale`, f32(wScale)),
      b.initializer(`${name}.y_scale`, f32([yScale])), b.initializer(`${name}.y_zero_point`, s8(yZero)),
      b.initializer(`${name}.bias`, Tensor.fromNumbers('int32', [outputs], bias)),
    ];
    const clamp: Record<string, AttrValue> = relu ? { act_min: attr.int(-128), act_max: attr.int(127) } : {};
    return { inputs, clamp, out: (value: string): QuantizedValue => ({ name: value, scale: yScale, zeroPoint: yZero, spread: relu ? 50 : 42 }) };
  }

  conv(x: QuantizedValue, name: string, cin: number, cout: number, k: number, pad: number, relu: boolean): QuantizedValue {
    const l = this.layer(x, name, [cout, cin, k, k], relu);
    const attrs = { kernel_shape: attr.ints([k, k]), pads: attr.ints([pad, pad, pad, pad]), ...l.clamp };
    return l.out(this.b.node('Int8Conv', l.inputs, attrs, { name, domain: EDGEPRUNE_DOMAIN })[0]);
  }

  gemm(x: QuantizedValue, name: string, inputs: number, outputs: number, relu: boolean): QuantizedValue {
    const l = this.layer(x, name, [outputs, inputs], relu);
    return l.out(this.b.node('Int8Gemm', l.inputs, l.clamp, { name, domain: EDGEPRUNE_DOMAIN })[0]);
  }

  /** MaxPool, Flatten, ...: int8 in, int8 out with the same scale and zero point. */
  passThrough(x: QuantizedValue, op: string, name: string, attrs: Record<string, AttrValue> = {}): QuantizedValue {
    return { ...x, name: this.b.op(op, [x.name], attrs, name) };
  }
}

/** The names an int8 sample model gives its graph, input, output and layers (the hostile-name tests change them). */
export interface Int8ModelNames {
  graph: string;
  input: string;
  output: string;
  /** Prefix of every node and constant name. */
  layer: string;
}

const PLAIN: Int8ModelNames = { graph: 'int8_pool', input: 'input', output: 'output', layer: '' };

/**
 * The smallest quantized pipeline, with no int8 arithmetic kernel: 8x8 float input → QuantizeLinear → MaxPool 2x2 →
 * Flatten → DequantizeLinear → 16 floats.
 */
export function int8PoolModel(names: Int8ModelNames = PLAIN): Graph {
  const b = new GraphBuilder(names.graph);
  const q = new Int8GraphBuilder(b, new Random(1));
  let x = q.quantize(b.input(names.input, 'float32', [1, 1, 8, 8]), `${names.layer}quantize`, -1, 1);
  x = q.passThrough(x, 'MaxPool', `${names.layer}pool`, { kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]) });
  x = q.passThrough(x, 'Flatten', `${names.layer}flatten`, { axis: attr.int(1) });
  b.output(q.dequantize(x, `${names.layer}dequantize`, names.output));
  return b.build();
}

/**
 * The MNIST-like CNN of src/models/sample-models.ts (786,560 MACs) in int8: QuantizeLinear → Int8Conv 5x5 1→8 pad 2
 * (ReLU clamp) → MaxPool 2 → Int8Conv 5x5 8→16 pad 2 (ReLU) → MaxPool 3 → Flatten → Int8Gemm 256→10 → DequantizeLinear.
 */
export function int8MnistLikeCnn(seed = 2): Graph {
  const b = new GraphBuilder('int8_mnist_like_cnn');
  const q = new Int8GraphBuilder(b, new Random(seed));
  let x = q.quantize(b.input('input', 'float32', [1, 1, 28, 28]), 'quantize', -1, 1);
  x = q.conv(x, 'conv1', 1, 8, 5, 2, true);
  x = q.passThrough(x, 'MaxPool', 'pool1', { kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]) });
  x = q.conv(x, 'conv2', 8, 16, 5, 2, true);
  x = q.passThrough(x, 'MaxPool', 'pool2', { kernel_shape: attr.ints([3, 3]), strides: attr.ints([3, 3]) });
  x = q.passThrough(x, 'Flatten', 'flatten', { axis: attr.int(1) });
  x = q.gemm(x, 'fc', 256, 10, false);
  b.output(q.dequantize(x, 'dequantize'));
  return b.build();
}
