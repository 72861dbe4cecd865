// Small int8 graphs for the C backend's tests (the quantized sample models are in src/models/int8-sample-models.ts).
import onnxProto from 'onnx-proto';
import { attr, GraphBuilder } from '../../src/ir/builder.js';
import { exportOnnx } from '../../src/onnx/export.js';
import type { Graph } from '../../src/ir/graph.js';
import { Tensor } from '../../src/ir/tensor.js';
import { EDGEPRUNE_DOMAIN } from '../../src/ops/util/int8-params.js';
import { Random } from '../../src/util/random.js';
import type { ModelNames } from './hostile-names.js';

/** int8 in and out, no arithmetic: Transpose, Concat with an int8 constant, Flatten (a view). */
export function int8MovesModel(): Graph {
  const b = new GraphBuilder('int8_moves');
  const x = b.input('x', 'int8', [1, 2, 3, 5]);
  const t = b.op('Transpose', [x], { perm: attr.ints([0, 2, 3, 1]) }, 'transpose');
  const extra = b.initializer('extra', Tensor.fromNumbers('int8', [1, 3, 5, 1], Array.from({ length: 15 }, (_, i) => i * 17 - 128)));
  const c = b.op('Concat', [t, extra], { axis: attr.int(3) }, 'concat');
  b.output(b.op('Flatten', [c], {}, 'flatten'));
  return b.build();
}

/**
 * An int8 model carrying the names of `names` (hostile or plain): QuantizeLinear → MaxPool → Flatten → Int8Gemm 16→8
 * (ReLU clamp) → DequantizeLinear, float in and out. Node i is named after layer i (`node_<i>` for an empty name),
 * constant k `<k>:<layer k>` and intermediate value i `v<i>:<layer i>` (layer names taken in turn).
 */
export function int8CorpusModel(names: ModelNames): Graph {
  const b = new GraphBuilder(names.graph);
  const layers = names.layers;
  const layer = (i: number) => layers[i % layers.length];
  let constants = 0;
  const constant = (t: Tensor) => b.initializer(`${constants}:${layer(constants++)}`, t);
  const nodeName = (i: number) => layer(i) || `node_${i}`;
  const scalar = (v: number) => constant(Tensor.fromNumbers('float32', [1], [v]));
  const zero = (v: number) => constant(Tensor.fromNumbers('int8', [1], [v]));
  const rng = new Random(11);
  let x = b.input(names.input, 'float32', [1, 1, 8, 8]);
  x = b.node('QuantizeLinear', [x, scalar(1 / 128), zero(-2)], {}, { name: nodeName(0), outputs: [`v0:${layer(0)}`] })[0];
  x = b.node('MaxPool', [x], { kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]) }, { name: nodeName(1), outputs: [`v1:${layer(1)}`] })[0];
  x = b.node('Flatten', [x], {}, { name: nodeName(2), outputs: [`v2:${layer(2)}`] })[0];
  const w = Tensor.fromNumbers('int8', [8, 16], Array.from({ length: 128 }, () => rng.int(255) - 127));
  const wScale = Tensor.fromNumbers('float32', [8], Array.from({ length: 8 }, () => rng.uniform(0.002, 0.01)));
  const bias = Tensor.fromNumbers('int32', [8], Array.from({ length: 8 }, () => rng.int(2001) - 1000));
  const inputs = [x, scalar(1 / 128), zero(-2), constant(w), constant(wScale), scalar(0.05), zero(-128), constant(bias)];
  x = b.node('Int8Gemm', inputs, { act_min: attr.int(-128) }, { name: nodeName(3), outputs: [`v3:${layer(3)}`], domain: EDGEPRUNE_DOMAIN })[0];
  b.output(b.node('DequantizeLinear', [x, scalar(0.05), zero(-128)], {}, { name: nodeName(4), outputs: [names.output] })[0]);
  const g = b.build();
  g.meta.producer = names.producer;
  return g;
}

/** The int8 corpus model as an ONNX file's bytes, with the producer name too (the exporter writes its own). */
export function int8CorpusModelFile(names: ModelNames): Uint8Array {
  const { onnx } = onnxProto;
  const model = onnx.ModelProto.decode(exportOnnx(int8CorpusModel(names)));
  model.producerName = names.producer;
  return onnx.ModelProto.encode(model).finish();
}

/**
 * The smallest quantized pipeline, with no int8 arithmetic kernel: 8x8 float input → QuantizeLinear (scale 1/64, zero
 * point -3) → MaxPool 2x2 → Flatten → DequantizeLinear → 16 floats.
 */
