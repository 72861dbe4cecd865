// Direct N-d convolution shared by Conv, ConvInteger and QLinearConv (float or exact integer accumulation).

import { shapeSize, stridesOf } from '../../ir/tensor.js';
import type { WindowGeometry } from './spatial.js';

export interface ConvProblem {
  x: ArrayLike<number>;
  /** N, C, spatial... */
  xShape: readonly number[];
  w: ArrayLike<number>;
  /** M, C/group, kernel... */
  wShape: readonly number[];
  bias?: ArrayLike<number>;
  group: number;
  strides: readonly number[];
  dilations: readonly number[];
  geometry: WindowGeometry;
  /** Subtracted from every input element (ConvInteger/QLinearConv zero point). */
  xZero?: number;
  /** Subtracted from weights of output channel m: one value, or one per output channel. */
  wZero?: ArrayLike<number>;
  /** Rounding applied after every multiply and add: Math.fround for float32, identity for exact integers. */
  round: (v: number) => number;
}

/** Output shape N, M, outSpatial... */
export function convOutputShape(p: Pick<ConvProblem, 'xShape' | 'wShape' | 'geometry'>): number[] {
  return [p.xShape[0], p.wShape[0], ...p.geometry.outSpatial];
}

/** Returns the output as a Float64Array in N, M, spatial order (bias added last). */
export function convolve(p: ConvProblem): Float64Array {
  const [N, C] = p.xShape;
  const M = p.wShape[0];
  const inSpatial = p.xShape.slice(2);
  const kernel = p.wShape.slice(2);
  const S = inSpatial.length;
  const { padBegin, outSpatial } = p.geometry;
  const cPerGroup = C / p.group;
  const mPerGroup = M / p.group;
  const inPlane = shapeSize(inSpatial);
  const outPlane = shapeSize(outSpatial);
  const kCount = shapeSize(kernel);
  const inStrides = stridesOf(inSpatial);
  const kStrides = stridesOf(kernel);
  // Per kernel position: its offset along each spatial axis (dilated).
  const kOff = new Int32Array(kCount * S);
  for (let k = 0; k < kCount; k++) {
    for (let d = 0; d < S; d++) kOff[k * S + d] = (Math.floor(k / kStrides[d]) % kernel[d]) * p.dilations[d];
  }
  const out = new Float64Array(N * M * outPlane);
  // (locals, not p's properties, in the loops: V8 then keeps the arrays' element kinds in registers)
  const { x, w, bias, wZero } = p;
  const round = p.round;
  const fround = round === Math.fround;
  const xZero = p.xZero ?? 0;
  const base = new Int32Array(S);
  const inIndex = new Int32Array(kCount); // flat input offset per kernel position, -1 if in padding
  const o = new Int32Array(S);
  for (let pos = 0; pos < outPlane; pos++) {
    let rem = pos;
    for (let d = S - 1; d >= 0; d--) {
      o[d] = rem % outSpatial[d];
      rem = Math.floor(rem / outSpatial[d]);
      base[d] = o[d] * p.strides[d] - padBegin[d];
    }
    for (let k = 0; k < kCount; k++) {
      let idx = 0;
      for (let d = 0; d < S; d++) {
        const c = base[d] + kOff[k * S + d];
        if (c < 0 || c >= inSpatial[d]) {
          idx = -1;
          break;
        }
        idx += c * inStrides[d];
      }
      inIndex[k] = idx;
    }
    for (let n = 0; n < N; n++) {
      for (let m = 0; m < M; m++) {
        const g = Math.floor(m / mPerGroup);
        const wz = wZero ? wZero[wZero.length === 1 ? 0 : m] : 0;
        let acc = 0;
        for (let c = 0; c < cPerGroup; c++) {
          const xBase = (n * C + g * cPerGroup + c) * inPlane;
          const wBase = (m * cPerGroup + c) * kCount;
          // (float32 calls Math.fround itself, V8's intrinsic; the other call site of round then stays monomorphic)
          if (fround) {
            for (let k = 0; k < kCount; k++) {
              const idx = inIndex[k];
              if (idx < 0) continue;
              acc = Math.fround(acc + Math.fround((x[xBase + idx] - xZero) * (w[wBase + k] - wz)));
            }
          } else {
            for (let k = 0; k < kCount; k++) {
              const idx = inIndex[k];
              if (idx < 0) continue;
              acc = round(acc + round((x[xBase + idx] - xZero) * (w[wBase + k] - wz)));
            }
          }
        }
        if (bias) acc = round(acc + bias[m]);
        out[(n * M + m) * outPlane + pos] = acc;
      }
    }
  }
  return out;
}
