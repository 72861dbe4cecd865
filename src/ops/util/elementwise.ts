// Elementwise kernels over broadcast inputs, for number and BigInt storage alike.

import { isBigIntType, type DType } from '../../ir/dtype.js';
import type { Node } from '../../ir/graph.js';
import { Tensor } from '../../ir/tensor.js';
import { roundToFloat16 } from '../../util/float16.js';
import { broadcastOffsets, broadcastShapes } from './broadcast.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Scalar = number | bigint;

/** Round float16 results in place (their storage is a Float32Array). */
export function finishFloat16(t: Tensor): Tensor {
  if (t.dtype === 'float16') {
    const d = t.data as Float32Array;
    for (let i = 0; i < d.length; i++) d[i] = roundToFloat16(d[i]);
  }
  return t;
}

/** Apply f to every element; the result has dtype `outDtype` (default: the input's). */
export function mapUnary(x: Tensor, f: (v: any) => Scalar, outDtype: DType = x.dtype): Tensor {
  const out = new Tensor(outDtype, x.shape);
  const src = x.data as ArrayLike<any>;
  const dst = out.data as any;
  for (let i = 0; i < src.length; i++) dst[i] = f(src[i]);
  return finishFloat16(out);
}

/**
 * Apply f to broadcast elements of several inputs. f receives the stored values (number, or
 * bigint for 64-bit integers) and must return the storage kind of `outDtype`.
 */
export function mapBroadcast(inputs: readonly Tensor[], outDtype: DType, node: Node, f: (...v: any[]) => Scalar): Tensor {
  const shape = broadcastShapes(inputs.map((t) => t.shape), node);
  const out = new Tensor(outDtype, shape);
  const dst = out.data as any;
  const n = dst.length;
  const offsets = inputs.map((t) => broadcastOffsets(t.shape, shape));
  const srcs = inputs.map((t) => t.data as ArrayLike<any>);
  if (inputs.length === 2) {
    const [a, b] = srcs;
    const [oa, ob] = offsets;
    for (let i = 0; i < n; i++) dst[i] = f(a[oa ? oa[i] : i], b[ob ? ob[i] : i]);
  } else {
    const args = new Array<any>(inputs.length);
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < srcs.length; k++) {
        const o = offsets[k];
        args[k] = srcs[k][o ? o[i] : i];
      }
      dst[i] = f(...args);
    }
  }
  return finishFloat16(out);
}

/** Arithmetic on the input dtype, choosing the BigInt form for 64-bit integers. */
export function arithmetic(
  a: Tensor,
  b: Tensor,
  node: Node,
  fns: { num: (x: number, y: number) => number; big: (x: bigint, y: bigint) => bigint },
): Tensor {
  return mapBroadcast([a, b], a.dtype, node, isBigIntType(a.dtype) ? fns.big : fns.num);
}
