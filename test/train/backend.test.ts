// Backend choice (tfjs-node optional, wasm by default, forced choices) and the wasm gradient kernels checked against cpu.
import * as tf from '../../src/train/tf.js';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { Random } from '../../src/util/random.js';
import { initTraining, trainingRuntime } from '../../src/train/index.js';

describe('backend', () => {
  it('refuses a forced tfjs-node that is not installed, with the package to install', async () => {
    const err = await initTraining({ backend: 'node' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).message).toMatch(/training backend 'node' is not available: @tensorflow\/tfjs-node is not installed/);
    expect((err as UserError).hint).toMatch(/npm install @tensorflow\/tfjs-node/);
    expect(trainingRuntime()).toBeUndefined();
  });

  it('refuses an unknown backend', async () => {
    await expect(initTraining({ backend: 'gpu' as never })).rejects.toThrow(/unknown training backend 'gpu'/);
  });

  it('picks wasm (SIMD, no threads) when tfjs-node is missing, and says why node was skipped', async () => {
    const rt = await initTraining({ seed: 3 });
    expect(rt.backend).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(rt.simd).toBe(true);
    expect(tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT')).toBe(false);
    // One thread: side by side (this process and a worker on 2 cores) the two processes do not oversubscribe the cores.
    expect((await import('@tensorflow/tfjs-backend-wasm')).getThreadsCount()).toBe(1);
    expect(rt.skipped).toEqual([{ backend: 'node', reason: '@tensorflow/tfjs-node is not installed' }]);
    expect(rt.seed).toBe(3);
    // Asking again returns the running backend.
    expect((await initTraining({ backend: 'wasm' })).backend).toBe('wasm');
    for (const k of ['Conv2DBackpropFilter', 'DepthwiseConv2dNativeBackpropFilter', 'DepthwiseConv2dNativeBackpropInput']) {
      expect(tf.getKernel(k, 'wasm')).toBeDefined();
    }
  });
});

type Shape4 = [number, number, number, number];
interface Case {
  name: string;
  x: Shape4;
  w: Shape4;
  strides: number | [number, number];
  pad: 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];
  depthwise?: boolean;
}

const CASES: Case[] = [
  { name: 'conv 3x3 same', x: [2, 8, 8, 3], w: [3, 3, 3, 5], strides: 1, pad: 'same' },
  { name: 'conv 5x5 valid stride 2', x: [3, 11, 10, 2], w: [5, 5, 2, 4], strides: 2, pad: 'valid' },
  { name: 'conv 3x3 same stride 2 (even input)', x: [2, 8, 8, 4], w: [3, 3, 4, 3], strides: [2, 2], pad: 'same' },
  { name: 'conv explicit asymmetric pads, strides 1x2', x: [2, 7, 9, 2], w: [3, 2, 2, 3], strides: [1, 2], pad: [[0, 0], [0, 2], [1, 0], [0, 0]] },
  { name: 'depthwise 3x3 same', x: [2, 8, 8, 4], w: [3, 3, 4, 1], strides: 1, pad: 'same', depthwise: true },
  { name: 'depthwise multiplier 2 stride 2 same', x: [2, 9, 9, 3], w: [3, 3, 3, 2], strides: 2, pad: 'same', depthwise: true },
  { name: 'depthwise 5x3 valid stride 2x1', x: [1, 10, 7, 2], w: [5, 3, 2, 3], strides: [2, 1], pad: 'valid', depthwise: true },
  { name: 'conv with pads wider than the kernel', x: [2, 5, 6, 2], w: [3, 3, 2, 2], strides: [2, 1], pad: [[0, 0], [4, 1], [3, 3], [0, 0]] },
  { name: 'depthwise with pads wider than the kernel', x: [2, 5, 6, 2], w: [3, 2, 2, 2], strides: [1, 2], pad: [[0, 0], [3, 4], [0, 2], [0, 0]], depthwise: true },
];

function values(n: number, seed: number): Float32Array {
  const r = new Random(seed);
  return Float32Array.from({ length: n }, () => r.uniform(-1, 1));
}

/** dL/dx and dL/dw of L = Σ conv(x, w) · r (r fixed random) on one backend. */
async function convGrads(backend: string, c: Case): Promise<{ dx: Float32Array; dw: Float32Array }> {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const size = (s: number[]) => s.reduce((a, b) => a * b, 1);
    const x = tf.tensor4d(values(size(c.x), 1), c.x);
    const w = tf.tensor4d(values(size(c.w), 2), c.w);
    const f = (a: tf.Tensor, b: tf.Tensor) => {
      const y = c.depthwise ? tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.strides, c.pad) : tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.strides, c.pad);
      const r = tf.tensor(values(size(y.shape), 3), y.shape);
      return tf.sum(tf.mul(y, r));
    };
    const [dx, dw] = tf.grads(f)([x, w]);
    return { dx: dx.dataSync() as Float32Array, dw: dw.dataSync() as Float32Array };
  });
}

