// Small reference architectures with seeded random weights: for tests, benches and the examples.

import { attr, GraphBuilder } from '../ir/builder.js';
import type { Graph } from '../ir/graph.js';
import { shapeSize, Tensor } from '../ir/tensor.js';
import { Random } from '../util/random.js';

/** He-normal weights for a layer with `fanIn` inputs. */
function heWeights(rng: Random, shape: number[], fanIn: number): Tensor {
  const std = Math.sqrt(2 / fanIn);
  return Tensor.fromNumbers('float32', shape, Array.from({ length: shapeSize(shape) }, () => rng.normal() * std));
}

function smallValues(rng: Random, shape: number[], scale = 0.1): Tensor {
  return Tensor.fromNumbers('float32', shape, Array.from({ length: shapeSize(shape) }, () => rng.uniform(-scale, scale)));
}

function dense(b: GraphBuilder, rng: Random, x: string, name: string, inputs: number, outputs: number): string {
  const w = b.initializer(`${name}.weight`, heWeights(rng, [outputs, inputs], inputs));
  const bias = b.initializer(`${name}.bias`, smallValues(rng, [outputs]));
  return b.op('Gemm', [x, w, bias], { transB: attr.int(1) }, name);
}

function conv(b: GraphBuilder, rng: Random, x: string, name: string, cin: number, cout: number, k: number, pad: number): string {
  const w = b.initializer(`${name}.weight`, heWeights(rng, [cout, cin, k, k], cin * k * k));
  const bias = b.initializer(`${name}.bias`, smallValues(rng, [cout]));
  return b.op('Conv', [x, w, bias], { kernel_shape: attr.ints([k, k]), pads: attr.ints([pad, pad, pad, pad]) }, name);
}

function batchNorm(b: GraphBuilder, rng: Random, x: string, name: string, channels: number): string {
  const scale = b.initializer(`${name}.scale`, Tensor.fromNumbers('float32', [channels], Array.from({ length: channels }, () => rng.uniform(0.5, 1.5))));
  const bias = b.initializer(`${name}.bias`, smallValues(rng, [channels]));
  const mean = b.initializer(`${name}.mean`, smallValues(rng, [channels]));
  const variance = b.initializer(`${name}.var`, Tensor.fromNumbers('float32', [channels], Array.from({ length: channels }, () => rng.uniform(0.5, 2))));
  return b.op('BatchNormalization', [x, scale, bias, mean, variance], { epsilon: attr.float(1e-5) }, name);
}

/** 64-64-32-10 MLP for the 8x8 digits. */
export function digitsMlp(seed = 1): Graph {
  const rng = new Random(seed);
  const b = new GraphBuilder('digits_mlp');
  let x = b.input('input', 'float32', [1, 64]);
  x = b.op('Relu', [dense(b, rng, x, 'fc1', 64, 64)]);
  x = b.op('Relu', [dense(b, rng, x, 'fc2', 64, 32)]);
  b.output(b.op('Softmax', [dense(b, rng, x, 'fc3', 32, 10)], { axis: attr.int(-1) }, 'probabilities'));
  return b.build();
}

/**
 * The classic MNIST-like CNN of the MCU benchmarks: 28x28x1 → Conv 5x5 1→8 pad 2, ReLU, MaxPool 2 →
 * Conv 5x5 8→16 pad 2, ReLU, MaxPool 3 → dense 256→10 (~787k MACs).
 */
export function mnistLikeCnn(seed = 2, options: { relu?: boolean } = {}): Graph {
  const rng = new Random(seed);
  const b = new GraphBuilder('mnist_like_cnn');
  /* Without the ReLUs (relu: false) no activation is zero: the soft-float worst case of the same layers. */
  const relu = (y: string): string => (options.relu === false ? y : b.op('Relu', [y]));
  let x = b.input('input', 'float32', [1, 1, 28, 28]);
  x = relu(conv(b, rng, x, 'conv1', 1, 8, 5, 2));
  x = b.op('MaxPool', [x], { kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]) }, 'pool1');
  x = relu(conv(b, rng, x, 'conv2', 8, 16, 5, 2));
  x = b.op('MaxPool', [x], { kernel_shape: attr.ints([3, 3]), strides: attr.ints([3, 3]) }, 'pool2');
  x = b.op('Flatten', [x], { axis: attr.int(1) }, 'flatten');
  b.output(dense(b, rng, x, 'fc', 256, 10));
  return b.build();
}

/**
 * The same layers as `mnistLikeCnn`, written as CNTK exported the ONNX model zoo's mnist-8 (and older Keras and TF
 * exporters write it): Conv without a bias, then a constant per-channel Add of shape [C,1,1], then Relu; the dense
 * layer as MatMul then Add of shape [1,10].
 */
export function mnistCntkStyleCnn(seed = 2): Graph {
  const rng = new Random(seed);
  const b = new GraphBuilder('mnist_cntk_style_cnn');
  const convAdd = (x: string, name: string, cin: number, cout: number): string => {
    const w = b.initializer(`${name}.weight`, heWeights(rng, [cout, cin, 5, 5], cin * 25));
    const y = b.op('Conv', [x, w], { kernel_shape: attr.ints([5, 5]), auto_pad: attr.string('SAME_UPPER') }, name);
    return b.op('Add', [y, b.initializer(`${name}.plus`, smallValues(rng, [cout, 1, 1]))], {}, `${name}_plus`);
  };
  let x = b.input('input', 'float32', [1, 1, 28, 28]);
  x = b.op('Relu', [convAdd(x, 'conv1', 1, 8)]);
  x = b.op('MaxPool', [x], { kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]) }, 'pool1');
  x = b.op('Relu', [convAdd(x, 'conv2', 8, 16)]);
  x = b.op('MaxPool', [x], { kernel_shape: attr.ints([3, 3]), strides: attr.ints([3, 3]) }, 'pool2');
  x = b.op('Reshape', [x, b.initializer('flat_shape', Tensor.fromNumbers('int64', [2], [1, 256]))], {}, 'flatten');
  x = b.op('MatMul', [x, b.initializer('fc.weight', heWeights(rng, [256, 10], 256))], {}, 'fc');
  b.output(b.op('Add', [x, b.initializer('fc.plus', smallValues(rng, [1, 10]))], {}, 'fc_plus'));
  return b.build();
}

/** A CNN with BatchNorm, pooling and a residual Add, on 8x8 digits. */
export function residualCnn(seed = 3): Graph {
  const rng = new Random(seed);
  const b = new GraphBuilder('digits_residual_cnn');
  let x = b.input('input', 'float32', [1, 1, 8, 8]);
  x = b.op('Relu', [batchNorm(b, rng, conv(b, rng, x, 'conv1', 1, 8, 3, 1), 'bn1', 8)]);
  const skip = x;
  x = b.op('Relu', [batchNorm(b, rng, conv(b, rng, x, 'conv2', 8, 8, 3, 1), 'bn2', 8)]);
  x = batchNorm(b, rng, conv(b, rng, x, 'conv3', 8, 8, 3, 1), 'bn3', 8);
  x = b.op('Relu', [b.op('Add', [x, skip], {}, 'residual')]);
  x = b.op('MaxPool', [x], { kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]) }, 'pool');
  x = b.op('AveragePool', [x], { kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]) }, 'avgpool');
  x = b.op('Flatten', [x], {}, 'flatten');
  b.output(dense(b, rng, x, 'fc', 32, 10));
  return b.build();
}
