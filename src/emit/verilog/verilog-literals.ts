// Verilog literals for the constants of a layer: signed integers packed into one wide parameter (element 0 in the
// lowest bits), as the modules of templates/verilog/lib take their weights, biases and requantization constants.

/** `values` as two's complement `bits`-bit fields packed into one sized hex literal, element i at [bits*i +: bits]. */
export function packedLiteral(values: ArrayLike<number>, bits: number): string {
  if (!Number.isInteger(bits) || bits < 1 || bits > 64) throw new Error(`packedLiteral: field width ${bits} is not in 1..64`);
  const mask = (1n << BigInt(bits)) - 1n;
  let packed = 0n;
  for (let i = values.length - 1; i >= 0; i--) {
    const v = values[i];
    if (!Number.isInteger(v)) throw new Error(`packedLiteral: element ${i} (${v}) is not an integer`);
    const min = -(2 ** (bits - 1));
    const max = 2 ** bits - 1;
    if (v < min || v > max) throw new Error(`packedLiteral: element ${i} (${v}) does not fit ${bits} bits`);
    packed = (packed << BigInt(bits)) | (BigInt(v) & mask);
  }
  const total = Math.max(1, values.length * bits);
  return `${total}'h${packed.toString(16)}`;
}
