// MaxPoolGrad for the wasm backend in JavaScript: the same bits as wasm's own kernel, in less CPU.
//
// wasm's MaxPoolGrad (tfjs-backend-wasm 4.x, MaxPoolGrad.cc and pool3d_impl.h) was a fifth of the wasm time of the
// digits CNN's fine-tunes; this kernel takes 1.4-1.7x less CPU per call on its pool (bench/max-pool-grad.ts, with the
// engine's dispatch). This is its arithmetic, on the backend's own heap:
//   - each window's max position: the running maximum starts at FLT_MIN (the smallest positive normal float, not
//     -FLT_MAX) at position 0, and a value >= the maximum takes over, so ties go to the window's last element, and a
//     window with nothing above FLT_MIN (all zeros after a ReLU, or negative) names element 0 of the whole tensor;
//   - each dx element: a float sum from +0 of dy × (1 if that window's max position is this element, else 0) over the
//     windows covering it, rows then columns in ascending order (so -0, NaN and overlapping windows come out the same).

import * as tf from './tf.js';

/** The parts of tfjs-backend-wasm's BackendWasm this kernel uses. */
interface WasmHeapBackend {
  makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
}

interface MaxPoolGradAttrs {
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/** The smallest positive normal float32 (C's FLT_MIN, std::numeric_limits<float>::min()). */
const FLT_MIN = 2 ** -126;

/**
 * Each window's max position (an element offset into x), by wasm's rule above. The channels run innermost (NHWC's
 * contiguous axis), each with its own running maximum: every window still sees its elements row by row, column by
 * column, as wasm's loop (channel outermost) does.
 */
function maxPositions(x: Float32Array, info: tf.backend_util.Conv2DInfo): Int32Array {
  const { batchSize: N, inChannels: C, inHeight: H, inWidth: W, outHeight: OH, outWidth: OW, strideHeight: sh, strideWidth: sw } = info;
  const { effectiveFilterHeight: kh, effectiveFilterWidth: kw, dilationHeight: dh, dilationWidth: dw } = info;
  const { top, left } = info.padInfo;
  const positions = new Int32Array(N * OH * OW * C);
  const best = new Float64Array(C);
  for (let b = 0; b < N; b++) {
    for (let oy = 0; oy < OH; oy++) {
      const rowCorner = oy * sh - top;
      const rowMin = firstInside(rowCorner, dh);
      const rowMax = Math.min(H, kh + rowCorner);
      for (let ox = 0; ox < OW; ox++) {
        const colCorner = ox * sw - left;
        const colMin = firstInside(colCorner, dw);
        const colMax = Math.min(W, kw + colCorner);
        const out = ((b * OH + oy) * OW + ox) * C;
        best.fill(FLT_MIN);
        for (let y = rowMin; y < rowMax; y += dh) {
          for (let xx = colMin; xx < colMax; xx += dw) {
            const base = ((b * H + y) * W + xx) * C;
            for (let c = 0; c < C; c++) {
              const v = x[base + c];
              if (v >= best[c]) {
                best[c] = v;
                positions[out + c] = base + c;
              }
            }
          }
        }
      }
    }
  }
  return positions;
}

/** The first row (column) a window starting at `corner` reads: wasm's AddUntilNonNegative (C's truncating %). */
function firstInside(corner: number, dilation: number): number {
  return corner >= 0 ? corner : ((corner % dilation) + dilation) % dilation;
}

/**
 * dx when no two windows share an element (strides at least the window): each element's sum has one term at most, so
 * it is dy + 0 at its window's max position (which turns -0 into +0), else +0, or NaN where a non-finite dy times 0
 * adds NaN. The same bits as spreadGradient over maxPositions, in one pass over the windows that finds each window's
 * max position (maxPositions' rule) and writes it, without the positions array.
 */
function maxPoolGradDisjoint(x: Float32Array, dy: Float32Array, dx: Float32Array, info: tf.backend_util.Conv2DInfo): void {
  const { batchSize: N, inChannels: C, inHeight: H, inWidth: W, outHeight: OH, outWidth: OW, strideHeight: sh, strideWidth: sw } = info;
  const { effectiveFilterHeight: kh, effectiveFilterWidth: kw } = info;
  const { top, left } = info.padInfo;
  dx.fill(0);
  for (let b = 0; b < N; b++) {
    for (let oy = 0; oy < OH; oy++) {
      const rowMin = Math.max(0, oy * sh - top);
      const rowMax = Math.min(H, oy * sh - top + kh);
      for (let ox = 0; ox < OW; ox++) {
        const colMin = Math.max(0, ox * sw - left);
        const colMax = Math.min(W, ox * sw - left + kw);
        const windows = ((b * OH + oy) * OW + ox) * C;
        for (let c = 0; c < C; c++) {
          const g = dy[windows + c];
          // A non-finite dy times 0 is NaN (computed, as wasm does, for the same NaN bits): every element but the max.
          if (!Number.isFinite(g)) {
            const nan = 0 + g * 0;
            for (let y = rowMin; y < rowMax; y++) for (let xx = colMin; xx < colMax; xx++) dx[((b * H + y) * W + xx) * C + c] = nan;
          }
          // The running maximum from FLT_MIN at element 0 of the whole tensor; a value >= it takes over (ties: the last).
          let best = FLT_MIN;
          let at = -1;
          for (let y = rowMin; y < rowMax; y++) {
            for (let xx = colMin; xx < colMax; xx++) {
              const i = ((b * H + y) * W + xx) * C + c;
              const v = x[i];
              if (v >= best) {
                best = v;
                at = i;
              }
            }
          }
          // Nothing beat FLT_MIN: the position is element 0, inside this window only when the window holds it.
          if (at < 0 && b === 0 && c === 0 && rowMin === 0 && colMin === 0 && rowMax > 0 && colMax > 0) at = 0;
          if (at >= 0) dx[at] = g + 0;
        }
      }
    }
  }
}

/** dx of a max pool (NHWC), into `dx`. */
function spreadGradient(dy: Float32Array, dx: Float32Array, positions: Int32Array, info: tf.backend_util.Conv2DInfo): void {
  const { batchSize: N, inChannels: C, inHeight: H, inWidth: W, outHeight: OH, outWidth: OW, strideHeight: sh, strideWidth: sw } = info;
  const { effectiveFilterHeight: kh, effectiveFilterWidth: kw, dilationHeight: dh, dilationWidth: dw } = info;
  const padTop = kh - 1 - info.padInfo.top;
  const padLeft = kw - 1 - info.padInfo.left;
  for (let b = 0; b < N; b++) {
    for (let c = 0; c < C; c++) {
      for (let y = 0; y < H; y++) {
        const rowCorner = y - padTop;
        for (let xx = 0; xx < W; xx++) {
          const colCorner = xx - padLeft;
          const offset = ((b * H + y) * W + xx) * C + c;
          let sum = 0;
          for (let wr = 0; wr < kh; wr += dh) {
            const r = rowCorner + wr;
            const oy = Math.trunc(r / sh);
            if (oy < 0 || oy >= OH || r % sh !== 0) continue;
            for (let wc = 0; wc < kw; wc += dw) {
              const q = colCorner + wc;
              const ox = Math.trunc(q / sw);
              if (ox < 0 || ox >= OW || q % sw !== 0) continue;
              const window = ((b * OH + oy) * OW + ox) * C + c;
              sum = Math.fround(sum + Math.fround(dy[window] * (positions[window] === offset ? 1 : 0)));
            }
          }
          dx[offset] = sum;
        }
      }
    }
  }
}

type KernelParams = { inputs: tf.NamedTensorInfoMap; attrs?: tf.NamedAttrMap; backend: unknown };

let shipped: tf.KernelConfig | undefined;

/**
 * The kernel (inputs dy, input, output; the pool's attributes), registered on 'wasm' in place of wasm's own, which
 * stays the kernel of explicit paddings (the trainer's pooling layers pad 'valid' or 'same').
 */
export function maxPoolGrad(params: KernelParams): tf.TensorInfo {
  const { inputs, attrs, backend } = params;
  const a = attrs as unknown as MaxPoolGradAttrs;
  if (a.pad !== 'valid' && a.pad !== 'same' && shipped) return shipped.kernelFunc(params as never) as tf.TensorInfo;
  const dy = inputs.dy as tf.TensorInfo;
  const input = inputs.input as tf.TensorInfo;
  const info = tf.backend_util.computePool2DInfo(input.shape as [number, number, number, number], a.filterSize, a.strides, 1, a.pad, a.dimRoundingMode);
  const heap = backend as WasmHeapBackend;
  const dx = heap.makeOutput(input.shape, 'float32');
  // (views after the allocation: it may grow the heap, which detaches views taken before)
  const disjoint = info.strideHeight >= info.effectiveFilterHeight && info.strideWidth >= info.effectiveFilterWidth;
  if (disjoint) maxPoolGradDisjoint(heap.typedArrayFromHeap(input), heap.typedArrayFromHeap(dy), heap.typedArrayFromHeap(dx), info);
  else spreadGradient(heap.typedArrayFromHeap(dy), heap.typedArrayFromHeap(dx), maxPositions(heap.typedArrayFromHeap(input), info), info);
  return dx;
}

/** Put the kernel above in place of `backendName`'s MaxPoolGrad (kept for explicit paddings); whether it replaced one. */
export function registerMaxPoolGrad(backendName: string): boolean {
  const current = tf.getKernel('MaxPoolGrad', backendName);
  if (!current || current.kernelFunc === (maxPoolGrad as unknown)) return false;
  shipped = current;
  tf.unregisterKernel('MaxPoolGrad', backendName);
  tf.registerKernel({ ...current, kernelFunc: maxPoolGrad as unknown as tf.KernelFunc });
  return true;
}

/** wasm's own MaxPoolGrad, once replaced (tests compare the two). */
export function wasmOwnMaxPoolGrad(): tf.KernelConfig | undefined {
  return shipped;
}
