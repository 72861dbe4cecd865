// The RTL layer list the Verilog emitter renders: what each lowering (one file per layer kind, registered in
// rtl-lowerings.ts) returns, the stream formats between layers, and the context a lowering reads its node from.

import type { Graph, Node, StaticValueInfo } from '../../ir/graph.js';
import type { Tensor } from '../../ir/tensor.js';

/**
 * What one stream carries per vector (templates/verilog/lib/README.md, the RTL contract):
 * - vector: the whole int8 vector in one beat (byte i = element i of the value's row-major order, or element order[i]
 *   when `order` is given: ep_collect's pixel-major bytes of an NCHW Flatten; the next dense layer permutes its weight
 *   columns by it, and the trace comparison reads the interpreter's value in that order);
 * - elements: the same vector one int8 element per beat, element 0 first (`order` as for a vector): the serial stream
 *   of folded dense layers (ep_dense_folded SERIAL_IN/SERIAL_OUT), which keeps vectors out of flip-flops;
 * - pixels: one pixel per beat in raster order, all channels in the beat (NHWC streaming of an NCHW tensor);
 * - index: one beat holding an unsigned index (ArgMax) in `bytes` bytes, little-endian.
 */
export type StreamFormat =
  | { kind: 'vector'; elements: number; order?: readonly number[] }
  | { kind: 'elements'; elements: number; order?: readonly number[] }
  | { kind: 'pixels'; height: number; width: number; channels: number }
  | { kind: 'index'; bytes: number };

/** Bytes of one beat of a stream. */
export function beatBytes(f: StreamFormat): number {
  return f.kind === 'vector' ? f.elements : f.kind === 'elements' ? 1 : f.kind === 'pixels' ? f.channels : f.bytes;
}

/** Beats of one vector (one inference) of a stream. */
export function beatsPerVector(f: StreamFormat): number {
  return f.kind === 'pixels' ? f.height * f.width : f.kind === 'elements' ? f.elements : 1;
}

export function describeFormat(f: StreamFormat): string {
  if (f.kind === 'vector') return `a vector of ${f.elements} int8 values in one beat`;
  if (f.kind === 'elements') return `a vector of ${f.elements} int8 values, one per beat`;
  if (f.kind === 'pixels') return `${f.height}x${f.width} pixels of ${f.channels} int8 channels, one pixel per beat`;
  return `an index in ${f.bytes} byte(s)`;
}

/**
 * Where a layer's input stream comes from: the output of the layer at index `layer` of the design's layers (-1: the
 * core's input), and for a layer with two outputs (ep_fork) which one.
 */
export interface StreamSource {
  layer: number;
  port?: 'a' | 'b';
}

/** One parameter of a module instance, its value already a Verilog constant expression (packedLiteral, integers). */
export interface RtlParam {
  name: string;
  value: string;
}

/** The hardware of a layer: one instance of a library module. */
export interface RtlHardware {
  /** The module (templates/verilog/lib/<module>.v). */
  module: string;
  /** Library files the instance needs (names under templates/verilog/lib/), its own first. */
  libraryFiles: string[];
  params: RtlParam[];
  /**
   * The bytes of the incoming beat the instance reads, in order, when it reads only some (a dense layer whose pruning
   * left an input without any non-zero weight drops that input); undefined: the whole beat.
   */
  inputBytes?: number[];
  /**
   * Clock edges from a beat accepted to its result offered (no stall); for a pixel stream, from the first input beat
   * to the last output beat of one frame offered one pixel per cycle.
   */
  latencyCycles: number;
  /**
   * Cycles between two inferences taken back to back when nothing stalls (absent: 1, a fully pipelined stage): for a
   * vector stream the cycles between two beats, for a pixel stream the cycles a frame takes.
   */
  initiationInterval?: number;
  /** The layer's reuse factor (absent: 1, every product in parallel). */
  reuseFactor?: number;
  /** The widths of its requantizers' multiply (accumulator bits × multiplier bits; absent: 32 × 31). */
  requantWidths?: { accBits: number; multBits: number };
  /**
   * The cycles each output beat of one inference is offered, given the cycles its input beats are offered (the first
   * inference through an idle pipeline, the output never stalled; a consumer that is not ready delays the next beat to
   * one cycle after it takes this one). Absent: one beat in, one beat out latencyCycles later. design-schedule.ts
   * chains these into the design's latency.
   */
  beatTimes?: (offered: readonly number[]) => number[];
  /** Multipliers the instance builds: one per non-zero weight at RF=1, and each requantizer's. */
  multipliers: { weights: number; requantizers: number };
  /**
   * The stream ports' prefixes when they are not one `in` and one `out` (ep_fork: in → a, b; ep_add_stream: a, b →
   * out), in the order of the layer's sources and of its outputs (the first output is the one traced).
   */
  ports?: { inputs: string[]; outputs: string[] };
  /** With two inputs: the second input's beat times, given both (the first's as `offered`). */
  joinTimes?: (a: readonly number[], b: readonly number[]) => number[];
}

export interface RtlLayer {
  /** The lowering's kind ('dense-rf1', 'argmax', 'vector-view', ...). */
  kind: string;
  /** The IR node (raw name: comments escape it, identifiers sanitize it). */
  node: string;
  op: string;
  /** IR values read and written (the interpreter's intermediates the trace is compared with). */
  input: string;
  output: string;
  inFormat: StreamFormat;
  outFormat: StreamFormat;
  /** Undefined for a layer without hardware (a reshape of a vector: the stream passes unchanged). */
  hardware?: RtlHardware;
  /** The streams it reads (default: the output of the layer before it, or the core's input for the first). */
  sources?: StreamSource[];
}

/** What a lowering sees of its node. */
export interface RtlLowerContext {
  graph: Graph;
  node: Node;
  /** The parsed attributes (nodeAttrs). */
  attrs: unknown;
  /** The format of the stream arriving at the node's first input. */
  input: StreamFormat;
  /** The reuse factor asked for this layer (1: fully parallel). */
  reuseFactor: number;
  /** Products written as shifts and adds where the module can (so that DSP mapping keeps them out of DSP blocks). */
  productsInLogic: boolean;
  type(name: string): StaticValueInfo;
  /** The value of a constant input, or undefined when it is computed at run time. */
  constant(name: string): Tensor | undefined;
}

/** How one kind of layer becomes RTL. Several lowerings may share an op; the first that accepts the node is used. */
export interface RtlLowering {
  /** The ops it handles (domain '' for ONNX, 'ai.edgeprune' for the int8 ops). */
  ops: readonly { domain: string; opType: string }[];
  /** One line for the list of what the emitter supports ("Int8Gemm with one input row, reuse factor 1"). */
  supports: string;
  /** Why this lowering cannot take the node (one clause), or undefined when it can. */
  refuse(ctx: RtlLowerContext): string | undefined;
  lower(ctx: RtlLowerContext): RtlLayer;
}
