// Random int8 dense layers for the RTL tests and benches: the layer's constants (an Int8Gemm with unit x and y scales) and
// the wrapper module (ep_dense_rf1_tb_top) that instantiates ep_dense_rf1 with them. A narrowed layer (multBits < 31) is
// an Int8Gemm with multiplier_bits = multBits, instantiated with MULT_BITS = multBits and ACC_BITS = its exact
// accumulator width (src/emit/verilog/accumulator-bits.ts). The interpreter's reference is in test/verilog/dense-layers.ts.
import { layerAccumulatorBits } from '../src/emit/verilog/accumulator-bits.js';
import { packedLiteral } from '../src/emit/verilog/verilog-literals.js';
import type { AttrValue, Node } from '../src/ir/graph.js';
import { Tensor } from '../src/ir/tensor.js';
import { channelMultipliers } from '../src/ops/util/int8-params.js';
import { Random } from '../src/util/random.js';

export interface LayerSpec {
  name: string;
  nIn: number;
  nOut: number;
  sparsity: number;
  xZero: number;
  yZero: number;
  actMin: number;
  actMax: number;
  /** Significant bits of the multipliers (default 31); below 31 the layer is narrowed (MULT_BITS, exact ACC_BITS). */
  multBits?: number;
}

export const f32 = (values: number[]) => Tensor.fromNumbers('float32', [values.length], values);
const intAttr = (value: number): AttrValue => ({ kind: 'int', value });

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

const multBits = (spec: LayerSpec) => spec.multBits ?? 31;
const narrowed = (spec: LayerSpec) => multBits(spec) < 31;

/** The Int8Gemm node's attributes: the clamp, and multiplier_bits for a narrowed layer. */
export function gemmAttrs(spec: LayerSpec): Node['attrs'] {
  return {
    act_min: intAttr(spec.actMin),
    act_max: intAttr(spec.actMax),
    ...(narrowed(spec) ? { multiplier_bits: intAttr(multBits(spec)) } : {}),
  };
}

/** The bias folded with the input zero point: B[o] - x_zp * sum_i W[o][i]. */
export function foldedBias(layer: Layer): number[] {
  const { spec } = layer;
  return layer.bias.map((b, o) => b - spec.xZero * layer.weights.slice(o * spec.nIn, (o + 1) * spec.nIn).reduce((s, w) => s + w, 0));
}

/** ep_dense_rf1's ACC_BITS and MULT_BITS for the layer: 32 and 31, or exact and multBits when narrowed. */
export function layerWidths(layer: Layer): { accBits: number; multBits: number } {
  const { spec } = layer;
  return narrowed(spec) ? { accBits: layerAccumulatorBits(layer.weights, foldedBias(layer), spec.nIn), multBits: multBits(spec) } : { accBits: 32, multBits: 31 };
}

/**
 * A stream wrapper module `top` around one instance of `module` with the layer's constants (bias folded with the input
 * zero point): `before` and `after` are the module's own parameters around N_IN and N_OUT (".RF(8)", ...).
 */
export function layerWrapper(layer: Layer, top: string, module: string, before: string[], after: string[], beatBytes = { in: layer.spec.nIn, out: layer.spec.nOut }): string {
  const { spec } = layer;
  const node = { name: 'rtl_dense', opType: 'Int8Gemm', domain: '', inputs: [], outputs: [], attrs: gemmAttrs(spec) };
  const mults = channelMultipliers(f32([1]), f32(layer.wScale), f32([1]), spec.nOut, node);
  return `module ${top} (
    input wire clk, input wire rst,
    input wire in_valid, output wire in_ready, input wire [${8 * beatBytes.in - 1}:0] in_data,
    output wire out_valid, input wire out_ready, output wire [${8 * beatBytes.out - 1}:0] out_data
);
    ${module} #(
        ${[...before, `.N_IN(${spec.nIn})`, `.N_OUT(${spec.nOut})`, ...after].join(', ')},
        .WEIGHTS(${packedLiteral(layer.weights, 8)}),
        .BIAS(${packedLiteral(foldedBias(layer), 32)}),
        .MULT(${packedLiteral(mults.map((m) => m.multiplier), 31)}),
        .SHIFT(${packedLiteral(mults.map((m) => m.shift), 6)}),
        .Y_ZP(${spec.yZero}), .ACT_MIN(${spec.actMin}), .ACT_MAX(${spec.actMax})
    ) layer (
        .clk(clk), .rst(rst), .in_valid(in_valid), .in_ready(in_ready), .in_data(in_data),
        .out_valid(out_valid), .out_ready(out_ready), .out_data(out_data)
    );
endmodule
`;
}

/** The wrapper the testbench drives: ep_dense_rf1 with the layer's constants and accumulator/multiplier widths. */
export function wrapper(layer: Layer): string {
  const { accBits, multBits: mBits } = layerWidths(layer);
  return layerWrapper(layer, 'ep_dense_rf1_tb_top', 'ep_dense_rf1', [], [`.ACC_BITS(${accBits})`, `.MULT_BITS(${mBits})`]);
}
