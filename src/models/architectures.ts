// The architectures `edgeprune train --arch` builds from a data set's shape: a small MLP, a small CNN, mnist-cnn and ds-cnn.

import { UserError } from '../errors.js';
import { attr, GraphBuilder } from '../ir/builder.js';
import type { Graph } from '../ir/graph.js';
import { shapeSize } from '../ir/tensor.js';
import { Random } from '../util/random.js';
import { buildDsCnn, buildMnistCnn } from './image-nets.js';
import { dense, he, normalizeInput, zeros, type InputStatistics } from './layers.js';

export type { InputStatistics } from './layers.js';

export const ARCHITECTURES = ['mlp', 'cnn', 'mnist-cnn', 'ds-cnn'] as const;
export type Architecture = (typeof ARCHITECTURES)[number];

/** Whether `arch` takes --hidden (its dense layers' sizes): the fixed image architectures do not. */
export const takesHidden = (arch: Architecture) => arch === 'mlp' || arch === 'cnn';

export interface ArchitectureOptions {
  /** Shape of one sample: [features] for an MLP; [C, H, W] (or a square [H·W]) for a CNN. */
  sampleShape: number[];
  classes: number;
  /** Hidden layer sizes of the MLP, or the CNN's dense layer(s). */
  hidden?: number[];
  /** Output channels of the CNN's two 3x3 convolutions. */
  channels?: [number, number];
  /** Standardize the raw inputs inside the model (the firmware then takes raw sensor values). */
  normalize?: InputStatistics;
  seed: number;
}

/** A multi-layer perceptron ending in logits: input [1, F]. */
export function buildMlp(o: ArchitectureOptions): Graph {
  const rng = new Random(o.seed);
  const features = shapeSize(o.sampleShape);
  const b = new GraphBuilder('mlp');
  let x = b.input('input', 'float32', [1, features]);
  if (o.normalize) x = normalizeInput(b, x, o.normalize);
  let width = features;
  (o.hidden ?? [64, 32]).forEach((h, i) => {
    x = b.op('Relu', [dense(b, rng, x, `fc${i + 1}`, width, h)], {}, `relu${i + 1}`);
    width = h;
  });
  b.output(dense(b, rng, x, 'logits', width, o.classes));
  return b.build();
}

/** The CNN's input [C, H, W]: a rank-3 sample as is, a flat square sample as one channel. */
export function imageShape(sample: number[]): [number, number, number] {
  if (sample.length === 3) return sample as [number, number, number];
  const n = shapeSize(sample);
  const side = Math.round(Math.sqrt(n));
  if (side * side !== n) throw new UserError(`a CNN needs image samples: ${n} features per sample is neither C x H x W nor a square`, 'give the data as C x H x W (e.g. .npy of shape (N, 1, 8, 8))');
  return [1, side, side];
}

/** Two 3x3 convolutions with ReLU, a 2x2 max pool, then dense layers ending in logits: input [1, C, H, W]. */
export function buildCnn(o: ArchitectureOptions): Graph {
  const rng = new Random(o.seed);
  const [C, H, W] = imageShape(o.sampleShape);
  if (H < 2 || W < 2) throw new UserError(`images of ${H}x${W} are too small for the CNN's 2x2 pooling`);
  const [c1, c2] = o.channels ?? [8, 16];
  const b = new GraphBuilder('cnn');
  let x = b.input('input', 'float32', [1, C, H, W]);
  if (o.normalize) x = normalizeInput(b, x, o.normalize);
  const conv = (name: string, cin: number, cout: number) => {
    const w = b.initializer(`${name}.weight`, he(rng, [cout, cin, 3, 3], cin * 9));
    return b.op('Conv', [x, w, b.initializer(`${name}.bias`, zeros(cout))], { kernel_shape: attr.ints([3, 3]), pads: attr.ints([1, 1, 1, 1]) }, name);
  };
  x = b.op('Relu', [conv('conv1', C, c1)], {}, 'relu1');
  x = b.op('Relu', [conv('conv2', c1, c2)], {}, 'relu2');
  x = b.op('MaxPool', [x], { kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]) }, 'pool');
  x = b.op('Flatten', [x], { axis: attr.int(1) }, 'flatten');
  let width = c2 * Math.floor(H / 2) * Math.floor(W / 2);
  (o.hidden ?? [32]).forEach((h, i) => {
    x = b.op('Relu', [dense(b, rng, x, `fc${i + 1}`, width, h)], {}, `relu_fc${i + 1}`);
    width = h;
  });
  b.output(dense(b, rng, x, 'logits', width, o.classes));
  return b.build();
}

export function buildArchitecture(arch: Architecture, o: ArchitectureOptions): Graph {
  if (arch === 'mlp') return buildMlp(o);
  if (arch === 'cnn') return buildCnn(o);
  const image = { image: imageShape(o.sampleShape), classes: o.classes, normalize: o.normalize, seed: o.seed };
  return arch === 'mnist-cnn' ? buildMnistCnn(image) : buildDsCnn(image);
}

/**
 * The smallest variance an input channel is standardized with, as a fraction of the mean variance over channels. A
 * feature that is almost always the same (on the digits, an edge pixel lit in 2 of 1,169 training samples: variance
 * 0.015 against a mean of 19) would otherwise be multiplied by up to 8 and more, its untrained weights with it; once
 * the standardization is folded into the first layer for int8, those columns set the layer's weight scales and a
 * third of its weights round to zero. Measured on the digits MLP (seeds 0 and 1, quantize --multiplier-bits 15):
 * without the floor, int8 lost 2.2 and 3.1 points after post-training quantization; with 0.05, +0.3 and 0.0 (the
 * float accuracy unchanged within a point).
 */
export const INPUT_VARIANCE_FLOOR = 0.05;

/** Mean and variance per input channel (per feature for an MLP) over a data set's samples. */
export function inputStatistics(arch: Architecture, features: Float32Array, count: number, sampleShape: number[]): InputStatistics {
  const per = shapeSize(sampleShape);
  const channels = arch === 'mlp' ? per : imageShape(sampleShape)[0];
  const plane = per / channels;
  const sum = new Float64Array(channels);
  const sq = new Float64Array(channels);
  for (let i = 0; i < count; i++) {
    for (let c = 0; c < channels; c++) {
      for (let j = 0; j < plane; j++) {
        const v = features[i * per + c * plane + j];
        sum[c] += v;
        sq[c] += v * v;
      }
    }
  }
  const n = count * plane;
  const mean = Array.from(sum, (s) => s / n);
  // A constant feature (variance 0) is left unscaled, and a nearly constant one (an edge pixel lit in a few samples)
  // is not amplified past the others: see INPUT_VARIANCE_FLOOR.
  const raw = Array.from(sq, (s, c) => Math.max(s / n - mean[c] ** 2, 0) || 1);
  const floor = INPUT_VARIANCE_FLOOR * (raw.reduce((a, v) => a + v, 0) / raw.length);
  const variance = raw.map((v) => Math.max(v, floor));
  return { mean, variance };
}
