// C kernels ep_sparse_dense_f32 and ep_sparse_conv2d_f32 (host gcc): bit for bit the dense kernels' results on the same
// pruned weights, and within tolerance of the interpreter. Each case runs the dense kernel into the first half of the
// output and the sparse kernel (weights packed by src/emit/c/sparse-choice.ts) into the second half.
import { expect } from 'vitest';
import { packSparseConv, packSparseDense } from '../../src/emit/c/sparse-choice.js';
import { Clip } from '../../src/ops/clip.js';
import { Conv } from '../../src/ops/conv.js';
import { Gemm } from '../../src/ops/gemm.js';
import { Relu } from '../../src/ops/relu.js';
import {
  type Arg, attr, evalOp, f32, float, inp, type KernelCase, kernelSuite, NULLPTR, Random, Tensor, uniform,
} from './harness.js';

/** Any typed array as raw 4-byte words (zero-padded), for the harness's input files. */
function words(a: Uint8Array | Uint16Array | Uint32Array | Float32Array): Int32Array {
  const bytes = new Uint8Array(Math.ceil(a.byteLength / 4) * 4 || 4);
  bytes.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  return new Int32Array(bytes.buffer);
}

/** Zero the weights below the `sparsity` quantile of |w|, then apply `edit` (explicit zero patterns). */
function prune(t: Tensor, sparsity: number, edit?: (d: Float32Array) => void): Tensor {
  const d = Float32Array.from(t.data as Float32Array);
  const order = Array.from(d.keys()).sort((a, b) => Math.abs(d[a]) - Math.abs(d[b]) || a - b);
  for (let i = 0; i < Math.round(sparsity * d.length); i++) d[order[i]] = 0;
  edit?.(d);
  return new Tensor('float32', t.shape, d);
}

type Act = 'relu' | [number, number] | undefined;

function clampRef(y: Tensor, act: Act): { y: Tensor; lo: number; hi: number } {
  if (act === 'relu') return { y: evalOp(Relu, [y]), lo: 0, hi: Infinity };
  if (act) return { y: evalOp(Clip, [y, Tensor.scalar('float32', act[0]), Tensor.scalar('float32', act[1])]), lo: act[0], hi: act[1] };
  return { y, lo: -Infinity, hi: Infinity };
}

const twice = (y: Float32Array) => {
  const out = new Float32Array(2 * y.length);
  out.set(y);
  out.set(y, y.length);
  return out;
};

interface DenseSpec {
  rows: number;
  K: number;
  N: number;
  sparsity: number;
  bias?: boolean;
  act?: Act;
  /** Explicit zero patterns on the [N][K] weights. */
  edit?: (d: Float32Array, K: number) => void;
}

function denseCase(name: string, s: DenseSpec, seed: number): KernelCase {
  const rng = new Random(seed);
  const x = uniform(rng, [s.rows, s.K]);
  const w = prune(uniform(rng, [s.N, s.K], -1 / Math.sqrt(s.K), 1 / Math.sqrt(s.K)), s.sparsity, s.edit && ((d) => s.edit!(d, s.K)));
  const b = s.bias === false ? undefined : uniform(rng, [s.N], -0.2, 0.2);
  const { y, lo, hi } = clampRef(evalOp(Gemm, [x, w, b], { transB: attr.int(1) }), s.act);
  const p = packSparseDense(f32(w), s.N, s.K);
  const inputs = [f32(x), f32(w), words(p.hdr.data as Uint16Array), words(p.off.data as Uint32Array), f32(p.val)];
  if (b) inputs.push(f32(b));
  const bias: Arg = b ? inp(5) : NULLPTR;
  const n = s.rows * s.N;
  return {
    name,
    calls: [
      { fn: 'ep_dense_f32', args: [inp(0), inp(1), bias, 'out', s.rows, s.K, s.N, float(lo), float(hi)] },
      { fn: 'ep_sparse_dense_f32', args: [inp(0), '(const uint16_t *)(const void *)in2', '(const uint32_t *)(const void *)in3', inp(4), bias, `out + ${n}`, s.rows, s.K, s.N, float(lo), float(hi)] },
    ],
    inputs,
    expected: twice(f32(y)),
  };
}

interface ConvSpec {
  C: number;
  H: number;
  W: number;
  M: number;
  K: [number, number];
  strides?: [number, number];
  dilations?: [number, number];
  /** top, left, bottom, right */
  pads?: [number, number, number, number];
  groups?: number;
  bias?: boolean;
  act?: Act;
  sparsity: number;
}

function convCase(name: string, s: ConvSpec, seed: number): KernelCase {
  const rng = new Random(seed);
  const groups = s.groups ?? 1;
  const [KH, KW] = s.K;
  const [sh, sw] = s.strides ?? [1, 1];
  const [dh, dw] = s.dilations ?? [1, 1];
  const [pt, pl, pb, pr] = s.pads ?? [0, 0, 0, 0];
  const fanIn = (s.C / groups) * KH * KW;
  const x = uniform(rng, [1, s.C, s.H, s.W]);
  const w = prune(uniform(rng, [s.M, s.C / groups, KH, KW], -1 / Math.sqrt(fanIn), 1 / Math.sqrt(fanIn)), s.sparsity);
  const b = s.bias === false ? undefined : uniform(rng, [s.M], -0.2, 0.2);
  const conv = evalOp(Conv, [x, w, b], {
    kernel_shape: attr.ints([KH, KW]), strides: attr.ints([sh, sw]), dilations: attr.ints([dh, dw]), pads: attr.ints([pt, pl, pb, pr]), group: attr.int(groups),
  });
  const { y, lo, hi } = clampRef(conv, s.act);
  const [, , OH, OW] = y.shape;
  const shape = { C: s.C, H: s.H, W: s.W, M: s.M, KH, KW, OH, OW, sh, sw, dh, dw, pt, pl, groups };
  const p = packSparseConv(f32(w), shape);
  const inputs = [f32(x), f32(w), words(p.cnt.data as Uint16Array), words(p.tap.data as Uint32Array), f32(p.val)];
  if (b) inputs.push(f32(b));
  const bias: Arg = b ? inp(5) : NULLPTR;
  const geometry: Arg[] = [s.C, s.H, s.W, s.M, KH, KW, OH, OW, sh, sw, dh, dw, pt, pl, groups, float(lo), float(hi)];
  return {
    name,
    calls: [
      { fn: 'ep_conv2d_f32', args: [inp(0), inp(1), bias, 'out', ...geometry] },
      {
        fn: 'ep_sparse_conv2d_f32',
        args: [inp(0), '(const uint16_t *)(const void *)in2', '(const uint32_t *)(const void *)in3', inp(4), bias, `out + ${y.size}`, ...geometry],
      },
    ],
    inputs,
    expected: twice(f32(y)),
  };
}

