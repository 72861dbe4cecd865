// The image architectures of `train --arch`: mnist-cnn (the ONNX model zoo's mnist-8 layout) and ds-cnn (depthwise-separable, MLPerf Tiny style).

import { UserError } from '../errors.js';
import { attr, GraphBuilder } from '../ir/builder.js';
import type { Graph } from '../ir/graph.js';
import { Random } from '../util/random.js';
import { conv, dense, normalizeInput, sameSize, type InputStatistics } from './layers.js';

export interface ImageNetOptions {
  /** One sample: [C, H, W]. */
  image: [number, number, number];
  classes: number;
  normalize?: InputStatistics;
  seed: number;
}

const pool = (b: GraphBuilder, x: string, name: string, k: number) => b.op('MaxPool', [x], { kernel_shape: attr.ints([k, k]), strides: attr.ints([k, k]) }, name);

/**
 * mnist-8's layout for any image of at least 6x6: conv 5x5 8 'same' → ReLU → max pool 2x2 → conv 5x5 16 'same' → ReLU →
 * max pool 3x3 stride 3 → dense. On 28x28x1 with 10 classes: 786,560 MACs and 5,994 parameters, as mnist-8.
 */
export function buildMnistCnn(o: ImageNetOptions): Graph {
  const [C, H, W] = o.image;
  if (H < 6 || W < 6) throw new UserError(`mnist-cnn needs images of at least 6x6 (a 2x2 then a 3x3 pool); these are ${H}x${W}`, 'use --arch cnn or --arch ds-cnn');
  const rng = new Random(o.seed);
  const b = new GraphBuilder('mnist_cnn');
  let x = b.input('input', 'float32', [1, C, H, W]);
  if (o.normalize) x = normalizeInput(b, x, o.normalize);
  x = b.op('Relu', [conv(b, rng, x, 'conv1', [H, W], { cin: C, cout: 8, kernel: 5 })], {}, 'relu1');
  x = pool(b, x, 'pool1', 2);
  const [h1, w1] = [Math.floor(H / 2), Math.floor(W / 2)];
  x = b.op('Relu', [conv(b, rng, x, 'conv2', [h1, w1], { cin: 8, cout: 16, kernel: 5 })], {}, 'relu2');
  x = pool(b, x, 'pool2', 3);
  x = b.op('Flatten', [x], { axis: attr.int(1) }, 'flatten');
  b.output(dense(b, rng, x, 'logits', 16 * Math.floor(h1 / 3) * Math.floor(w1 / 3), o.classes));
  return b.build();
}

/** The DS-CNN's depthwise-separable blocks: output channels and stride of each. */
export const DS_CNN_BLOCKS: readonly { channels: number; stride: number }[] = [
  { channels: 64, stride: 1 },
  { channels: 64, stride: 2 },
  { channels: 64, stride: 1 },
];
const DS_CNN_STEM = 32;

/**
 * A DS-CNN like MLPerf Tiny's keyword-spotting model, for any image size: conv 3x3 stride 2 (32) → ReLU, then
 * depthwise-separable blocks (depthwise 3x3 → ReLU → pointwise 1x1 → ReLU; no BatchNormalization, so nothing to
 * fold) of DS_CNN_BLOCKS, global average pooling, dense. On 28x28x1 with 10 classes: 972,800 MACs, 13,002 parameters.
 */
export function buildDsCnn(o: ImageNetOptions): Graph {
  const [C, H, W] = o.image;
  const rng = new Random(o.seed);
  const b = new GraphBuilder('ds_cnn');
  let x = b.input('input', 'float32', [1, C, H, W]);
  if (o.normalize) x = normalizeInput(b, x, o.normalize);
  let size: [number, number] = [H, W];
  x = b.op('Relu', [conv(b, rng, x, 'conv1', size, { cin: C, cout: DS_CNN_STEM, kernel: 3, stride: 2 })], {}, 'relu1');
  size = sameSize(size, 2);
  let channels = DS_CNN_STEM;
  DS_CNN_BLOCKS.forEach((blk, i) => {
    const n = i + 1;
    x = b.op('Relu', [conv(b, rng, x, `dw${n}`, size, { cin: channels, cout: channels, kernel: 3, stride: blk.stride, depthwise: true })], {}, `dw${n}_relu`);
    size = sameSize(size, blk.stride);
    x = b.op('Relu', [conv(b, rng, x, `pw${n}`, size, { cin: channels, cout: blk.channels, kernel: 1 })], {}, `pw${n}_relu`);
    channels = blk.channels;
  });
  x = b.op('GlobalAveragePool', [x], {}, 'avgpool');
  x = b.op('Flatten', [x], { axis: attr.int(1) }, 'flatten');
  b.output(dense(b, rng, x, 'logits', channels, o.classes));
  return b.build();
}
