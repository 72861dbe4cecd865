// The accumulator width of an int8 layer in hardware (ep_dense_rf1's and ep_requant's ACC_BITS): the smallest signed
// width that holds every accumulator the layer can produce, from its constant weights and folded bias; and
// ep_dense_folded's, a bound of it (foldedAccumulatorBits).
//
// In hardware the accumulator is acc = BIAS + sum_i w_i * x_i with BIAS = B - x_zero_point * sum_i w_i (the bias
// folded with the input zero point) and x_i the raw int8 input. Each input ranges over [lo, hi] independently
// ([-128, 127], or a narrower range when the layer before clamps), so the exact range is
//   max = BIAS + sum_i max(w_i * lo, w_i * hi),   min = BIAS + sum_i min(w_i * lo, w_i * hi)
// and both ends are reached (every x_i at the end that maximizes, or minimizes, its product). That is within
// BIAS ± sum_i |w_i| * 128. Partial sums may leave the width: two's complement arithmetic modulo 2^bits still
// yields the exact final accumulator, which fits.

/** The range of the int8 input values (default [-128, 127]). */
export interface InputRange {
  min: number;
  max: number;
}

const INT8: InputRange = { min: -128, max: 127 };

/** The exact range [min, max] of one output's accumulator: its weights (int8) and folded bias (BIAS above). */
export function accumulatorRange(weights: ArrayLike<number>, foldedBias: number, input: InputRange = INT8): { min: number; max: number } {
  if (!(Number.isInteger(input.min) && Number.isInteger(input.max) && input.min >= -128 && input.max <= 127 && input.min <= input.max)) {
    throw new Error(`accumulator range: input range [${input.min}, ${input.max}] is not within int8`);
  }
  let min = foldedBias;
  let max = foldedBias;
  for (let i = 0; i < weights.length; i++) {
    const a = weights[i] * input.min;
    const b = weights[i] * input.max;
    min += Math.min(a, b);
    max += Math.max(a, b);
  }
  return { min, max };
}

/** The smallest signed width holding every value of [min, max] (1 bit holds [-1, 0]). */
export function signedBits(min: number, max: number): number {
  if (!(Number.isSafeInteger(min) && Number.isSafeInteger(max) && min <= max)) throw new Error(`signed width of [${min}, ${max}]: not a range of safe integers`);
  let bits = 1;
  while (min < -(2 ** (bits - 1)) || max > 2 ** (bits - 1) - 1) bits++;
  return bits;
}

/** The accumulator width of each output o of a dense layer: weights row-major [nOut][nIn], foldedBias[o]. */
export function outputAccumulatorBits(weights: ArrayLike<number>, foldedBias: readonly number[], nIn: number, input: InputRange = INT8): number[] {
  if (weights.length !== nIn * foldedBias.length) throw new Error(`accumulator widths: ${weights.length} weights for ${foldedBias.length} outputs of ${nIn} inputs`);
  return foldedBias.map((b, o) => {
    const r = accumulatorRange(Array.prototype.slice.call(weights, o * nIn, (o + 1) * nIn) as number[], b, input);
    return signedBits(r.min, r.max);
  });
}

/** The accumulator width of a whole layer (ACC_BITS of ep_dense_rf1): the widest of its outputs. */
export function layerAccumulatorBits(weights: ArrayLike<number>, foldedBias: readonly number[], nIn: number, input: InputRange = INT8): number {
  return Math.max(...outputAccumulatorBits(weights, foldedBias, nIn, input));
}

/**
 * ep_dense_folded's accumulator width (its ACC_BITS): a bound rather than the exact range above, |foldedBias[o]| +
 * 128·Σ|w| of the widest output (a bias beyond 2^30 in magnitude, or a sum that reaches it, counts as 2^30 and up),
 * at least 17 bits (the module sign-extends each 16-bit product), at most 32. The module's netlists and the FPGA
 * calibrations were made with this rule; the exact range would narrow some layers by a bit or two.
 */
export function foldedAccumulatorBits(weights: ArrayLike<number>, foldedBias: readonly number[], nIn: number): number {
  let worst = 0;
  for (let o = 0; o < foldedBias.length; o++) {
    let bound = Math.abs(foldedBias[o]);
    if (bound > 0x3fffffff) bound = 0x40000000;
    for (let i = 0; i < nIn; i++) if (bound <= 0x3fffffff) bound += 128 * Math.abs(weights[o * nIn + i]);
    worst = Math.max(worst, bound);
  }
  let bits = 17;
  for (let n = 17; n < 32; n++) if (2 ** (n - 1) <= worst) bits = n + 1;
  return bits;
}