export function int8PoolModel(): Graph {
  const b = new GraphBuilder('int8_pool');
  const scale = () => Tensor.fromNumbers('float32', [1], [1 / 64]);
  const zero = () => Tensor.fromNumbers('int8', [1], [-3]);
  let x = b.op('QuantizeLinear', [b.input('input', 'float32', [1, 1, 8, 8]), b.initializer('quantize.scale', scale()), b.initializer('quantize.zero_point', zero())], {}, 'quantize');
  x = b.op('MaxPool', [x], { kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]) }, 'pool');
  x = b.op('Flatten', [x], { axis: attr.int(1) }, 'flatten');
  b.output(b.node('DequantizeLinear', [x, b.initializer('dequantize.scale', scale()), b.initializer('dequantize.zero_point', zero())], {}, { name: 'dequantize', outputs: ['output'] })[0]);
  return b.build();
}

/**
 * One Int8Add of two int8 tensors of `shape` (scales 0.02 and 0.03, zero points −4 and 9) to an output of scale
 * `yScale`, zero point 2: with 0.06 / (2^20 · yScale) ≥ 1/4 (yScale ≤ about 2.3e-7) its output requantization shift is
 * below 33, outside ep__rq_apply's fast form; at usual scales it is inside.
 */
export function int8AddModel(shape: number[], yScale: number): Graph {
  const b = new GraphBuilder('add_s8');
  const f32 = (name: string, v: number) => b.initializer(name, Tensor.fromNumbers('float32', [1], [v]));
  const s8 = (name: string, v: number) => b.initializer(name, Tensor.fromNumbers('int8', [1], [v]));
  const a = b.input('a', 'int8', shape);
  const c = b.input('b', 'int8', shape);
  const [y] = b.node('Int8Add', [a, f32('a_scale', 0.02), s8('a_zero_point', -4), c, f32('b_scale', 0.03), s8('b_zero_point', 9), f32('y_scale', yScale), s8('y_zero_point', 2)], {}, { name: 'add', domain: EDGEPRUNE_DOMAIN });
  b.output(y);
  return b.build();
}

/**
 * One Int8Gemm 16 → 96 (x scale 0.02, zero point −5; weights scale 0.03; output zero point 3, clamp [−20, 100]) to an
 * output of scale `yScale`: at 0.001 its real multiplier 0.6 gives requantization shift 32, outside ep__rq_apply's
 * fast form; at 0.01 (0.06) shift 36, inside.
 */
export function int8DenseModel(yScale: number): Graph {
  const b = new GraphBuilder('dense_s8');
  const x = b.input('x', 'int8', [1, 16]);
  const w = Array.from({ length: 96 * 16 }, (_, i) => ((i * 37) % 255) - 127);
  const f32 = (v: number) => Tensor.fromNumbers('float32', [1], [v]);
  const s8 = (v: number) => Tensor.fromNumbers('int8', [1], [v]);
  const [y] = b.node('Int8Gemm', [
    x, b.initializer('x_scale', f32(0.02)), b.initializer('x_zero_point', s8(-5)), b.initializer('w', Tensor.fromNumbers('int8', [96, 16], w)),
    b.initializer('w_scale', f32(0.03)), b.initializer('y_scale', f32(yScale)), b.initializer('y_zero_point', s8(3)),
  ], { act_min: attr.int(-20), act_max: attr.int(100) }, { name: 'layer', domain: EDGEPRUNE_DOMAIN });
  b.output(y);
  return b.build();
}

/**
 * One Int8AveragePool 2 × 2, stride 1, padding 1 on [1, 4, 6, 6] (x scale 0.05, zero point 7; output zero point −3) to
 * an output of scale `yScale`: at 0.05 a whole window's multiplier 1/4 gives shift 32, outside ep__rq_apply's fast form
 * (the clipped windows take the exact rule anyway); at 0.2 (1/16) shift 34, inside.
 */
export function int8AveragePoolModel(yScale: number): Graph {
  const b = new GraphBuilder('avgpool_s8');
  const x = b.input('x', 'int8', [1, 4, 6, 6]);
  const f32 = (name: string, v: number) => b.initializer(name, Tensor.fromNumbers('float32', [1], [v]));
  const s8 = (name: string, v: number) => b.initializer(name, Tensor.fromNumbers('int8', [1], [v]));
  const [y] = b.node('Int8AveragePool', [x, f32('x_scale', 0.05), s8('x_zero_point', 7), f32('y_scale', yScale), s8('y_zero_point', -3)], {
    kernel_shape: attr.ints([2, 2]), pads: attr.ints([1, 1, 1, 1]), count_include_pad: attr.int(0),
  }, { name: 'pool', domain: EDGEPRUNE_DOMAIN });
  b.output(y);
  return b.build();
}
