// Random int8 dense layers for the RTL tests: the layer's constants, the wrapper modules (ep_dense_rf1_tb_top,
// ep_dense_folded_tb_top) that instantiate ep_dense_rf1 or ep_dense_folded with them, and the interpreter's Int8Gemm
// outputs on a batch of vectors.
import { packedLiteral } from '../../src/emit/verilog/verilog-literals.js';
import { Tensor } from '../../src/ir/tensor.js';
import { Int8Gemm } from '../../src/ops/int8-gemm.js';
import { channelMultipliers } from '../../src/ops/util/int8-params.js';
import { Random } from '../../src/util/random.js';
import { attr, evalOp } from '../c-kernels/harness.js';

export interface LayerSpec {
  name: string;
  nIn: number;
  nOut: number;
  sparsity: number;
  xZero: number;
  yZero: number;
  actMin: number;
  actMax: number;
}

const f32 = (values: number[]) => Tensor.fromNumbers('float32', [values.length], values);
const s8 = (v: number) => Tensor.fromNumbers('int8', [1], [v]);

export interface Layer {
  spec: LayerSpec;
  weights: number[];
  bias: number[];
  wScale: number[];
}

export function randomLayer(spec: LayerSpec, seed: number): Layer {
  const r = new Random(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(r.next() * (hi - lo + 1));
  const weights = Array.from({ length: spec.nIn * spec.nOut }, () => (r.next() < spec.sparsity ? 0 : int(-127, 127)));
  const bias = Array.from({ length: spec.nOut }, () => int(-5000, 5000));
  // Output scales that put the accumulators' spread over the int8 range.
  const wScale = Array.from({ length: spec.nOut }, () => r.uniform(0.5, 2) / (40 * Math.sqrt(spec.nIn) * 127));
  return { spec, weights, bias, wScale };
}

/** The layer's constants as the parameters of ep_dense_rf1 and ep_dense_folded (bias folded with the input zero point). */
export function layerParameters(layer: Layer): string {
  const { spec } = layer;
  const mults = channelMultipliers(f32([1]), f32(layer.wScale), f32([1]), spec.nOut, { name: 'rtl_dense', opType: 'Int8Gemm', domain: '', inputs: [], outputs: [], attrs: {} });
  const folded = layer.bias.map((b, o) => b - spec.xZero * layer.weights.slice(o * spec.nIn, (o + 1) * spec.nIn).reduce((s, w) => s + w, 0));
  return `.N_IN(${spec.nIn}), .N_OUT(${spec.nOut}),
        .WEIGHTS(${packedLiteral(layer.weights, 8)}),
        .BIAS(${packedLiteral(folded, 32)}),
        .MULT(${packedLiteral(mults.map((m) => m.multiplier), 31)}),
        .SHIFT(${packedLiteral(mults.map((m) => m.shift), 6)}),
        .Y_ZP(${spec.yZero}), .ACT_MIN(${spec.actMin}), .ACT_MAX(${spec.actMax})`;
}

/** A stream wrapper `top` around one instance of `module` with `parameters`: the ports of every layer module. */
function streamWrapper(top: string, module: string, parameters: string, nIn: number, nOut: number): string {
  return `module ${top} (
    input wire clk, input wire rst,
    input wire in_valid, output wire in_ready, input wire [${8 * nIn - 1}:0] in_data,
    output wire out_valid, input wire out_ready, output wire [${8 * nOut - 1}:0] out_data
);
    ${module} #(
        ${parameters}
    ) layer (
        .clk(clk), .rst(rst), .in_valid(in_valid), .in_ready(in_ready), .in_data(in_data),
        .out_valid(out_valid), .out_ready(out_ready), .out_data(out_data)
    );
endmodule
`;
}

/** The wrapper the testbench drives: ep_dense_rf1 with the layer's constants. */
export function wrapper(layer: Layer): string {
  return streamWrapper('ep_dense_rf1_tb_top', 'ep_dense_rf1', layerParameters(layer), layer.spec.nIn, layer.spec.nOut);
}

/** ep_dense_folded's options: products as shifts and adds (LUT_PRODUCTS), bias and requantization ROMs in block RAM. */
export interface FoldedOptions {
  lutProducts?: boolean;
  smallRomsInBram?: boolean;
}

/** ep_dense_folded at reuse factor `rf` with the layer's constants, as the module `top`. */
export function foldedWrapper(layer: Layer, rf: number, top = 'ep_dense_folded_tb_top', options: FoldedOptions = {}): string {
  const flags = `.LUT_PRODUCTS(${options.lutProducts ? 1 : 0}), .SMALL_ROMS_IN_BRAM(${options.smallRomsInBram ? 1 : 0})`;
  return streamWrapper(top, 'ep_dense_folded', `.RF(${rf}), ${flags}, ${layerParameters(layer)}`, layer.spec.nIn, layer.spec.nOut);
}

/** The interpreter's Int8Gemm on every vector (one row each). */
export function reference(layer: Layer, vectors: number[][]): number[][] {
  const { spec } = layer;
  const x = Tensor.fromNumbers('int8', [vectors.length, spec.nIn], vectors.flat());
  const y = evalOp(
    Int8Gemm,
    [x, f32([1]), s8(spec.xZero), Tensor.fromNumbers('int8', [spec.nOut, spec.nIn], layer.weights), f32(layer.wScale), f32([1]), s8(spec.yZero), Tensor.fromNumbers('int32', [spec.nOut], layer.bias)],
    { act_min: attr.int(spec.actMin), act_max: attr.int(spec.actMax) },
  );
  const flat = Array.from(y.data as Int8Array);
  return vectors.map((_, i) => flat.slice(i * spec.nOut, (i + 1) * spec.nOut));
}
