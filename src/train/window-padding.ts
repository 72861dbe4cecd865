// The TF.js padding ('valid', 'same' or explicit zero padding) equivalent to a convolution's or pool's resolved
// window geometry in the IR, or none when TF.js cannot express it.

/**
 * How padded positions count in a sliding window: 'zeros' (convolutions, and average pools with
 * count_include_pad) or 'ignored' (max pools, average pools without count_include_pad).
 */
type PadSemantics = 'zeros' | 'ignored';

/**
 * The TF.js padding of a sliding window equivalent to the IR's resolved geometry: 'valid', 'same'
 * (TF's rule: out = ceil(n/s), the smaller half of the padding first; convolutions pad zeros,
 * pools leave padding out, average pools of the count too), or explicit zero padding in front of a
 * 'valid' window where padded zeros count.
 */
export function windowPadding(
  inSpatial: number[],
  kernel: number[],
  strides: number[],
  geometry: { padBegin: number[]; padEnd: number[]; outSpatial: number[] },
  pads: PadSemantics,
  convolution: boolean,
): { mode: 'valid' | 'same' } | { mode: 'zero'; pads: [[number, number], [number, number]] } | undefined {
  const { padBegin, padEnd, outSpatial } = geometry;
  const validOut = inSpatial.map((n, i) => Math.floor((n - kernel[i]) / strides[i]) + 1);
  if (padBegin.every((p) => p === 0) && outSpatial.every((o, i) => o === validOut[i])) return { mode: 'valid' };
  const sameOut = inSpatial.map((n, i) => Math.ceil(n / strides[i]));
  const sameBegin = inSpatial.map((n, i) => Math.floor(Math.max(0, (sameOut[i] - 1) * strides[i] + kernel[i] - n) / 2));
  const isSame = outSpatial.every((o, i) => o === sameOut[i]) && padBegin.every((p, i) => p === sameBegin[i]);
  // TF's 'same' pads zeros for convolutions and leaves padding out of pools.
  if (isSame && (convolution || pads === 'ignored')) return { mode: 'same' };
  if (pads !== 'zeros') return undefined;
  const paddedOut = inSpatial.map((n, i) => Math.floor((n + padBegin[i] + padEnd[i] - kernel[i]) / strides[i]) + 1);
  if (!outSpatial.every((o, i) => o === paddedOut[i])) return undefined;
  return { mode: 'zero', pads: [[padBegin[0], padEnd[0]], [padBegin[1], padEnd[1]]] };
}