describe('wasm gradient kernels match the cpu backend', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      await initTraining({ backend: 'wasm' });
      const cpu = await convGrads('cpu', c);
      const wasm = await convGrads('wasm', c);
      const close = (a: Float32Array, b: Float32Array) => {
        expect(a.length).toBe(b.length);
        let worst = 0;
        for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / (1 + Math.abs(b[i])));
        return worst;
      };
      expect(close(wasm.dw, cpu.dw)).toBeLessThan(1e-5);
      expect(close(wasm.dx, cpu.dx)).toBeLessThan(1e-5);
    });
  }
});

describe('dilated depthwise kernels (called directly: TF.js has no dilated gradients)', () => {
  const shapes: { x: Shape4; w: Shape4; dilations: [number, number]; pad: 'same' | 'valid' }[] = [
    { x: [2, 9, 8, 3], w: [3, 3, 3, 2], dilations: [2, 2], pad: 'same' },
    { x: [1, 10, 9, 2], w: [3, 2, 2, 1], dilations: [3, 2], pad: 'valid' },
  ];
  for (const c of shapes) {
    it(`dilations ${c.dilations.join('x')} ${c.pad} match a direct loop`, async () => {
      const { gradientKernelsForTest: k } = await import('../../src/train/wasm-kernels.js');
      await initTraining({ backend: 'wasm' });
      const size = (s: number[]) => s.reduce((a, b) => a * b, 1);
      const xv = values(size(c.x), 4);
      const wv = values(size(c.w), 5);
      const [N, H, W, C] = c.x;
      const [kh, kw, , m] = c.w;
      const info = tf.backend_util.computeConv2DInfo(c.x, c.w, 1, c.dilations, c.pad, undefined, true);
      const { outHeight: oh, outWidth: ow } = info;
      const dyv = values(N * oh * ow * C * m, 6);
      // Reference: dW and dx of Σ y · dy, with y[n, p, q, c·m + mm] = Σ_ij x[n, p + i·dh - top, q + j·dw - left, c] · w[i, j, c, mm].
      const dW = new Float64Array(size(c.w));
      const dX = new Float64Array(size(c.x));
      for (let n = 0; n < N; n++) for (let p = 0; p < oh; p++) for (let q = 0; q < ow; q++) for (let ch = 0; ch < C; ch++) for (let mm = 0; mm < m; mm++) {
        const g = dyv[((n * oh + p) * ow + q) * C * m + ch * m + mm];
        for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) {
          const r = p + i * c.dilations[0] - info.padInfo.top;
          const s2 = q + j * c.dilations[1] - info.padInfo.left;
          if (r < 0 || r >= H || s2 < 0 || s2 >= W) continue;
          const xi = ((n * H + r) * W + s2) * C + ch;
          const wi = ((i * kw + j) * C + ch) * m + mm;
          dW[wi] += xv[xi] * g;
          dX[xi] += wv[wi] * g;
        }
      }
      const [gw, gx] = tf.tidy(() => {
        const x = tf.tensor4d(xv, c.x);
        const w = tf.tensor4d(wv, c.w);
        const dy = tf.tensor4d(dyv, [N, oh, ow, C * m]);
        return [k.depthwiseBackpropFilter(x, dy, c.w, 1, c.pad, c.dilations).dataSync(), k.depthwiseBackpropInput(c.x, dy, w, 1, c.pad, c.dilations).dataSync()];
      });
      gw.forEach((v, i) => expect(Math.abs(v - dW[i])).toBeLessThan(1e-4 * (1 + Math.abs(dW[i]))));
      gx.forEach((v, i) => expect(Math.abs(v - dX[i])).toBeLessThan(1e-4 * (1 + Math.abs(dX[i]))));
    });
  }
});

describe('a forced cpu backend', () => {
  it('trains the same model code (TF.js kernels of its own)', async () => {
    const { digitsMlp } = await import('../../src/models/sample-models.js');
    const { digitsSplit } = await import('./helpers.js');
    const { buildTrainable, dispose, evaluate, train } = await import('../../src/train/index.js');
    const rt = await initTraining({ backend: 'cpu' });
    expect(rt.backend).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    const { train: ds, test } = digitsSplit();
    const t = await buildTrainable(digitsMlp());
    expect(t.backend).toBe('cpu');
    const r = await train(t, ds, { epochs: 3, learningRate: 3e-3, seed: 1 });
    expect(r.epochs[2].loss).toBeLessThan(r.epochs[0].loss);
    expect((await evaluate(t, test)).accuracy).toBeGreaterThan(0.85);
    dispose(t);
  });
});
