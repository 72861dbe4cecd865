// Verilog of a quantized model's integer core: the layer list (lower-rtl.ts) as a fully resolved view model, rendered
// by templates/verilog/model.v.hbs into <top>.v, with the library modules it instantiates and the simulation wrapper
// (templates/verilog/tb/model_tb_top.v.hbs) that exposes every layer's output beats to the Verilator testbench.

import type { Graph } from '../../ir/graph.js';
import { repoPath } from '../../util/package-root.js';
import { renderTemplate } from '../render-template.js';
import { lowerToRtl, RTL_FIXED_MODULES, type HostOp, type RtlDesign, type RtlOptions } from './lower-rtl.js';
import { layerSources, scheduleLayers } from './design-schedule.js';
import { beatBytes, beatsPerVector, describeFormat, type RtlLayer, type StreamSource } from './rtl-layer.js';
import { VERILOG_PORT_NAMES, VerilogNames, verilogCommentText } from './verilog-names.js';

/** The wires of one stream between two instances. */
export interface RtlStreamWires {
  valid: string;
  ready: string;
  data: string;
  msb: number;
  /** Its reader takes only some bytes of the beat (lint: the rest is unused on purpose). */
  partlyRead: boolean;
}

/** One instance of the top module, every identifier resolved. */
export interface RtlInstanceView {
  index: number;
  module: string;
  instance: string;
  nodeComment: string;
  opComment: string;
  latencyCycles: number;
  params: { name: string; value: string }[];
  /** Its output streams' wires, declared before it (one, or ep_fork's two). */
  outputs: RtlStreamWires[];
  /** Its stream ports (clk and rst apart) and what each is connected to, in port order. */
  connections: { port: string; signal: string }[];
  /** The first output stream (the one the testbench wrapper traces). */
  outValid: string;
  outReady: string;
  outData: string;
  outMsb: number;
}

export interface RtlView {
  top: string;
  graphComment: string;
  latencyCycles: number;
  initiationInterval: number;
  layerLines: string[];
  hostBefore: string;
  hostAfter: string;
  inFormat: string;
  outFormat: string;
  inMsb: number;
  outMsb: number;
  /** The first stage reads only some bytes of in_data. */
  inPartlyRead: boolean;
  instances: RtlInstanceView[];
  /** The stream that leaves the core (out_valid, out_ready, out_data). */
  last: { outValid: string; outReady: string; outData: string };
}

/** The layers with hardware, in stream order. */
export function hardwareLayers(design: RtlDesign): (RtlLayer & { hardware: NonNullable<RtlLayer['hardware']> })[] {
  return design.layers.filter((l): l is RtlLayer & { hardware: NonNullable<RtlLayer['hardware']> } => l.hardware !== undefined);
}

/**
 * Latency of the whole core (no stall, an idle pipeline): first input beat to last output beat, the layers' beat
 * times chained (design-schedule.ts); for a chain of one-beat layers, the sum of their latencies.
 */
/** The slowest stage's interval: a folded layer takes a new input every reuse-factor-ish cycles, the others every cycle. */
export function designInitiationInterval(design: RtlDesign): number {
  return Math.max(1, ...hardwareLayers(design).map((l) => l.hardware.initiationInterval ?? 1));
}

export function designLatency(design: RtlDesign): number {
  const times = scheduleLayers(design.layers, beatsPerVector(design.input.format));
  return times[times.length - 1];
}

/** The host's ops around the core in words ("q (QuantizeLinear, scale 0.06, zero point -128), then ..."), every text through `escape`. */
export function hostOpsText(ops: readonly HostOp[], escape: (text: string) => string, none: string): string {
  if (ops.length === 0) return none;
  return ops.map((o) => `${escape(o.node)} (${escape(o.op)}${o.detail ? `, ${escape(o.detail)}` : ''})`).join(', then ');
}

function layerLine(l: RtlLayer): string {
  const where = l.hardware ? `${l.hardware.module}, ${l.hardware.latencyCycles} cycle(s), ${l.hardware.multipliers.weights} weight multiplier(s)` : 'no hardware: the stream passes unchanged';
  return `${verilogCommentText(l.node)} (${verilogCommentText(l.op)}): ${where}; out: ${describeFormat(l.outFormat)}`;
}

/** The bytes `bytes` of the beat `data`, in order, as one concatenation (byte 0 of the result = bytes[0]). */
function selectBytes(data: string, bytes: number[] | undefined): string {
  if (!bytes) return data;
  return `{${bytes.map((b) => `${data}[${8 * b + 7}:${8 * b}]`).reverse().join(', ')}}`;
}

