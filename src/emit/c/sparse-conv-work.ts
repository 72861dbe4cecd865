// The work of ep_sparse_conv2d_f32 (templates/c/lib/ep_sparse.h) on a layer, counted the way the kernel walks it: row
// tiles of P pixels (R rows at a time inside the input rows), taps visited per tile, FMAs, input loads; shared by the
// emitter's built-in estimate (sparse-choice.ts) and the target cost model (src/cost/kernel-models/sparse.ts).

import type { ConvShape } from './sparse-choice.js';

/** Counts of one call (literal shapes: the register-tiled path). */
export interface SparseConvWork {
  /** Multiply-accumulates executed (taps inside the input, per pixel). */
  fma: number;
  /** Input load instructions: one VLDM per tile row and tap (per 15 or 8 pixels) on the VLDM path (FPU, stride 1), else one per FMA. */
  loads: number;
  /** Taps visited by tiles that need no per-tap check (every pixel inside the input). */
  taps: number;
  /** Taps visited by tiles reaching into the column padding (the jump on the kernel column), kernel row inside. */
  maskedTaps: number;
  /** Taps tested against the valid kernel rows (rows reaching into the row padding). */
  rowChecks: number;
  /** Tiles, and their output pixels (overlapping tiles count twice). */
  tiles: number;
  tilePixels: number;
  /** Output-row iterations (a group of R rows counts once) of all channels. */
  rows: number;
  channels: number;
}

/** Code of one call site: the tile copies the compiler makes. */
export interface SparseConvCode {
  /** FMA instructions over the copies (a masked copy: each kernel column's pixel range). */
  copyFmas: number;
  /** Output pixels over the copies (accumulator set-up and stores). */
  copyPixels: number;
  tileCopies: number;
}

const ceilDiv = (a: number, b: number) => Math.ceil(a / b);
const floorDiv = (a: number, b: number) => Math.floor(a / b);

/** ep__sparse_conv_tile_width: the fewest tiles of at most 16 pixels, evenly sized. */
export function sparseConvTileWidth(width: number): number {
  const tiles = Math.ceil(width / 16);
  return tiles ? Math.ceil(width / tiles) : 1;
}

/** The tiling of ep_sparse_conv2d_f32: P pixels per tile, R rows per tile inside the input rows, masked tile starts. */
export function sparseConvTiling(s: ConvShape) {
  const oyLo = Math.min(s.OH, ceilDiv(s.pt, s.sh));
  const oyHi = Math.max(oyLo, Math.min(s.OH, floorDiv(s.H - 1 + s.pt - (s.KH - 1) * s.dh, s.sh) + 1));
  const P = sparseConvTileWidth(s.OW);
  const tiles = Math.ceil(s.OW / P);
  let bl = Math.min(tiles, ceilDiv(s.pl, P * s.sw));
  if ((s.OW - P) * s.sw < s.pl) bl = tiles;
  const lastInside = floorDiv(s.W - 1 + s.pl - (s.KW - 1) * s.dw, s.sw) - (P - 1);
  let br = lastInside < 0 ? 0 : Math.min(tiles - 1, Math.trunc(lastInside / P) + 1);
  if (s.OW - P <= lastInside) br = tiles;
  br = Math.max(bl, br);
  const ih = oyHi - oyLo;
  const R = ih >= 2 && P <= 8 ? Math.min(Math.floor(16 / P), ih) : 1;
  const starts = Array.from({ length: tiles }, (_, t) => Math.min(t * P, s.OW - P));
  /** Tile starts with whether the tile reaches into the column padding. */
  const colTiles = starts.map((ox0, t) => ({ ox0, masked: t < bl || t >= br }));
  return { oyLo, oyHi, P, R, colTiles };
}

/** Pixels [lo, hi) of a tile starting at output column ox0 that kernel column k reads inside the input. */
function columnRange(s: ConvShape, P: number, ox0: number, k: number): [number, number] {
  const ix0 = ox0 * s.sw - s.pl;
  return [Math.max(0, ceilDiv(-ix0 - k * s.dw, s.sw)), Math.min(P, floorDiv(s.W - 1 - ix0 - k * s.dw, s.sw) + 1)];
}

