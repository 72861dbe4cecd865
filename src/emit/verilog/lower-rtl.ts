// Quantized graph → RTL layer list: the integer core, from the int8 output of the input's QuantizeLinear (or an int8
// graph input) to the last int8 tensor before DequantizeLinear (or an ArgMax's index), each node lowered by the first
// registered lowering that accepts it (rtl-lowerings.ts). A serial stream (one element per beat, from a folded dense
// layer) is collected into one vector beat where the next layer or the core's output needs the whole vector. The
// float head and tail (QuantizeLinear, DequantizeLinear, Softmax) stay on the host and are listed for the generated
// comments.

import { nodeError, UserError } from '../../errors.js';
import { consumers, staticInfo, type Graph, type Node } from '../../ir/graph.js';
import { nodeAttrs } from '../../ir/interpreter.js';
import type { Tensor } from '../../ir/tensor.js';
import { beatsPerVector, describeFormat, type RtlLayer, type RtlLowerContext, type StreamFormat } from './rtl-layer.js';
import { elementsCollector } from './lower-collect.js';
import { lowerResidual, type ResidualContext } from './lower-residual.js';
import { loweringsFor, supportedLayers } from './rtl-lowerings.js';
import { VerilogNames } from './verilog-names.js';

/** A node that runs on the host, around the integer core. */
export interface HostOp {
  node: string;
  op: string;
  /** Its quantization constants, when it has them ("scale 0.0627, zero point -128"). */
  detail?: string;
}

export interface RtlDesign {
  /** The graph's name (raw: comments escape it). */
  graphName: string;
  /** The top module's identifier (also its file's name: <top>.v). */
  top: string;
  /** The integer core's input and output values (IR names) and their streams. */
  input: { value: string; format: StreamFormat };
  output: { value: string; format: StreamFormat };
  layers: RtlLayer[];
  host: { before: HostOp[]; after: HostOp[] };
}

export interface RtlOptions {
  /** The top module's name (default: from the graph's name). */
  top?: string;
  /** Reuse factor per node name (default 1). */
  reuseFactors?: Record<string, number>;
  /** Products as shifts and adds in LUT logic where a module can (ep_dense_folded's LUT_PRODUCTS). */
  productsInLogic?: boolean;
}

/**
 * Library modules and the simulation wrapper known today. Every name starting with `ep_` is the library's: a top
 * module never takes one (a graph named so gets `model_` before it).
 */
export const RTL_FIXED_MODULES = ['ep_dense_rf1', 'ep_requant', 'ep_add_stream', 'ep_avgpool_stream', 'ep_fork', 'ep_fifo', 'ep_argmax', 'ep_conv_stream', 'ep_maxpool_stream', 'ep_collect', 'ep_dense_folded', 'ep_conv_folded', 'ep_window_stream', 'ep_scatter', 'ep_uart_top', 'ep_uart_rx', 'ep_uart_tx', 'ep_model_tb_top'];

const WHAT_TO_DO = 'compile the model for a microcontroller instead (edgeprune compile --target <mcu>), or change the model so that its integer core uses only these layers';

/** The stream that carries a value of this shape: a vector, or pixels for an NCHW image (batch 1 either way). */
export function streamFormatOf(shape: readonly number[], what: string): StreamFormat {
  if (shape.length > 0 && shape[0] !== 1) throw new UserError(`${what} has batch ${shape[0]}; the RTL streams one sample per inference`, 'fix the batch to 1 (--input-shape name=1x...)');
  if (shape.length === 4 && shape[2] * shape[3] > 1) return { kind: 'pixels', height: shape[2], width: shape[3], channels: shape[1] };
  return { kind: 'vector', elements: shape.reduce((a, b) => a * b, 1) };
}

function scalarText(g: Graph, name: string | undefined): string {
  const t = name ? g.initializers.get(name) : undefined;
  return t && t.size === 1 ? String(t.at(0)) : '?';
}

function hostOp(g: Graph, node: Node): HostOp {
  if (node.opType === 'QuantizeLinear' || node.opType === 'DequantizeLinear') {
    return { node: node.name, op: node.opType, detail: `scale ${scalarText(g, node.inputs[1])}, zero point ${scalarText(g, node.inputs[2])}` };
  }
  return { node: node.name, op: node.opType };
}

