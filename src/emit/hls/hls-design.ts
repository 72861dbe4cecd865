// Quantized graph → the HLS C++ design: the RTL emitter's lowering decisions (lowerToRtl: the integer core's node
// list, which nodes are supported, the legal reuse factors) and its constants (denseConstants, convLayer: never
// recomputed), turned into one C++ function per computing layer on whole arrays in the interpreter's NCHW order
// (hls4ml's io_parallel style: no pixel streams, so the RTL's scatter/collect stages and vector views are no code).

import { nodeError } from '../../errors.js';
import type { Graph, Node } from '../../ir/graph.js';
import type { ArgMaxAttrs } from '../../ops/arg-max.js';
import type { MaxPoolAttrs } from '../../ops/max-pool.js';
import { hlsIdentifier } from '../../util/escape.js';
import { convConstants, convLayer } from '../verilog/conv-layer.js';
import { denseConstants, type DenseConstants } from '../verilog/dense-constants.js';
import { windowOutputSize, type WindowGeometry } from '../verilog/design-schedule.js';
import { lowerContext, lowerToRtl, type HostOp, type RtlOptions } from '../verilog/lower-rtl.js';
import type { RtlLayer, StreamFormat } from '../verilog/rtl-layer.js';
import { avgPoolConstants } from '../verilog/lower-avgpool.js';
import { addConstants, type AddConstants } from '../verilog/lower-residual.js';
import { A as ADD_A, B as ADD_B } from '../../ops/int8-add.js';
import { spatialGeometry } from '../verilog/spatial-geometry.js';

interface HlsLayerBase {
  /** The IR node (raw name: comments escape it) and its op. */
  node: string;
  op: string;
  /** The IR value the layer writes (the trace compares it with the interpreter's). */
  output: string;
  /** Elements of the output array; its C type. */
  outSize: number;
  outType: 'int8_t' | 'int32_t';
  inSize: number;
  reuseFactor: number;
}

/** Requantization constants shared by dense and conv layers. */
export interface HlsRequant {
  bias: number[];
  mult: number[];
  shift: number[];
  yZero: number;
  actMin: number;
  actMax: number;
}

export interface HlsDense extends HlsLayerBase, HlsRequant {
  kind: 'dense';
  nIn: number;
  nOut: number;
  /** Row-major [nOut][nIn], the model's column order. */
  weights: Int8Array;
  /** Products per cycle: N_IN·N_OUT/RF (RF = 1: all of them). */
  parallel: number;
}

export interface HlsConv extends HlsLayerBase, HlsRequant {
  kind: 'conv';
  geometry: WindowGeometry;
  cIn: number;
  cOut: number;
  outHeight: number;
  outWidth: number;
  /** K·K·C_IN. */
  taps: number;
  xZero: number;
  /** [C_OUT][C_IN·K·K], ONNX order. */
  weights: Int8Array;
  /** Products per cycle: C_OUT·TAPS/RF. */
  parallel: number;
}

export interface HlsMaxPool extends HlsLayerBase {
  kind: 'maxpool';
  geometry: WindowGeometry;
  channels: number;
  outHeight: number;
  outWidth: number;
}

export interface HlsArgMax extends HlsLayerBase {
  kind: 'argmax';
  n: number;
  selectLast: boolean;
}

export interface HlsAvgPool extends HlsLayerBase {
  kind: 'avgpool';
  geometry: WindowGeometry;
  channels: number;
  outHeight: number;
  outWidth: number;
  /** Divide by K·K (count_include_pad) rather than by the taps inside the image. */
  countPad: boolean;
  xZero: number;
  /** The multiplier and shift of each count 1..K·K. */
  mult: number[];
  shift: number[];
  yZero: number;
  actMin: number;
  actMax: number;
}

/** Int8Add of two earlier arrays (a residual block's join): element by element. */
export interface HlsAdd extends HlsLayerBase {
  kind: 'add';
  /** The HLS layers whose outputs are the Add's inputs a and b (-1: the core's input). */
  aFrom: number;
  bFrom: number;
  constants: AddConstants;
}

export type HlsLayer = HlsDense | HlsConv | HlsMaxPool | HlsAvgPool | HlsArgMax | HlsAdd;

export interface HlsDesign {
  graphName: string;
  /** The C++ name of the top function (also the files' prefix). */
  top: string;
  /** The integer core's input value (IR name) and its elements (NCHW order). */
  input: { value: string; size: number };
  layers: HlsLayer[];
  host: { before: HostOp[]; after: HostOp[] };
}

/** Names the generated C++ uses besides its own prefixed ones: a top never takes them. */
const HLS_TAKEN = new Set(['main', 'int8_t', 'int16_t', 'int32_t', 'int64_t', 'uint8_t', 'uint16_t', 'uint32_t', 'uint64_t', 'std', 'printf', 'fprintf', 'fopen', 'fclose', 'fscanf', 'ungetc', 'stderr', 'FILE']);

const elements = (f: StreamFormat): number =>
  f.kind === 'pixels' ? f.height * f.width * f.channels : f.kind === 'index' ? 1 : f.elements;

function requantOf(c: DenseConstants, node: Node): HlsRequant {
  if (c.accBits > 32) {
    throw nodeError(node, `its accumulator needs ${c.accBits} bits; the HLS C++ sums in an int32_t as the interpreter's int8 rule does`, 'quantize the model again (edgeprune quantize) or prune the layer: its sums leave the int32 range');
  }
  return {
    bias: c.foldedBias,
    mult: c.requant.map((m) => m.multiplier),
    shift: c.requant.map((m) => m.shift),
    yZero: c.yZero,
    actMin: c.actMin,
    actMax: c.actMax,
  };
}

