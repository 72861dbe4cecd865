// Fake quantization of the training bridge: forward values on the quantizer's int8 grid, straight-through gradients, hand-checked.
import * as tf from '../../src/train/tf.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { Tensor } from '../../src/ir/tensor.js';
import { activationParams, quantizeValue, quantizeWeights } from '../../src/quant/qparams.js';
import { fakeQuantActivation, fakeQuantWeights, gridRange } from '../../src/train/fake-quant.js';
import { initTraining } from '../../src/train/index.js';
import { weightFromTf, weightToTf, type WeightLayout } from '../../src/train/layout.js';
import { Random } from '../../src/util/random.js';

beforeAll(async () => {
  await initTraining({ seed: 1 });
});

/** The quantizer's dequantized weights: fl32(q · scale[m]) per output channel (first IR axis). */
function gridWeights(w: Tensor): Float32Array {
  const { weights, scales } = quantizeWeights(w);
  const per = w.size / w.shape[0];
  return Float32Array.from(weights.data as Int8Array, (q, i) => Math.fround(q * scales.at(Math.floor(i / per))));
}

/** fakeQuantWeights on the TF.js layout of an IR weight, read back in IR layout. */
function fakeQuantInIr(w: Tensor, layout: WeightLayout, channelAxes: number[]): Float32Array {
  const { data, shape } = weightToTf(layout, w.data as Float32Array, w.shape);
  const out = tf.tidy(() => fakeQuantWeights(tf.tensor(data, shape), channelAxes).dataSync() as Float32Array);
  return weightFromTf(layout, out, shape, w.shape).data as Float32Array;
}

function randomWeights(shape: number[], seed: number): Tensor {
  const rng = new Random(seed);
  const t = Tensor.fromNumbers('float32', shape, Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal() * 0.3));
  const d = t.data as Float32Array;
  // A pruned weight (0), a channel of zeros (channel 1) and a weight exactly half a step between grid points.
  d[3] = 0;
  const per = t.size / shape[0];
  d.fill(0, per, 2 * per);
  return t;
}

describe('fake-quantized weights', () => {
  it('a Conv2D kernel equals the quantizer int8 grid per output channel, pruned and all-zero channels stay 0', () => {
    const w = randomWeights([6, 3, 3, 3], 1);
    const fq = fakeQuantInIr(w, { kind: 'conv' }, [3]);
    expect(Array.from(fq)).toEqual(Array.from(gridWeights(w)));
    expect(fq[3]).toBe(0);
    expect(Array.from(fq.subarray(27, 54)).every((v) => v === 0)).toBe(true);
    // Not the identity: the weights moved onto the grid.
    expect(Array.from(fq)).not.toEqual(Array.from(w.data as Float32Array));
  });

  it('a Dense kernel (Gemm transB) and a DepthwiseConv2D kernel equal the grid of their output channels', () => {
    const dense = randomWeights([5, 12], 2);
    expect(Array.from(fakeQuantInIr(dense, { kind: 'transpose2d' }, [1]))).toEqual(Array.from(gridWeights(dense)));
    const depthwise = randomWeights([8, 1, 3, 3], 3);
    expect(Array.from(fakeQuantInIr(depthwise, { kind: 'depthwise', channels: 4 }, [2, 3]))).toEqual(Array.from(gridWeights(depthwise)));
  });

  it('rounds half to even, as the quantizer does: 0.5 and 2.5 steps go down, 1.5 goes up', () => {
    // Channel max 127 → scale 1: the values are steps.
    const w = Tensor.fromNumbers('float32', [1, 5], [127, 0.5, 1.5, 2.5, -2.5]);
    expect(Array.from(fakeQuantInIr(w, { kind: 'transpose2d' }, [1]))).toEqual([127, 0, 2, 2, -2]);
  });

  it('passes the gradient straight through (hand-checked: d/dw Σ c·fq(w) = c)', () => {
    const g = tf.tidy(() => {
      const w = tf.tensor2d([[0.3, -1.27], [0, 0.011]], [2, 2]);
      const c = tf.tensor2d([[1, 2], [3, 4]], [2, 2]);
      return tf.grad((x: tf.Tensor) => tf.sum(tf.mul(c, fakeQuantWeights(x, [1]))))(w).dataSync();
    });
    expect(Array.from(g)).toEqual([1, 2, 3, 4]);
  });
});

describe('fake-quantized activations', () => {
  const grid = activationParams(-1, 2);

  it('equal the dequantized QuantizeLinear of the quantizer (rounding, zero point, saturation at -128 and 127)', () => {
    const { scale, zeroPoint } = grid;
    const xs = [-5, -1, -0.5, 0, 1e-4, 0.3, scale * 2.5, scale * 3.5, 1.999, 2, 7, -scale * 0.5];
    const fq = tf.tidy(() => fakeQuantActivation(tf.tensor1d(xs), grid).dataSync() as Float32Array);
    expect(Array.from(fq)).toEqual(xs.map((x) => Math.fround(scale * (quantizeValue(x, grid) - zeroPoint))));
    // Saturated ends are the grid's range.
    const { min, max } = gridRange(grid);
    expect(fq[0]).toBe(min);
    expect(fq[10]).toBe(max);
    expect(fq[3]).toBe(0);
  });

  it('pass the gradient where the value lies within the grid and block it where it saturates (hand-checked)', () => {
    // scale 0.01, zero point 0: the grid covers [-1.28, 1.27].
    const p = { scale: 0.01, zeroPoint: 0 };
    const g = tf.tidy(() => {
      const x = tf.tensor1d([-3, -1.28, -0.5, 0.2, 1.27, 5]);
      const c = tf.tensor1d([1, 2, 3, 4, 5, 6]);
      return tf.grad((v: tf.Tensor) => tf.sum(tf.mul(c, fakeQuantActivation(v, p))))(x).dataSync();
    });
    expect(Array.from(g)).toEqual([0, 2, 3, 4, 5, 0]);
  });
});