/** The core's input value: an int8 graph input, or the int8 output of the one QuantizeLinear reading the float input. */
function coreInput(g: Graph, users: Map<string, Node[]>): { value: string; before: Node[] } {
  if (g.inputs.length !== 1) throw new UserError(`the model has ${g.inputs.length} inputs; the RTL emitter streams one`, WHAT_TO_DO);
  const input = g.inputs[0];
  if (input.dtype === 'int8') return { value: input.name, before: [] };
  const readers = users.get(input.name) ?? [];
  const q = readers.length === 1 && readers[0].opType === 'QuantizeLinear' ? readers[0] : undefined;
  if (!q || staticInfo(g, q.outputs[0]).dtype !== 'int8') {
    throw new UserError(
      `input '${input.name}' is ${input.dtype} and not read by one QuantizeLinear to int8: the RTL emitter takes a quantized model`,
      'quantize the model first (edgeprune quantize <model> --data <csv> --out q.onnx)',
    );
  }
  return { value: q.outputs[0], before: [q] };
}

/** What a lowering sees of `node` on this input (also the HLS emitter's way to the same constants: src/emit/hls/). */
export function lowerContext(g: Graph, node: Node, input: StreamFormat, options: RtlOptions = {}): RtlLowerContext {
  return {
    graph: g,
    node,
    attrs: nodeAttrs(node),
    input,
    reuseFactor: options.reuseFactors?.[node.name] ?? 1,
    productsInLogic: options.productsInLogic ?? false,
    type: (name: string) => staticInfo(g, name),
    constant: (name: string): Tensor | undefined => g.initializers.get(name),
  };
}

/** The first registered lowering that accepts the node on this input, or the reasons every one refused it. */
function tryLowerings(g: Graph, node: Node, input: StreamFormat, options: RtlOptions): RtlLayer | string[] {
  const ctx = lowerContext(g, node, input, options);
  const reasons: string[] = [];
  for (const lowering of loweringsFor(node.domain, node.opType)) {
    const reason = lowering.refuse(ctx);
    if (reason === undefined) return lowering.lower(ctx);
    reasons.push(reason);
  }
  return reasons;
}

/** The node's layer, after a collector of its serial input when only the whole vector will do. */
function lowerNode(g: Graph, node: Node, input: StreamFormat, value: string, previous: string, options: RtlOptions): RtlLayer[] {
  if (loweringsFor(node.domain, node.opType).length === 0) {
    throw nodeError(node, `the RTL emitter has no hardware for ${node.domain ? `${node.domain}.` : ''}${node.opType}; it supports ${supportedLayers()}`, WHAT_TO_DO);
  }
  const direct = tryLowerings(g, node, input, options);
  if (!Array.isArray(direct)) return [direct];
  if (input.kind === 'elements') {
    const collector = elementsCollector(value, previous, input);
    const collected = tryLowerings(g, node, collector.outFormat, options);
    if (!Array.isArray(collected)) return [collector, collected];
  }
  throw nodeError(node, `the RTL emitter cannot build it: ${direct.join('; ')}; it supports ${supportedLayers()}`, WHAT_TO_DO);
}

/** ep_scatter: the core's input vector (NCHW order) → its pixels, one per beat (the trace compares them with the input). */
function scatterLayer(value: string, node: string, inFormat: StreamFormat, pixels: StreamFormat & { kind: 'pixels' }): RtlLayer {
  const n = pixels.height * pixels.width;
  return {
    kind: 'scatter',
    node,
    op: 'ep_scatter',
    input: value,
    output: value,
    inFormat,
    outFormat: pixels,
    hardware: {
      module: 'ep_scatter',
      libraryFiles: ['ep_scatter.v'],
      params: [{ name: 'N', value: String(n) }, { name: 'C', value: String(pixels.channels) }],
      latencyCycles: n,
      initiationInterval: n,
      reuseFactor: 1,
      beatTimes: (offered) => Array.from({ length: n }, (_, p) => offered[0] + 1 + p),
      multipliers: { weights: 0, requantizers: 0 },
    },
  };
}