const CASES: KernelCase[] = [
  denseCase('256 -> 128 at 80%, ReLU', { rows: 1, K: 256, N: 128, sparsity: 0.8, act: 'relu' }, 1),
  denseCase('digits fc 256 -> 32 at 90%', { rows: 1, K: 256, N: 32, sparsity: 0.9 }, 2),
  denseCase('0% sparse (every slot used), rows 2', { rows: 2, K: 40, N: 6, sparsity: 0 }, 3),
  denseCase('rows 3, K 17, N 13 at 50%, no bias, clamp [-0.3, 0.3]', { rows: 3, K: 17, N: 13, sparsity: 0.5, bias: false, act: [-0.3, 0.3] }, 4),
  denseCase('every row count 0..24 (empty rows, full and partial blocks), rows 2', {
    rows: 2, K: 24, N: 25, sparsity: 0,
    edit: (d, K) => {
      for (let n = 0; n < 25; n++) for (let k = 0; k < K; k++) if (k >= n) d[n * K + k] = 0;
    },
  }, 5),
  denseCase('100% sparse: the bias only, ReLU', { rows: 1, K: 64, N: 16, sparsity: 1, act: 'relu' }, 6),
  denseCase('100% sparse, no bias: zeros', { rows: 2, K: 8, N: 3, sparsity: 1, bias: false }, 7),
  denseCase('K 1, N 1', { rows: 1, K: 1, N: 1, sparsity: 0 }, 8),
  denseCase('K 3000 (offsets up to 11996) at 95%', { rows: 1, K: 3000, N: 5, sparsity: 0.95 }, 9),
  convCase('digits conv2: 3x3 8 -> 16, 8x8, pad 1, ReLU, 80%', { C: 8, H: 8, W: 8, M: 16, K: [3, 3], pads: [1, 1, 1, 1], act: 'relu', sparsity: 0.8 }, 21),
  convCase('5x5 8 -> 16, 14x14, pad 2, 50%', { C: 8, H: 14, W: 14, M: 16, K: [5, 5], pads: [2, 2, 2, 2], sparsity: 0.5 }, 22),
  convCase('3x3 stride 2, asymmetric pads, no bias, 0%', { C: 3, H: 11, W: 9, M: 4, K: [3, 3], strides: [2, 2], pads: [1, 0, 0, 1], bias: false, sparsity: 0 }, 23),
  convCase('dilation 2, pad 2, clamp [-0.5, 0.5], 70%', { C: 4, H: 10, W: 10, M: 6, K: [3, 3], dilations: [2, 2], pads: [2, 2, 2, 2], act: [-0.5, 0.5], sparsity: 0.7 }, 24),
  convCase('groups 2, 60%', { C: 4, H: 7, W: 7, M: 6, K: [3, 3], pads: [1, 1, 1, 1], groups: 2, sparsity: 0.6 }, 25),
  convCase('depthwise 3x3, 8 channels, 40%', { C: 8, H: 9, W: 9, M: 8, K: [3, 3], pads: [1, 1, 1, 1], groups: 8, sparsity: 0.4 }, 26),
  convCase('no padding (no tap codes), 1x1 and wide rows, 75%', { C: 16, H: 5, W: 37, M: 8, K: [1, 1], sparsity: 0.75 }, 27),
  convCase('1-D conv k 5 as H = 1, pad 2, 80%', { C: 4, H: 1, W: 30, M: 5, K: [1, 5], pads: [0, 2, 0, 2], sparsity: 0.8 }, 28),
  convCase('pads larger than the kernel (windows only on padding), 50%', { C: 2, H: 3, W: 3, M: 3, K: [2, 2], pads: [3, 3, 3, 3], sparsity: 0.5 }, 29),
  convCase('100% sparse conv: the bias', { C: 2, H: 5, W: 5, M: 3, K: [3, 3], pads: [1, 1, 1, 1], sparsity: 1 }, 30),
];

await kernelSuite('test/c-kernels/sparse.test.ts', 'C sparse kernels vs the dense kernels (bit for bit) and the interpreter', CASES, {
  labels: ['literal arguments vs the interpreter', 'run-time arguments vs the interpreter'],
  check: (c, r) => {
    const half = c.expected.length / 2;
    for (const bits of [r.literal, r.runtime]) {
      expect(Array.from(bits.slice(half)), 'sparse kernel == dense kernel, bit for bit').toEqual(Array.from(bits.slice(0, half)));
    }
    expect(Array.from(r.literal), 'literal == run-time arguments').toEqual(Array.from(r.runtime));
  },
});