/** The view model of <top>.v: every identifier unique and sanitized, every model text escaped for a comment. */
export function rtlView(design: RtlDesign): RtlView {
  const names = new VerilogNames([...VERILOG_PORT_NAMES, ...RTL_FIXED_MODULES, design.top]);
  const inMsb = 8 * beatBytes(design.input.format) - 1;
  // Every stream by its producer ('-1' the core's input; 'i' layer i's output, 'i:a' and 'i:b' a fork's), and how
  // many readers it has: exactly one each, or the design is wrong.
  const streams = new Map<string, RtlStreamWires>([['-1', { valid: 'in_valid', ready: 'in_ready', data: 'in_data', msb: inMsb, partlyRead: false }]]);
  const readers = new Map<string, number>();
  const keyOf = (s: StreamSource) => (s.port ? `${s.layer}:${s.port}` : String(s.layer));
  const read = (s: StreamSource): RtlStreamWires => {
    const key = keyOf(s);
    const wires = streams.get(key);
    if (!wires) throw new Error(`layer stream ${key} is read before it is made`);
    readers.set(key, (readers.get(key) ?? 0) + 1);
    return wires;
  };
  const instances: RtlInstanceView[] = [];
  design.layers.forEach((l, i) => {
    const sources = layerSources(design.layers, i);
    if (!l.hardware) {
      // No hardware: the layer's output is its input's stream.
      streams.set(String(i), read(sources[0]));
      return;
    }
    const hw = l.hardware;
    const index = instances.length;
    const instance = names.unique(l.node || `layer_${index}`);
    const inPorts = hw.ports?.inputs ?? ['in'];
    const outPorts = hw.ports?.outputs ?? ['out'];
    if (inPorts.length !== sources.length) throw new Error(`${hw.module} '${l.node}' has ${inPorts.length} input ports and ${sources.length} sources`);
    const connections: { port: string; signal: string }[] = [];
    inPorts.forEach((port, k) => {
      const wires = read(sources[k]);
      // A stage that reads only some bytes of the beat before it leaves the rest of that beat unconnected.
      const bytes = k === 0 ? hw.inputBytes : undefined;
      if (bytes) wires.partlyRead = true;
      connections.push({ port: `${port}_valid`, signal: wires.valid }, { port: `${port}_ready`, signal: wires.ready }, { port: `${port}_data`, signal: selectBytes(wires.data, bytes) });
    });
    const outputs = outPorts.map((port): RtlStreamWires => ({
      valid: names.unique(instance, `_${port}_valid`),
      ready: names.unique(instance, `_${port}_ready`),
      data: names.unique(instance, `_${port}_data`),
      msb: 8 * beatBytes(l.outFormat) - 1,
      partlyRead: false,
    }));
    outPorts.forEach((port, k) => {
      streams.set(outPorts.length === 1 ? String(i) : `${i}:${port}`, outputs[k]);
      connections.push({ port: `${port}_valid`, signal: outputs[k].valid }, { port: `${port}_ready`, signal: outputs[k].ready }, { port: `${port}_data`, signal: outputs[k].data });
    });
    instances.push({
      index,
      module: hw.module,
      instance,
      nodeComment: verilogCommentText(l.node),
      opComment: verilogCommentText(l.op),
      latencyCycles: hw.latencyCycles,
      params: hw.params.map((p) => ({ ...p })),
      outputs,
      connections,
      outValid: outputs[0].valid,
      outReady: outputs[0].ready,
      outData: outputs[0].data,
      outMsb: outputs[0].msb,
    });
  });
  const last = read({ layer: design.layers.length - 1 });
  for (const [key, count] of readers) if (count > 1) throw new Error(`layer stream ${key} has ${count} readers; a stream has one (ep_fork makes two)`);
  for (const key of streams.keys()) if (!readers.has(key)) throw new Error(`layer stream ${key} has no reader`);
  return {
    top: design.top,
    graphComment: verilogCommentText(design.graphName),
    latencyCycles: designLatency(design),
    initiationInterval: designInitiationInterval(design),
    layerLines: design.layers.map(layerLine),
    hostBefore: hostOpsText(design.host.before, verilogCommentText, 'nothing (the model takes int8 input)'),
    hostAfter: hostOpsText(design.host.after, verilogCommentText, 'nothing (out_data is the model output)'),
    inFormat: describeFormat(design.input.format),
    outFormat: describeFormat(design.output.format),
    inMsb,
    outMsb: 8 * beatBytes(design.output.format) - 1,
    inPartlyRead: streams.get('-1')!.partlyRead,
    instances,
    last: { outValid: last.valid, outReady: last.ready, outData: last.data },
  };
}

/** <top>.v of a design. */
export function renderRtl(design: RtlDesign): string {
  return renderTemplate('verilog/model.v.hbs', rtlView(design));
}

/** The simulation wrapper ep_model_tb_top.v (trace ports) of a design, from the same view. */
export function renderTestbenchTop(design: RtlDesign): string {
  const view = rtlView(design);
  let lsb = 0;
  const traces = view.instances.map((i) => {
    const t = { index: i.index, outValid: i.outValid, outReady: i.outReady, outData: i.outData, lsb, msb: lsb + i.outMsb };
    lsb += i.outMsb + 1;
    return t;
  });
  const fireBits = 8 * Math.ceil(traces.length / 8);
  return renderTemplate('verilog/tb/model_tb_top.v.hbs', {
    top: view.top, inMsb: view.inMsb, outMsb: view.outMsb, traces, traceMsb: lsb - 1,
    fireMsb: fireBits - 1, layerCount: traces.length, firePadBits: fireBits - traces.length,
  });
}

/** Bytes of each layer's output beat in the wrapper's trace_data, in layer order. */
export function traceBeatBytes(design: RtlDesign): number[] {
  return hardwareLayers(design).map((l) => beatBytes(l.outFormat));
}

/** The library sources a design instantiates (absolute paths, each once, in a fixed order). */
export function rtlLibraryFiles(design: RtlDesign): string[] {
  const files = [...new Set(hardwareLayers(design).flatMap((l) => l.hardware.libraryFiles))].sort();
  return files.map((f) => repoPath('templates/verilog/lib', f));
}

export interface EmittedRtl {
  design: RtlDesign;
  /** Generated files (name → content): <top>.v. */
  files: { name: string; content: string }[];
  /** Library sources to add (absolute paths). */
  library: string[];
}

/** Lower and render a quantized graph: the Verilog of its integer core. */
export function emitRtl(graph: Graph, options: RtlOptions = {}): EmittedRtl {
  const design = lowerToRtl(graph, options);
  return { design, files: [{ name: `${design.top}.v`, content: renderRtl(design) }], library: rtlLibraryFiles(design) };
}
