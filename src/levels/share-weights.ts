// Weight sharing between the levels of one C library: a level's weight arrays as the full model's arrays (whole, a
// prefix, or the leading block of each row read through a row stride), or as copies of their own where they are not.

import { int, type CArg, type CCall, type CStep, type CWeight } from '../emit/c/c-step.js';

/** How a level's weight array is stored. */
export type ShareKind = 'identical' | 'prefix' | 'strided' | 'copy';

export interface SharedWeight {
  /** The level's key of the array (before any renaming). */
  key: string;
  kind: ShareKind;
  /** Flash the level's array would take on its own (elements × element size). */
  bytes: number;
}

/**
 * Kernels that can read a layer's weights from a wider layer's array: the weight argument, the strided kernel, and
 * where its row stride argument goes. The dense kernels read W[N][K] (rows: outputs), the conv kernels
 * W[M][C/groups][KH][KW] (rows: output channels); their ldw variants take the row stride (templates/c/lib/: ep_dense.h
 * and ep_conv.h for float32, ep_int8_dense.h and ep_int8_conv.h for int8, after the shapes, before the int8 kernels'
 * zero points).
 */
export const STRIDED_KERNELS: Readonly<Record<string, { weightArg: number; kernel: string; strideArgAt: number }>> = {
  ep_dense_f32: { weightArg: 1, kernel: 'ep_dense_ldw_f32', strideArgAt: 7 },
  ep_conv2d_f32: { weightArg: 1, kernel: 'ep_conv2d_ldw_f32', strideArgAt: 19 },
  ep_dense_s8: { weightArg: 1, kernel: 'ep_dense_ldw_s8', strideArgAt: 9 },
  ep_dense_s8_pt: { weightArg: 1, kernel: 'ep_dense_ldw_s8_pt', strideArgAt: 9 },
  ep_conv2d_s8: { weightArg: 1, kernel: 'ep_conv2d_ldw_s8', strideArgAt: 21 },
};

/** Element i of both arrays has the same bits (float32: -0 and NaN payloads count). */
function bitsOf(w: CWeight): Uint8Array {
  const d = w.tensor.data;
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
}

function sameKind(a: CWeight, b: CWeight): boolean {
  return a.tensor.dtype === b.tensor.dtype && (a.ctype ?? '') === (b.ctype ?? '');
}

/** `level`'s bytes are the first bytes of `full`'s. */
function isPrefix(level: CWeight, full: CWeight): boolean {
  const l = bitsOf(level);
  const f = bitsOf(full);
  if (l.length > f.length) return false;
  for (let i = 0; i < l.length; i++) if (l[i] !== f[i]) return false;
  return true;
}

/**
 * The row stride (in elements) through which `level` ([rows][cols], rows = its first axis) reads as the leading block
 * of `full` ([rows'][cols'] with rows ≤ rows', cols ≤ cols'), or undefined when it is not that block.
 */
export function leadingBlockStride(level: CWeight, full: CWeight): number | undefined {
  const ls = level.tensor.shape;
  const fs = full.tensor.shape;
  if (ls.length < 2 || fs.length !== ls.length || !sameKind(level, full)) return undefined;
  const rows = ls[0];
  const cols = level.tensor.size / rows;
  const fullCols = full.tensor.size / fs[0];
  if (rows > fs[0] || cols > fullCols || rows === 0) return undefined;
  const elementBytes = level.tensor.data.BYTES_PER_ELEMENT;
  const l = bitsOf(level);
  const f = bitsOf(full);
  const rowBytes = cols * elementBytes;
  for (let r = 0; r < rows; r++) {
    const lo = r * rowBytes;
    const fo = r * fullCols * elementBytes;
    for (let i = 0; i < rowBytes; i++) if (l[lo + i] !== f[fo + i]) return undefined;
  }
  return fullCols;
}

/** Every weight of the steps by key (the first array seen under each key). */
export function weightsByKey(steps: readonly CStep[]): Map<string, CWeight> {
  const out = new Map<string, CWeight>();
  for (const s of steps) for (const c of s.calls) for (const a of c.args) if (a.kind === 'weight' && !out.has(a.weight.key)) out.set(a.weight.key, a.weight);
  return out;
}

export interface SharedLevel {
  steps: CStep[];
  weights: SharedWeight[];
}

/**
 * Level `k`'s steps with each weight argument pointing at the full model's array where the level's array is that
 * array, a prefix of it, or (dense and conv weights) the leading block of its rows; otherwise at a copy of the level's
 * own, under a key no other array has (`taken` holds every key in use, and receives the new ones).
 */
export function shareLevelWeights(full: ReadonlyMap<string, CWeight>, level: readonly CStep[], k: number, taken: Set<string>): SharedLevel {
  const weights = new Map<string, SharedWeight>();
  const copies = new Map<string, string>();
  const copyKey = (key: string): string => {
    let renamed = copies.get(key);
    if (renamed === undefined) {
      renamed = `${key}:level${k}`;
      for (let i = 2; taken.has(renamed); i++) renamed = `${key}:level${k}_${i}`;
      taken.add(renamed);
      copies.set(key, renamed);
    }
    return renamed;
  };
  const note = (w: CWeight, kind: ShareKind) => {
    if (!weights.has(w.key)) weights.set(w.key, { key: w.key, kind, bytes: w.tensor.data.byteLength });
  };
  const shareCall = (call: CCall): CCall => {
    let kernel = call.kernel;
    let strideArg: { at: number; value: number } | undefined;
    const args = call.args.map((a, i): CArg => {
      if (a.kind !== 'weight') return a;
      const w = a.weight;
      const f = full.get(w.key);
      if (f && sameKind(w, f) && !a.elementOffset) {
        if (isPrefix(w, f)) {
          note(w, w.tensor.data.byteLength === f.tensor.data.byteLength ? 'identical' : 'prefix');
          return { kind: 'weight', weight: f };
        }
        const strided = STRIDED_KERNELS[call.kernel];
        const stride = strided?.weightArg === i ? leadingBlockStride(w, f) : undefined;
        if (strided && stride !== undefined) {
          note(w, 'strided');
          kernel = strided.kernel;
          strideArg = { at: strided.strideArgAt, value: stride };
          return { kind: 'weight', weight: f };
        }
      } else if (f && sameKind(w, f) && isPrefix(w, f) && w.tensor.data.byteLength === f.tensor.data.byteLength) {
        note(w, 'identical');
        return { kind: 'weight', weight: f, elementOffset: a.elementOffset };
      }
      note(w, 'copy');
      return { kind: 'weight', weight: { ...w, key: copyKey(w.key) }, elementOffset: a.elementOffset };
    });
    if (strideArg) args.splice(strideArg.at, 0, int(strideArg.value));
    return { ...call, kernel, args };
  };
  const steps = level.map((s) => ({ ...s, calls: s.calls.map(shareCall) }));
  return { steps, weights: [...weights.values()] };
}
