// A whole generated model in Verilator against the interpreter: the integer core's input of every feed (the
// interpreter's QuantizeLinear output) streamed through the RTL by templates/verilog/tb/model_tb.cpp, every output
// and every layer's output beats compared bit for bit with the interpreter's intermediate values, the first diverging
// layer named, and the latency and initiation interval measured (on a run without stalls; a second run with random
// output stalls checks the handshake). Built through buildVerilatorHarness (cached by content).

import fs from 'node:fs';
import path from 'node:path';
import { emitRtl, hardwareLayers, renderRtl, renderTestbenchTop, rtlLibraryFiles, traceBeatBytes } from '../../src/emit/verilog/emit-rtl.js';
import type { RtlDesign, RtlOptions } from '../../src/emit/verilog/lower-rtl.js';
import { beatBytes, beatsPerVector, type StreamFormat } from '../../src/emit/verilog/rtl-layer.js';
import type { Graph } from '../../src/ir/graph.js';
import { runGraph } from '../../src/ir/interpreter.js';
import type { Tensor } from '../../src/ir/tensor.js';
import { repoPath } from '../../src/util/package-root.js';
import { makeTempDir, removeTempDir } from '../../src/util/temp-dir.js';
import { buildVerilatorHarness, runVerilatorHarness } from './harness.js';

/** The sentinel line of model_tb.cpp's summary. */
const SENTINEL = 'EP_MODEL_TB ';

export interface RtlSimulationOptions extends RtlOptions {
  /** Also run with random output stalls from this seed (0: no stalled run). Default 0. */
  stallSeed?: number;
}

export interface RtlMismatch {
  run: 'no stalls' | 'stalls';
  vector: number;
  got: number[];
  want: number[];
}

export interface RtlLayerResult {
  /** Index among the layers with hardware (the trace's numbering). */
  layer: number;
  node: string;
  op: string;
  module: string;
  /** The IR value the layer's output beats are compared with. */
  value: string;
  latencyCycles: number;
  multipliers: { weights: number; requantizers: number };
  /** Vectors (over both runs) whose output from this layer differs from the interpreter's. */
  mismatches: number;
  firstMismatch: RtlMismatch | null;
}

export interface RtlSimulation {
  passed: boolean;
  vectors: number;
  /** The core's output vs the interpreter's (at most 10 listed; mismatchCount counts all). */
  mismatches: RtlMismatch[];
  mismatchCount: number;
  firstDivergingLayer: { layer: number; node: string; op: string; value: string } | null;
  /**
   * Cycles from the first inference's first input beat accepted to its last output beat taken (no stalls, an idle
   * pipeline: the design's latency, designLatency).
   */
  latencyCycles: number;
  /**
   * The most such cycles over every inference fed back to back (no stalls): above latencyCycles when a slower later
   * stage (a folded layer) makes later inferences wait behind earlier ones.
   */
  worstLatencyCycles: number;
  /** Cycles between consecutive inferences' first input beats when fed back to back (no stalls; the most). */
  initiationInterval: number;
  /** First input beat to last output beat over every vector (no stalls). */
  cycles: number;
  perLayer: RtlLayerResult[];
  /** The Verilated harness came from the cache. */
  cached: boolean;
}

/** A value's elements in stream order: flat for a vector or its elements (in its `order` when it has one), NCHW → NHWC for pixels, the number for an index. */
export function streamValues(t: Tensor, format: StreamFormat): number[] {
  if (format.kind === 'pixels') {
    const { height: h, width: w, channels: c } = format;
    const out: number[] = [];
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let k = 0; k < c; k++) out.push(Number(t.data[(k * h + y) * w + x]));
    return out;
  }
  const flat = Array.from(t.data as ArrayLike<number | bigint>, Number);
  return (format.kind === 'vector' || format.kind === 'elements') && format.order ? format.order.map((i) => flat[i]) : flat;
}

/** Beats of bytes as the stream's values: unchanged, or an index's unsigned little-endian bytes as one number. */
export function fromBytes(bytes: number[], format: StreamFormat): number[] {
  if (format.kind !== 'index') return bytes;
  let v = 0;
  for (let i = bytes.length - 1; i >= 0; i--) v = v * 256 + (bytes[i] & 0xff);
  return [v];
}

interface TbRun {
  outputs: number[][];
  traces: number[][][];
  summary: { vectors: number; latency: number; firstLatency: number; ii: number; cycles: number };
}

function parseRun(stdout: string, layers: number, vectors: number): TbRun {
  const outputs: number[][] = [];
  const traces: number[][][] = Array.from({ length: layers }, () => []);
  let summary: TbRun['summary'] | undefined;
  for (const line of stdout.split('\n')) {
    if (line.startsWith(SENTINEL)) summary = JSON.parse(line.slice(SENTINEL.length)) as TbRun['summary'];
    else if (line === 'o' || line.startsWith('o ')) outputs.push(line.split(' ').slice(1).map(Number));
    else if (line.startsWith('t ')) {
      const [, k, ...bytes] = line.split(' ');
      traces[Number(k)].push(bytes.map(Number));
    }
  }
  if (!summary) throw new Error(`the model testbench printed no '${SENTINEL.trim()}' line`);
  if (summary.vectors !== vectors) throw new Error(`the model testbench ran ${summary.vectors} vectors, expected ${vectors}`);
  return { outputs, traces, summary };
}

