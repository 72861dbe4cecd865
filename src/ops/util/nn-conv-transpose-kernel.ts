// Direct N-d transposed convolution: every output element gathers the input elements its kernel taps land on.

import type { NumberArray } from '../../ir/dtype.js';
import { shapeSize, stridesOf } from '../../ir/tensor.js';
import type { ConvTransposeGeometry } from './nn-conv-transpose-geometry.js';

export interface ConvTransposeProblem {
  x: NumberArray;
  /** N, C, spatial... */
  xShape: readonly number[];
  w: NumberArray;
  /** C, M/group, kernel... */
  wShape: readonly number[];
  bias?: NumberArray;
  geometry: ConvTransposeGeometry;
  /** Rounding after every multiply and add: Math.fround for float32, identity for float64. */
  round: (v: number) => number;
}

/**
 * Output N, M, outSpatial... as a Float64Array. Output position o takes input position i through
 * kernel tap k when o + padBegin = i·stride + k·dilation on every axis. Sums run over input
 * channels, then taps in row-major order; the bias is added last.
 */
export function convolveTransposed(p: ConvTransposeProblem): Float64Array {
  const { geometry: g, round } = p;
  const [N, C] = p.xShape;
  const M = g.outChannels;
  const inSpatial = p.xShape.slice(2);
  const S = inSpatial.length;
  const cPerGroup = C / g.group;
  const mPerGroup = M / g.group;
  const inPlane = shapeSize(inSpatial);
  const outPlane = shapeSize(g.outSpatial);
  const kCount = shapeSize(g.kernel);
  const inStrides = stridesOf(inSpatial);
  const kStrides = stridesOf(g.kernel);
  const kCoord = new Int32Array(kCount * S);
  for (let k = 0; k < kCount; k++) {
    for (let d = 0; d < S; d++) kCoord[k * S + d] = Math.floor(k / kStrides[d]) % g.kernel[d];
  }
  const out = new Float64Array(N * M * outPlane);
  const tapKernel = new Int32Array(kCount);
  const tapInput = new Int32Array(kCount);
  const o = new Int32Array(S);
  for (let pos = 0; pos < outPlane; pos++) {
    let rem = pos;
    for (let d = S - 1; d >= 0; d--) {
      o[d] = rem % g.outSpatial[d];
      rem = Math.floor(rem / g.outSpatial[d]);
    }
    let taps = 0;
    for (let k = 0; k < kCount; k++) {
      let offset = 0;
      for (let d = 0; d < S; d++) {
        const t = o[d] + g.padBegin[d] - kCoord[k * S + d] * g.dilations[d];
        const i = t / g.strides[d];
        if (t < 0 || !Number.isInteger(i) || i >= inSpatial[d]) {
          offset = -1;
          break;
        }
        offset += i * inStrides[d];
      }
      if (offset < 0) continue;
      tapKernel[taps] = k;
      tapInput[taps] = offset;
      taps++;
    }
    for (let n = 0; n < N; n++) {
      for (let m = 0; m < M; m++) {
        const group = Math.floor(m / mPerGroup);
        const mInGroup = m % mPerGroup;
        let acc = 0;
        for (let c = group * cPerGroup; c < (group + 1) * cPerGroup; c++) {
          const xBase = (n * C + c) * inPlane;
          const wBase = (c * mPerGroup + mInGroup) * kCount;
          for (let t = 0; t < taps; t++) acc = round(acc + round(p.x[xBase + tapInput[t]] * p.w[wBase + tapKernel[t]]));
        }
        if (p.bias) acc = round(acc + p.bias[m]);
        out[(n * M + m) * outPlane + pos] = acc;
      }
    }
  }
  return out;
}