/** Lower a quantized graph (as `edgeprune quantize` writes it) to the RTL layers of its integer core. */
export function lowerToRtl(g: Graph, options: RtlOptions = {}): RtlDesign {
  const users = consumers(g);
  const outputs = new Set(g.outputs.map((o) => o.name));
  const start = coreInput(g, users);
  const streamed = streamFormatOf(staticInfo(g, start.value).shape, `the quantized input '${start.value}'`);
  // An image enters as one vector (its NCHW elements in one beat, as the host and the board top send it) and
  // ep_scatter streams its pixels: the core's interface is one beat per vector in and out.
  const inputFormat: StreamFormat = streamed.kind === 'pixels' ? { kind: 'vector', elements: beatsPerVector(streamed) * streamed.channels } : streamed;
  const layers: RtlLayer[] = streamed.kind === 'pixels' ? [scatterLayer(start.value, start.before[0]?.name ?? start.value, inputFormat, streamed)] : [];
  const core = new Set<Node>();
  let value = start.value;
  let format = streamed;
  for (;;) {
    const readers = users.get(value) ?? [];
    if (readers.length === 0 || format.kind === 'index') break;
    if (readers.length > 1 && !outputs.has(value)) {
      const residual: ResidualContext = {
        graph: g, users, layers, inputBeats: beatsPerVector(inputFormat),
        lowerNode: (node, input, read, previous) => lowerNode(g, node, input, read, previous, options),
      };
      const block = lowerResidual(residual, value, format);
      if (block) {
        for (const node of block.nodes) core.add(node);
        value = block.value;
        format = block.format;
        continue;
      }
    }
    if (readers.length > 1 || (outputs.has(value) && readers.length > 0)) {
      throw new UserError(
        `value '${value}' feeds ${readers.length + (outputs.has(value) ? 1 : 0)} readers; the RTL emitter builds a chain of layers, and residual blocks (a pixel stream read by an Int8Add and by the chain of layers that ends in its other input)`,
        WHAT_TO_DO,
      );
    }
    const node = readers[0];
    if (node.opType === 'DequantizeLinear') break;
    const lowered = lowerNode(g, node, format, value, layers[layers.length - 1]?.node ?? node.name, options);
    for (const layer of lowered) {
      if (layer.inFormat !== format) throw new Error(`lowering of '${node.name}' changed its input format`);
      layers.push(layer);
      format = layer.outFormat;
    }
    core.add(node);
    value = lowered[lowered.length - 1].output;
  }
  if (format.kind === 'elements') {
    const collector = elementsCollector(value, layers[layers.length - 1].node, format);
    layers.push(collector);
    format = collector.outFormat;
  }
  if (!layers.some((l) => l.hardware)) throw new UserError('the integer core of the model has no layer to build in hardware', WHAT_TO_DO);
  if (beatsPerVector(format) !== 1) {
    throw new UserError(`the integer core ends in ${describeFormat(format)}; the RTL core sends one beat per vector`, 'end the model with a Flatten and a dense layer (or compile it for a microcontroller)');
  }
  const before = new Set(start.before);
  const after = g.nodes.filter((n) => !core.has(n) && !before.has(n));
  const names = new VerilogNames(RTL_FIXED_MODULES);
  if (options.top !== undefined && (!/^[A-Za-z][A-Za-z0-9_]*$/.test(options.top) || /^ep_/i.test(options.top) || names.unique(options.top) !== options.top)) {
    throw new UserError(`'${options.top}' cannot name the top module`, 'give a Verilog identifier (letters, digits, _) that is not a keyword and does not start with ep_ (the library\'s modules)');
  }
  const plain = new VerilogNames().unique(g.name || 'model');
  const top = options.top ?? names.unique(/^ep_/i.test(plain) ? `model_${plain}` : plain);
  return {
    graphName: g.name,
    top,
    input: { value: start.value, format: inputFormat },
    output: { value, format },
    layers,
    host: { before: start.before.map((n) => hostOp(g, n)), after: after.map((n) => hostOp(g, n)) },
  };
}