function nodeWriting(g: Graph, value: string): Node {
  const node = g.nodes.find((n) => n.outputs[0] === value);
  if (!node) throw new Error(`no node writes '${value}'`);
  return node;
}

/** One RTL layer as an HLS function, or null for the layers that move data only (scatter, collect, views, fork, FIFO). */
function hlsLayer(g: Graph, l: RtlLayer, options: RtlOptions, producer: (value: string) => number): HlsLayer | null {
  if (!l.hardware || l.kind === 'scatter' || l.kind === 'collect' || l.kind === 'fork' || l.kind === 'fifo') return null;
  const node = nodeWriting(g, l.output);
  const rf = l.hardware.reuseFactor ?? 1;
  const base = { node: node.name, op: node.opType, output: l.output, reuseFactor: rf, inSize: elements(l.inFormat), outSize: elements(l.outFormat) };
  if (l.kind === 'dense-rf1' || l.kind === 'dense-folded') {
    // The model's own column order: the HLS arrays stay NCHW, so no permutation after a Flatten of pixels.
    const c = denseConstants(lowerContext(g, node, { kind: 'vector', elements: elements(l.inFormat) }, options));
    return { ...base, kind: 'dense', outType: 'int8_t', inSize: c.nIn, outSize: c.nOut, nIn: c.nIn, nOut: c.nOut, weights: c.weights, parallel: (c.nIn * c.nOut) / rf, ...requantOf(c, node) };
  }
  if (l.kind === 'conv-stream' || l.kind === 'conv-folded') {
    const ctx = lowerContext(g, node, l.inFormat, options);
    const conv = convLayer(ctx);
    if (typeof conv === 'string') throw new Error(conv);
    const c = convConstants(ctx);
    const out = windowOutputSize(conv.geometry);
    return {
      ...base, kind: 'conv', outType: 'int8_t', geometry: conv.geometry, cIn: conv.cIn, cOut: conv.cOut, outHeight: out.height, outWidth: out.width,
      taps: conv.taps, xZero: c.xZero, weights: c.weights, parallel: (conv.cOut * conv.taps) / rf, ...requantOf(c, node),
    };
  }
  if (l.kind === 'maxpool-stream') {
    const ctx = lowerContext(g, node, l.inFormat, options);
    const geometry = spatialGeometry(ctx, (ctx.attrs as MaxPoolAttrs).kernelShape, ctx.attrs as MaxPoolAttrs);
    if (typeof geometry === 'string') throw new Error(geometry);
    const out = windowOutputSize(geometry);
    const channels = l.inFormat.kind === 'pixels' ? l.inFormat.channels : 1;
    return { ...base, kind: 'maxpool', outType: 'int8_t', geometry, channels, outHeight: out.height, outWidth: out.width };
  }
  if (l.kind === 'avgpool-stream') {
    const c = avgPoolConstants(lowerContext(g, node, l.inFormat, options));
    const out = windowOutputSize(c.geometry);
    const channels = l.inFormat.kind === 'pixels' ? l.inFormat.channels : 1;
    return {
      ...base, kind: 'avgpool', outType: 'int8_t', geometry: c.geometry, channels, outHeight: out.height, outWidth: out.width, countPad: c.countPad,
      xZero: c.xZero, mult: c.perCount.map((m) => m.multiplier), shift: c.perCount.map((m) => m.shift), yZero: c.yZero, actMin: c.actMin, actMax: c.actMax,
    };
  }
  if (l.kind === 'add-stream') {
    return { ...base, kind: 'add', outType: 'int8_t', aFrom: producer(node.inputs[ADD_A]), bFrom: producer(node.inputs[ADD_B]), constants: addConstants(g, node) };
  }
  if (l.kind === 'argmax') {
    const n = elements(l.inFormat);
    return { ...base, kind: 'argmax', outType: 'int32_t', outSize: 1, n, selectLast: (lowerContext(g, node, l.inFormat, options).attrs as ArgMaxAttrs).selectLastIndex };
  }
  throw new Error(`the HLS emitter has no function for the RTL layer kind '${l.kind}' (node '${l.node}')`);
}

/** The HLS design of a quantized graph: the same models, refusals and reuse factors as the RTL emitter. */
export function lowerToHls(g: Graph, options: RtlOptions = {}): HlsDesign {
  const rtl = lowerToRtl(g, options);
  // Which HLS layer's array holds each value (-1: the core's input): a layer without code passes its input's on.
  const arrayOf = new Map<string, number>([[rtl.input.value, -1]]);
  const producer = (value: string) => {
    const at = arrayOf.get(value);
    if (at === undefined) throw new Error(`no HLS array holds '${value}'`);
    return at;
  };
  const layers: HlsLayer[] = [];
  for (const l of rtl.layers) {
    const h = hlsLayer(g, l, options, producer);
    if (h) layers.push(h);
    arrayOf.set(l.output, h ? layers.length - 1 : producer(l.input));
  }
  if (layers.length === 0) throw new Error('the integer core has no computing layer');
  // The RTL top is a Verilog identifier, not an ep_ name; C++ has its own keywords, and the generated files their own
  // names (the testbench's main, the fixed-width types).
  const named = hlsIdentifier(rtl.top);
  const top = HLS_TAKEN.has(named) ? `${named}_core` : named;
  return {
    graphName: rtl.graphName,
    top,
    input: { value: rtl.input.value, size: elements(rtl.input.format) },
    layers,
    host: rtl.host,
  };
}
