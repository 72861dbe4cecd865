// The JavaScript MaxPoolGrad on the wasm backend (src/train/wasm-max-pool-grad.ts): registered in place of wasm's own,
// and the same bits as wasm's own on random pools: ties, zeros after a ReLU, negatives, tiny values, NaN and -0 inputs,
// infinite and -0 gradients, 'valid' and 'same', disjoint and overlapping windows.
import { describe, expect, it } from 'vitest';
import * as tf from '../../src/train/tf.js';
import { initTraining } from '../../src/train/index.js';
import { maxPoolGrad, wasmOwnMaxPoolGrad } from '../../src/train/wasm-max-pool-grad.js';
import { Random } from '../../src/util/random.js';

/** One of the value mixes the cases draw from. */
function value(rng: Random, kind: number): number {
  const u = rng.next();
  if (kind === 0) return u < 0.5 ? 0 : u; // after a ReLU: many windows all zero
  if (kind === 1) return Math.floor(u * 3) - 1; // ties everywhere
  if (kind === 2) return u < 0.05 ? NaN : u < 0.1 ? -0 : u < 0.15 ? 1e-39 : u - 0.5; // NaN, -0, below FLT_MIN
  return kind === 3 ? -u : u * 4 - 2;
}

const bitsOf = (t: tf.TensorInfo) => new Uint32Array(new Float32Array(tf.engine().makeTensorFromTensorInfo(t).dataSync()).buffer);

describe('MaxPoolGrad in JavaScript on the wasm backend', () => {
  it('replaces wasm\'s own kernel', async () => {
    await initTraining({ backend: 'wasm' });
    expect(tf.getKernel('MaxPoolGrad', 'wasm')?.kernelFunc).toBe(maxPoolGrad);
    expect(wasmOwnMaxPoolGrad()?.kernelFunc).not.toBe(maxPoolGrad);
  });

  it('gives wasm\'s bits on 400 random pools', async () => {
    await initTraining({ backend: 'wasm' });
    const shipped = wasmOwnMaxPoolGrad()!;
    const backend = tf.backend();
    const rng = new Random(11);
    let compared = 0;
    let overlapping = 0;
    while (compared < 400) {
      const [N, H, W, C] = [1 + rng.int(3), 1 + rng.int(9), 1 + rng.int(9), 1 + rng.int(4)];
      const [fh, fw, sh, sw] = [1 + rng.int(3), 1 + rng.int(3), 1 + rng.int(3), 1 + rng.int(3)];
      const pad = rng.next() < 0.5 ? 'valid' : 'same';
      const info = tf.backend_util.computePool2DInfo([N, H, W, C], [fh, fw], [sh, sw], 1, pad);
      if (info.outHeight < 1 || info.outWidth < 1) continue;
      const kind = rng.int(5);
      const attrs = { filterSize: [fh, fw], strides: [sh, sw], pad } as unknown as tf.NamedAttrMap;
      let want = new Uint32Array(0);
      let got = new Uint32Array(0);
      tf.tidy(() => {
        const x = tf.tensor4d(Float32Array.from({ length: N * H * W * C }, () => value(rng, kind)), [N, H, W, C]);
        const y = tf.maxPool(x, [fh, fw], [sh, sw], pad);
        const dy = tf.tensor4d(Float32Array.from({ length: y.size }, () => (kind === 2 && rng.next() < 0.1 ? (rng.next() < 0.5 ? -0 : Infinity) : rng.uniform(-1, 1))), y.shape);
        const inputs = { dy, input: x, output: y };
        want = bitsOf(shipped.kernelFunc({ inputs, attrs, backend }) as tf.TensorInfo);
        got = bitsOf(maxPoolGrad({ inputs, attrs, backend }));
      });
      expect(Array.from(got), `${N}x${H}x${W}x${C} pool ${fh}x${fw} stride ${sh}x${sw} ${pad}, values ${kind}`).toEqual(Array.from(want));
      compared++;
      if (sh < fh || sw < fw) overlapping++;
    }
    expect(overlapping).toBeGreaterThan(100);
  });
});
