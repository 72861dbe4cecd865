// Window geometry shared by Conv-like and pooling ops: padding (explicit or auto_pad) and output sizes.

import { nodeError } from '../../errors.js';
import type { Node } from '../../ir/graph.js';

export type AutoPad = 'NOTSET' | 'SAME_UPPER' | 'SAME_LOWER' | 'VALID';
export const AUTO_PADS: readonly AutoPad[] = ['NOTSET', 'SAME_UPPER', 'SAME_LOWER', 'VALID'];

export interface WindowAttrs {
  kernel: number[];
  strides: number[];
  dilations: number[];
  /** Explicit pads as ONNX writes them: all begins, then all ends. */
  pads: number[];
  autoPad: AutoPad;
  ceilMode: boolean;
}

export interface WindowGeometry {
  /** Resolved begin and end pads per spatial axis. */
  padBegin: number[];
  padEnd: number[];
  outSpatial: number[];
}

/** Fill per-axis defaults (strides and dilations 1, pads 0) and check lengths. */
export function windowDefaults(
  node: Node,
  rank: number,
  a: { kernel: number[]; strides?: number[]; dilations?: number[]; pads?: number[]; autoPad: AutoPad; ceilMode?: boolean },
): WindowAttrs {
  const strides = a.strides ?? new Array<number>(rank).fill(1);
  const dilations = a.dilations ?? new Array<number>(rank).fill(1);
  const pads = a.pads ?? new Array<number>(2 * rank).fill(0);
  if (a.kernel.length !== rank) throw nodeError(node, `kernel_shape has ${a.kernel.length} axes, the input has ${rank} spatial axes`);
  if (strides.length !== rank) throw nodeError(node, `strides has ${strides.length} values for ${rank} spatial axes`);
  if (dilations.length !== rank) throw nodeError(node, `dilations has ${dilations.length} values for ${rank} spatial axes`);
  if (pads.length !== 2 * rank) throw nodeError(node, `pads has ${pads.length} values, expected ${2 * rank}`);
  if (strides.some((s) => s < 1) || dilations.some((d) => d < 1) || a.kernel.some((k) => k < 1)) {
    throw nodeError(node, 'kernel_shape, strides and dilations must be positive');
  }
  if (pads.some((p) => p < 0)) throw nodeError(node, 'pads must not be negative');
  return { kernel: a.kernel, strides, dilations, pads, autoPad: a.autoPad, ceilMode: a.ceilMode ?? false };
}

/** Resolve padding and output sizes for sliding windows over `inSpatial`. */
export function windowGeometry(inSpatial: readonly number[], w: WindowAttrs, node: Node): WindowGeometry {
  const rank = inSpatial.length;
  const padBegin = new Array<number>(rank);
  const padEnd = new Array<number>(rank);
  const outSpatial = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const n = inSpatial[i];
    const s = w.strides[i];
    const span = (w.kernel[i] - 1) * w.dilations[i] + 1;
    if (w.autoPad === 'SAME_UPPER' || w.autoPad === 'SAME_LOWER') {
      const out = Math.ceil(n / s);
      const total = Math.max(0, (out - 1) * s + span - n);
      padBegin[i] = w.autoPad === 'SAME_UPPER' ? Math.floor(total / 2) : Math.ceil(total / 2);
      padEnd[i] = total - padBegin[i];
      outSpatial[i] = out;
      continue;
    }
    padBegin[i] = w.autoPad === 'VALID' ? 0 : w.pads[i];
    padEnd[i] = w.autoPad === 'VALID' ? 0 : w.pads[i + rank];
    const room = n + padBegin[i] + padEnd[i] - span;
    let out = (w.ceilMode ? Math.ceil(room / s) : Math.floor(room / s)) + 1;
    // With ceil_mode, the last window must start inside the input or its begin padding.
    if (w.ceilMode && (out - 1) * s >= n + padBegin[i]) out -= 1;
    outSpatial[i] = out;
  }
  if (outSpatial.some((o) => o < 1)) {
    throw nodeError(node, `the window (kernel ${w.kernel.join('x')}, dilations ${w.dilations.join('x')}) does not fit the input ${inSpatial.join('x')} with its padding`);
  }
  return { padBegin, padEnd, outSpatial };
}