/** Beats of one stream grouped per vector, as values; an error when the count is not the plan's. */
function perVector(beats: number[][], format: StreamFormat, vectors: number, what: string): number[][] {
  const n = beatsPerVector(format);
  if (beats.length !== vectors * n) throw new Error(`${what}: the testbench gave ${beats.length} beats, expected ${vectors * n}`);
  return Array.from({ length: vectors }, (_, v) => beats.slice(v * n, (v + 1) * n).flatMap((b) => fromBytes(b, format)));
}

const same = (a: number[], b: number[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/** Simulate a lowered design (possibly altered by the caller) against the interpreter's run of `graph`. */
export async function simulateDesign(design: RtlDesign, graph: Graph, feeds: readonly Record<string, Tensor>[], options: RtlSimulationOptions = {}): Promise<RtlSimulation> {
  if (feeds.length === 0) throw new Error('simulateDesign: no input vectors');
  const references = feeds.map((feed) => runGraph(graph, feed, { keepIntermediates: true }));
  const valueOf = (env: Map<string, Tensor>, name: string) => {
    const t = env.get(name);
    if (!t) throw new Error(`the interpreter has no value '${name}'`);
    return t;
  };
  const hw = hardwareLayers(design);
  const work = makeTempDir('rtl-model');
  try {
    const topFile = path.join(work, `${design.top}.v`);
    const wrapperFile = path.join(work, 'ep_model_tb_top.v');
    fs.writeFileSync(topFile, renderRtl(design));
    fs.writeFileSync(wrapperFile, renderTestbenchTop(design));
    const vectorsFile = path.join(work, 'vectors.txt');
    fs.writeFileSync(vectorsFile, `${references.map((env) => streamValues(valueOf(env, design.input.value), design.input.format).join(' ')).join('\n')}\n`);
    const tb = (f: string) => repoPath('templates/verilog', f);
    const harness = await buildVerilatorHarness({
      top: 'ep_model_tb_top',
      verilog: [wrapperFile, topFile, ...rtlLibraryFiles(design)],
      testbench: [tb('tb/model_tb.cpp')],
      headers: [tb('lib/tb/ep_stream_tb.h')],
    });
    const args = [
      vectorsFile,
      String(beatBytes(design.input.format)), String(beatsPerVector(design.input.format)),
      String(beatBytes(design.output.format)), String(beatsPerVector(design.output.format)),
      traceBeatBytes(design).join(','),
    ];
    const runs: { run: RtlMismatch['run']; result: TbRun }[] = [];
    const timeout = 120_000 + 20 * feeds.length;
    // The testbench's bound on the run: every layer's frame one after the other, twice over for output stalls.
    const perVectorCycles = String(2 * hw.reduce((s, l) => s + l.hardware.latencyCycles, 0));
    runs.push({ run: 'no stalls', result: parseRun(await runVerilatorHarness(harness, [...args, '0', perVectorCycles], `simulating ${design.top}`, timeout), hw.length, feeds.length) });
    if (options.stallSeed) {
      runs.push({ run: 'stalls', result: parseRun(await runVerilatorHarness(harness, [...args, String(options.stallSeed), perVectorCycles], `simulating ${design.top} with output stalls`, timeout), hw.length, feeds.length) });
    }
    const perLayer: RtlLayerResult[] = hw.map((l, layer) => ({
      layer, node: l.node, op: l.op, module: l.hardware.module, value: l.output, latencyCycles: l.hardware.latencyCycles,
      multipliers: l.hardware.multipliers, mismatches: 0, firstMismatch: null,
    }));
    const mismatches: RtlMismatch[] = [];
    let mismatchCount = 0;
    for (const { run, result } of runs) {
      const outputs = perVector(result.outputs, design.output.format, feeds.length, `${run}: the outputs`);
      references.forEach((env, vector) => {
        const want = streamValues(valueOf(env, design.output.value), design.output.format);
        if (!same(outputs[vector], want)) {
          mismatchCount++;
          if (mismatches.length < 10) mismatches.push({ run, vector, got: outputs[vector], want });
        }
      });
      hw.forEach((l, k) => {
        const got = perVector(result.traces[k], l.outFormat, feeds.length, `${run}: layer ${k}`);
        references.forEach((env, vector) => {
          const want = streamValues(valueOf(env, l.output), l.outFormat);
          if (same(got[vector], want)) return;
          perLayer[k].mismatches++;
          perLayer[k].firstMismatch ??= { run, vector, got: got[vector], want };
        });
      });
    }
    const first = perLayer.find((l) => l.mismatches > 0);
    const clean = runs[0].result.summary;
    return {
      passed: mismatchCount === 0 && !first,
      vectors: feeds.length,
      mismatches,
      mismatchCount,
      firstDivergingLayer: first ? { layer: first.layer, node: first.node, op: first.op, value: first.value } : null,
      latencyCycles: clean.firstLatency,
      worstLatencyCycles: clean.latency,
      initiationInterval: clean.ii,
      cycles: clean.cycles,
      perLayer,
      cached: harness.cached,
    };
  } finally {
    removeTempDir(work);
  }
}

/** Emit the RTL of a quantized graph and simulate it against the interpreter on `feeds` (the graph's float inputs). */
export async function simulateRtl(graph: Graph, feeds: readonly Record<string, Tensor>[], options: RtlSimulationOptions = {}): Promise<RtlSimulation> {
  return simulateDesign(emitRtl(graph, options).design, graph, feeds, options);
}
