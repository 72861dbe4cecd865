// Worst-case vectors of an int8 QuantizeLinear: fills whose every element takes the longest path of ep__quantize_int
// (templates/c/lib/ep_int8_quant.h, the integer-quotient path of Cortex-M3-class cores): the float32 rounding of the
// quotient at its tie test (the remainder looked at, rounded up), then the integer rounding's longer branch. The
// quotient's reciprocal estimate and its one correction (ep__mantissa_quotient) take no branch on the data (the
// correction is IT-predicated on Thumb-2), so they do not enter the path. Random or constant fills like 0 or 1 take
// that path on a fraction of their elements only (QEMU on lm3s6965, bench/kernels/quantize-s8.ts: up to ~64
// instructions per element on these fills against ~49 to ~55 on random data).

import { staticInfo, type Graph } from '../ir/graph.js';
import { shapeSize, Tensor } from '../ir/tensor.js';
import type { AdversarialVector } from './adversarial-vectors.js';

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
const bitsOf = (x: number): number => {
  f32[0] = x;
  return u32[0];
};
const floatOf = (bits: number): number => {
  u32[0] = bits >>> 0;
  return f32[0];
};

export interface QuantizePath {
  /** The quotient's mantissa is ≥ the scale's (27 bits, the 3-bit tie test) rather than below it (2 bits). */
  wide: boolean;
  /** The float32 rounding's guard bits are exactly half (the remainder and parity are then tested). */
  tie: boolean;
  roundedUp: boolean;
  /** The integer rounding's fraction is at most half (the branch that tests the tie of round-half-to-even). */
  fracAtMostHalf: boolean;
  /** round_half_to_even(fl32(x / scale)) before the zero point (signed). */
  n: number;
}

/**
 * The branch decisions of ep__quantize_int for x and a positive normal scale, when x / scale is on its long-division
 * path (x normal, the exponent difference in (-3, 9)); null on its early returns (zero, subnormal, inf/NaN, |x / scale|
 * below 1/4 or above 256).
 */
export function quantizePath(x: number, scale: number): QuantizePath | null {
  const su = bitsOf(scale);
  const ms = BigInt((su & 0x7fffff) | 0x800000);
  const es = ((su >>> 23) & 255) - 150;
  const u = bitsOf(x);
  const e = (u >>> 23) & 255;
  if (e === 0 || e === 255) return null;
  const m = BigInt((u & 0x7fffff) | 0x800000);
  const d = e - 150 - es;
  if (d >= 9 || d <= -3) return null;
  const num = m << 26n;
  const qf = num / ms;
  const r = num % ms;
  const wide = qf >= 1n << 26n;
  let mant = qf >> (wide ? 3n : 2n);
  const low = qf & (wide ? 7n : 3n);
  const half = wide ? 4n : 2n;
  let k = BigInt(wide ? 23 - d : 24 - d);
  const tie = low === half;
  const roundedUp = low > half || (tie && (r !== 0n || (mant & 1n) === 1n));
  if (roundedUp) mant++;
  if (mant === 1n << 24n) {
    mant >>= 1n;
    k--;
  }
  const whole = mant >> k;
  const frac = mant & ((1n << k) - 1n);
  const hk = 1n << (k - 1n);
  const n = Number(whole + (frac > hk || (frac === hk && (whole & 1n) === 1n) ? 1n : 0n));
  return { wide, tie, roundedUp, fracAtMostHalf: frac <= hk, n: u >>> 31 && n !== 0 ? -n : n };
}

/**
 * Values on the longest path (tie test, rounded up, integer fraction at most half, the result inside the int8 range
 * after the zero point, else saturating), one per sign and per quotient width: the first found scanning float32 values up in magnitude
 * from a few quotients (1, 1.5, 3, 6, 12, 24, 48, 96 × scale) and from the powers of two above them.
 */
export function quantizeTieValues(scale: number, zeroPoint: number): { name: string; value: number }[] {
  const found = new Map<string, number>();
  /** Values on the path whose result saturates: taken for a sign and width that has no other. */
  const saturated = new Map<string, number>();
  for (const sign of [1, -1]) {
    // Quotients from scale up, and the powers of two above (float32 mantissas from 1: below the scale's, narrow).
    const starts = [1, 1.5, 3, 6, 12, 24, 48, 96].flatMap((q) => [q * scale, 2 ** Math.ceil(Math.log2(q * scale))]);
    for (const start of starts) {
      let bits = bitsOf(Math.fround(sign * start));
      for (let step = 0; step < 4096; step++, bits++) {
        const x = floatOf(bits);
        const p = quantizePath(x, scale);
        if (!p || !p.tie || !p.roundedUp || !p.fracAtMostHalf) continue;
        const v = p.n + zeroPoint;
        const name = `${sign > 0 ? '+' : '-'}${p.wide ? 'wide' : 'narrow'}`;
        if (v >= -128 && v <= 127) {
          if (!found.has(name)) found.set(name, x);
        } else if (!saturated.has(name)) saturated.set(name, x);
      }
    }
  }
  for (const [name, x] of saturated) if (!found.has(name)) found.set(name, x);
  return [...found.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, value]) => ({ name, value }));
}

/**
 * The tie fills of a graph whose input feeds a QuantizeLinear with a constant float32 scale (and int8 zero point):
 * one vector per tie value, every other input all zeros. Empty for other graphs.
 */
export function quantizeTieVectors(g: Graph): AdversarialVector[] {
  const node = g.nodes.find((n) => n.opType === 'QuantizeLinear' && g.inputs.some((i) => i.name === n.inputs[0]));
  const scale = node && g.initializers.get(node.inputs[1]);
  if (!node || !scale || scale.dtype !== 'float32' || shapeSize(scale.shape) !== 1) return [];
  const zp = node.inputs[2] ? g.initializers.get(node.inputs[2]) : undefined;
  if (node.inputs[2] && (!zp || zp.dtype !== 'int8')) return [];
  const s = Number(scale.data[0]);
  if (!(s > 0) || !Number.isFinite(s)) return [];
  const zeroPoint = zp ? Number(zp.data[0]) : 0;
  return quantizeTieValues(s, zeroPoint).map(({ name, value }) => ({
    name: `quantization ties (${name}, ${value})`,
    inputs: g.inputs.map((v) => {
      const info = staticInfo(g, v.name);
      return Tensor.fromNumbers(info.dtype, info.shape, new Array<number>(shapeSize(info.shape)).fill(v.name === node.inputs[0] ? value : 0));
    }),
  }));
}