/**
 * The work of the kernel on a layer whose channel m has hist[m][kh * KW + kw] non-zeros at tap (kh, kw). fpu: the
 * VLDM path (Cortex-M4F/M7 fmaf builds) whose input loads count separately.
 */
export function sparseConvWork(s: ConvShape, hist: ArrayLike<number>[], fpu: boolean): SparseConvWork {
  const { oyLo, oyHi, P, R, colTiles } = sparseConvTiling(s);
  const chunk = R * P <= 15 ? 15 : 8;
  const w: SparseConvWork = { fma: 0, loads: 0, taps: 0, maskedTaps: 0, rowChecks: 0, tiles: 0, tilePixels: 0, rows: 0, channels: 0 };
  // Per tile start: each kernel column's pixel count, and its VLDM count.
  const colPixels = colTiles.map((t) => Array.from({ length: s.KW }, (_, k) => {
    const [lo, hi] = columnRange(s, P, t.ox0, k);
    return Math.max(0, hi - lo);
  }));
  const loadsOf = (pixels: number) => (fpu && s.sw === 1 ? ceilDiv(pixels, chunk) : pixels);
  // Row iterations: border rows one by one, inside rows in groups of R (the last group may overlap).
  const rowIters: { kh: [number, number]; rows: number; check: boolean }[] = [];
  for (let oy = 0; oy < s.OH; oy++) {
    const inside = oy >= oyLo && oy < oyHi;
    if (inside && R > 1) oy = Math.min(oy, oyHi - R);
    const iy0 = oy * s.sh - s.pt;
    const kh: [number, number] = [iy0 < 0 ? ceilDiv(-iy0, s.dh) : 0, Math.min(s.KH, ceilDiv(s.H - iy0, s.dh))];
    rowIters.push({ kh, rows: inside ? R : 1, check: !inside });
    if (inside) oy += R - 1;
  }
  for (const h of hist) {
    w.channels += 1;
    let n = 0;
    for (let i = 0; i < h.length; i++) n += h[i];
    for (const it of rowIters) {
      w.rows += 1;
      // Non-zeros per kernel column among the valid kernel rows.
      const perCol = new Array<number>(s.KW).fill(0);
      for (let kh = Math.max(0, it.kh[0]); kh < it.kh[1]; kh++) for (let kw = 0; kw < s.KW; kw++) perCol[kw] += h[kh * s.KW + kw];
      const valid = perCol.reduce((a, b) => a + b, 0);
      colTiles.forEach((t, ti) => {
        w.tiles += 1;
        w.tilePixels += it.rows * P;
        if (it.check) w.rowChecks += n;
        if (t.masked) {
          w.maskedTaps += valid;
          for (let k = 0; k < s.KW; k++) {
            const px = colPixels[ti][k];
            w.fma += perCol[k] * it.rows * px;
            w.loads += perCol[k] * it.rows * loadsOf(px);
          }
        } else {
          w.taps += valid;
          w.fma += valid * it.rows * P;
          w.loads += valid * it.rows * loadsOf(P);
        }
      });
    }
  }
  return w;
}

/** The tile copies of a call site (border rows, inside rows; masked tiles one copy each, unmasked ones share one). */
export function sparseConvCode(s: ConvShape): SparseConvCode {
  const { oyLo, oyHi, P, R, colTiles } = sparseConvTiling(s);
  const kinds: number[] = [];
  if (oyLo > 0 || oyHi < s.OH) kinds.push(1);
  if (oyHi > oyLo) kinds.push(R);
  const code: SparseConvCode = { copyFmas: 0, copyPixels: 0, tileCopies: 0 };
  for (const rows of kinds) {
    let unmasked = false;
    for (const t of colTiles) {
      if (!t.masked) {
        if (unmasked) continue;
        unmasked = true;
        code.copyFmas += rows * P;
      } else {
        for (let k = 0; k < s.KW; k++) {
          const [lo, hi] = columnRange(s, P, t.ox0, k);
          code.copyFmas += rows * Math.max(0, hi - lo);
        }
      }
      code.tileCopies += 1;
      code.copyPixels += rows * P;
    }
  }
  return code;
}
