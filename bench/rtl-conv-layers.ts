// Int8 convolution layers for the RTL tests and benches: random ones or a quantized model's Int8Conv nodes, and the
// wrapper module (ep_conv_stream_tb_top or ep_conv_folded_tb_top) that instantiates the layer module with their
// constants. The interpreter's reference is in test/verilog/conv-layers.ts.
import { packedLiteral } from '../src/emit/verilog/verilog-literals.js';
import type { Graph, Node } from '../src/ir/graph.js';
import { Tensor } from '../src/ir/tensor.js';
import { channelMultipliers, LAYER_INPUTS } from '../src/ops/util/int8-params.js';
import { Random } from '../src/util/random.js';

/** A sliding window's geometry: an H x W image, a K x K kernel, its padding and stride. */
export interface Geometry {
  H: number;
  W: number;
  K: number;
  pad: number;
  stride: number;
}

export interface ConvLayer extends Geometry {
  name: string;
  cIn: number;
  cOut: number;
  /** M x C x K x K, int8 (ONNX order). */
  weights: number[];
  bias: number[];
  xScale: number;
  wScale: number[];
  yScale: number;
  xZero: number;
  yZero: number;
  actMin: number;
  actMax: number;
}

export interface ConvSpec extends Geometry {
  name: string;
  cIn: number;
  cOut: number;
  sparsity: number;
  xZero: number;
  yZero: number;
  actMin: number;
  actMax: number;
}

const f32 = (values: number[]) => Tensor.fromNumbers('float32', [values.length], values);

export function randomConv(spec: ConvSpec, seed: number): ConvLayer {
  const r = new Random(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(r.next() * (hi - lo + 1));
  const taps = spec.cIn * spec.K * spec.K;
  const weights = Array.from({ length: spec.cOut * taps }, () => (r.next() < spec.sparsity ? 0 : int(-127, 127)));
  const bias = Array.from({ length: spec.cOut }, () => int(-5000, 5000));
  // Output scales that spread the outputs over the int8 range (a few saturate), so an error of one product shows.
  const wScale = Array.from({ length: spec.cOut }, () => r.uniform(0.5, 2) / (60 * Math.sqrt(taps)));
  return { ...spec, weights, bias, xScale: 1, wScale, yScale: 1 };
}

/** The Int8Conv node `name` of a quantized model as a layer (group 1, dilation 1, square kernel, symmetric pads). */
export function modelConv(g: Graph, node: Node, H: number, W: number): ConvLayer {
  const { X_SCALE, X_ZERO, W: WI, W_SCALE, Y_SCALE, Y_ZERO, BIAS } = LAYER_INPUTS;
  const init = (i: number) => {
    const t = g.initializers.get(node.inputs[i]);
    if (!t) throw new Error(`${node.name}: input ${i} is not a constant`);
    return Array.from(t.data as ArrayLike<number | bigint>, Number);
  };
  const w = g.initializers.get(node.inputs[WI])!;
  const [cOut, cIn, K] = w.shape;
  const ints = (a: string, d: number[]) => {
    const v = node.attrs[a];
    return v && v.kind === 'ints' ? v.value : d;
  };
  const int = (a: string, d: number) => {
    const v = node.attrs[a];
    return v && v.kind === 'int' ? v.value : d;
  };
  const pads = ints('pads', [0, 0, 0, 0]);
  const strides = ints('strides', [1, 1]);
  if (new Set(pads).size !== 1 || strides[0] !== strides[1] || w.shape[2] !== w.shape[3] || int('group', 1) !== 1) throw new Error(`${node.name}: not a square symmetric group-1 conv`);
  return {
    name: node.name,
    H, W, K, pad: pads[0], stride: strides[0], cIn, cOut,
    weights: init(WI),
    bias: node.inputs[BIAS] ? init(BIAS) : new Array<number>(cOut).fill(0),
    xScale: init(X_SCALE)[0],
    wScale: init(W_SCALE),
    yScale: init(Y_SCALE)[0],
    xZero: init(X_ZERO)[0],
    yZero: init(Y_ZERO)[0],
    actMin: int('act_min', -128),
    actMax: int('act_max', 127),
  };
}

const NODE: Node = { name: 'rtl_conv', opType: 'Int8Conv', domain: '', inputs: [], outputs: [], attrs: {} };

/** ep_conv_stream's parameters for the layer (bias folded with the input zero point). */
export function convParameters(l: ConvLayer): string {
  const taps = l.cIn * l.K * l.K;
  const wScale = l.wScale.length === 1 ? new Array<number>(l.cOut).fill(l.wScale[0]) : l.wScale;
  const mults = channelMultipliers(f32([l.xScale]), f32(wScale), f32([l.yScale]), l.cOut, NODE);
  const folded = l.bias.map((b, o) => b - l.xZero * l.weights.slice(o * taps, (o + 1) * taps).reduce((s, w) => s + w, 0));
  return `.H(${l.H}), .W(${l.W}), .C_IN(${l.cIn}), .C_OUT(${l.cOut}), .K(${l.K}), .PAD(${l.pad}), .STRIDE(${l.stride}), .X_ZP(${l.xZero}),
        .WEIGHTS(${packedLiteral(l.weights, 8)}),
        .BIAS(${packedLiteral(folded, 32)}),
        .MULT(${packedLiteral(mults.map((m) => m.multiplier), 31)}),
        .SHIFT(${packedLiteral(mults.map((m) => m.shift), 6)}),
        .Y_ZP(${l.yZero}), .ACT_MIN(${l.actMin}), .ACT_MAX(${l.actMax})`;
}

/** The wrapper the testbench drives: ep_conv_stream with the layer's constants, or ep_conv_folded with P = `fold`. */
export function convWrapper(l: ConvLayer, fold?: number): string {
  const module = fold === undefined ? 'ep_conv_stream' : 'ep_conv_folded';
  return `module ${module}_tb_top (
    input wire clk, input wire rst,
    input wire in_valid, output wire in_ready, input wire [${8 * l.cIn - 1}:0] in_data,
    output wire out_valid, input wire out_ready, output wire [${8 * l.cOut - 1}:0] out_data
);
    ${module} #(
        ${fold === undefined ? '' : `.P(${fold}), `}${convParameters(l)}
    ) layer (
        .clk(clk), .rst(rst), .in_valid(in_valid), .in_ready(in_ready), .in_data(in_data),
        .out_valid(out_valid), .out_ready(out_ready), .out_data(out_data)
    );
endmodule
`;
}
