// Random int8 dense layers for the RTL tests (bench/rtl-layers.ts: constants and the ep_dense_rf1 wrapper), the vectors
// that drive each accumulator to the ends of its range, and the interpreter's Int8Gemm outputs on a batch of vectors.
import { f32, foldedBias, gemmAttrs, layerWrapper, type Layer } from '../../bench/rtl-layers.js';
import { foldedAccumulatorBits } from '../../src/emit/verilog/accumulator-bits.js';
import { Tensor } from '../../src/ir/tensor.js';
import { Int8Gemm } from '../../src/ops/int8-gemm.js';
import { evalOp } from '../c-kernels/harness.js';

export { foldedBias, layerWidths, randomLayer, wrapper, type Layer, type LayerSpec } from '../../bench/rtl-layers.js';

const s8 = (v: number) => Tensor.fromNumbers('int8', [1], [v]);

/** Input vectors that drive each output's accumulator to both ends of its range (x_i = 127 or -128 by the sign of w). */
export function extremeVectors(layer: Layer): number[][] {
  const { nIn, nOut } = layer.spec;
  return Array.from({ length: nOut }, (_, o) => {
    const row = layer.weights.slice(o * nIn, (o + 1) * nIn);
    return [row.map((w) => (w > 0 ? 127 : -128)), row.map((w) => (w > 0 ? -128 : 127))];
  }).flat();
}

/** The interpreter's Int8Gemm on every vector (one row each). */
export function reference(layer: Layer, vectors: number[][]): number[][] {
  const { spec } = layer;
  const x = Tensor.fromNumbers('int8', [vectors.length, spec.nIn], vectors.flat());
  const y = evalOp(
    Int8Gemm,
    [x, f32([1]), s8(spec.xZero), Tensor.fromNumbers('int8', [spec.nOut, spec.nIn], layer.weights), f32(layer.wScale), f32([1]), s8(spec.yZero), Tensor.fromNumbers('int32', [spec.nOut], layer.bias)],
    gemmAttrs(spec),
  );
  const flat = Array.from(y.data as Int8Array);
  return vectors.map((_, i) => flat.slice(i * spec.nOut, (i + 1) * spec.nOut));
}

/** ep_dense_folded's options: products as shifts and adds (LUT_PRODUCTS), bias and requantization ROMs in block RAM. */
export interface FoldedOptions {
  lutProducts?: boolean;
  smallRomsInBram?: boolean;
  /** One input element per beat, kept in block RAM (SERIAL_IN; P = 1 only). */
  serialIn?: boolean;
  /** One output element per beat (SERIAL_OUT). */
  serialOut?: boolean;
  /** The accumulator width (ACC_BITS); default: the emitter's (foldedAccumulatorBits). */
  accBits?: number;
}

/** ep_dense_folded at reuse factor `rf` with the layer's constants, as the module `top`. */
export function foldedWrapper(layer: Layer, rf: number, top = 'ep_dense_folded_tb_top', options: FoldedOptions = {}): string {
  const flags = [`.LUT_PRODUCTS(${options.lutProducts ? 1 : 0})`, `.SMALL_ROMS_IN_BRAM(${options.smallRomsInBram ? 1 : 0})`, `.SERIAL_IN(${options.serialIn ? 1 : 0})`, `.SERIAL_OUT(${options.serialOut ? 1 : 0})`];
  const beatBytes = { in: options.serialIn ? 1 : layer.spec.nIn, out: options.serialOut ? 1 : layer.spec.nOut };
  const accBits = options.accBits ?? foldedAccumulatorBits(layer.weights, foldedBias(layer), layer.spec.nIn);
  return layerWrapper(layer, top, 'ep_dense_folded', [`.RF(${rf})`, `.ACC_BITS(${accBits})`, ...flags], [], beatBytes);
}
