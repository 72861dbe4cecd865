// `verify --target <fpga> --hls`: the model's HLS C++ (src/emit/hls/) compiled with g++ and C-simulated on every
// vector (hw-sim/hls/csim.ts), every layer's output and the core's output compared bit for bit with the interpreter,
// the first diverging layer named. Vitis HLS is not run: no synthesis, co-simulation, timing or resources.

import { buildCsim, runCsim } from '../../hw-sim/hls/csim.js';
import { renderHlsSources, vectorLine } from '../emit/hls/emit-hls.js';
import { lowerToHls, type HlsDesign } from '../emit/hls/hls-design.js';
import type { RtlOptions } from '../emit/verilog/lower-rtl.js';
import type { Graph } from '../ir/graph.js';
import { runGraph } from '../ir/interpreter.js';
import type { Tensor } from '../ir/tensor.js';
import type { PrecisionChoice } from '../targets/precision.js';
import type { FpgaTarget } from '../targets/schema.js';
import type { VectorSet } from './vectors.js';

export const HLS_RUN_ON = 'g++ C simulation (C++17, -O1, every layer traced)';
export const HLS_NOT_RUN = 'Vitis HLS was not run: no C synthesis, co-simulation, timing or resources (vitis_hls -f hls/build.tcl from compile does that)';

export interface HlsLayerReport {
  layer: number;
  node: string;
  op: string;
  function: string;
  reuseFactor: number;
  /** Vectors whose output from this layer differs from the interpreter's. */
  mismatches: number;
}

export interface HlsVerifyReport {
  model: string;
  target: string;
  runOn: string;
  vendorSynthesis: string;
  vectorSource: string;
  precision: PrecisionChoice;
  comparison: 'bit-exact';
  passed: boolean;
  vectors: number;
  /** Vectors whose core output differs from the interpreter's. */
  mismatchCount: number;
  /** The first 10 of them. */
  mismatches: { vector: number; got: number[]; want: number[] }[];
  firstDivergingLayer: { layer: number; node: string; op: string; value: string } | null;
  perLayer: HlsLayerReport[];
  top: string;
  /** The C simulation executable came from the cache. */
  csimCached: boolean;
  durationsMs: { build: number; run: number };
}

export interface HlsVerifyOptions extends RtlOptions {
  target: FpgaTarget;
  vectors: VectorSet;
  precision: PrecisionChoice;
  log?: (line: string) => void;
}

const same = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((x, i) => x === b[i]);

function flat(t: Tensor): number[] {
  return Array.from(t.data as ArrayLike<number | bigint>, Number);
}

export interface HlsSimulation {
  design: HlsDesign;
  passed: boolean;
  vectors: number;
  mismatchCount: number;
  mismatches: HlsVerifyReport['mismatches'];
  firstDivergingLayer: HlsVerifyReport['firstDivergingLayer'];
  perLayer: HlsLayerReport[];
  csimCached: boolean;
  durationsMs: { build: number; run: number };
}

/** C-simulate a lowered HLS design (possibly altered by the caller) against the interpreter's run of `graph`. */
export async function simulateHlsDesign(design: HlsDesign, graph: Graph, feeds: readonly Record<string, Tensor>[]): Promise<HlsSimulation> {
  if (feeds.length === 0) throw new Error('simulateHlsDesign: no input vectors');
  const references = feeds.map((feed) => runGraph(graph, feed, { keepIntermediates: true }));
  const valueOf = (env: Map<string, Tensor>, name: string) => {
    const t = env.get(name);
    if (!t) throw new Error(`the interpreter has no value '${name}'`);
    return flat(t);
  };
  const sources = renderHlsSources(design);
  const exe = await buildCsim({ name: design.top.replace(/[^A-Za-z0-9_]/g, '_'), files: sources.files });
  const run = await runCsim(exe, references.map((env) => vectorLine(valueOf(env, design.input.value))), design.layers.length);
  const perLayer: HlsLayerReport[] = design.layers.map((l, k) => ({
    layer: k, node: l.node, op: l.op, function: `${design.top}_l${k}`, reuseFactor: l.reuseFactor,
    mismatches: references.filter((env, v) => !same(run.traces[v][k], valueOf(env, l.output))).length,
  }));
  const last = design.layers[design.layers.length - 1];
  const mismatches: HlsVerifyReport['mismatches'] = [];
  let mismatchCount = 0;
  references.forEach((env, v) => {
    const want = valueOf(env, last.output);
    if (same(run.outputs[v], want)) return;
    mismatchCount++;
    if (mismatches.length < 10) mismatches.push({ vector: v, got: run.outputs[v], want });
  });
  const diverging = perLayer.find((l) => l.mismatches > 0);
  return {
    design,
    passed: mismatchCount === 0 && !diverging && run.failures === 0,
    vectors: feeds.length,
    mismatchCount,
    mismatches,
    firstDivergingLayer: diverging ? { layer: diverging.layer, node: diverging.node, op: diverging.op, value: design.layers[diverging.layer].output } : null,
    perLayer,
    csimCached: exe.cached,
    durationsMs: { build: exe.buildMs, run: run.runMs },
  };
}

export async function verifyHls(g: Graph, modelName: string, o: HlsVerifyOptions): Promise<HlsVerifyReport> {
  const design = lowerToHls(g, o);
  const feeds = o.vectors.inputs.map((inputs) => Object.fromEntries(g.inputs.map((v, i) => [v.name, inputs[i]])) as Record<string, Tensor>);
  o.log?.(`C-simulating ${design.top} (HLS C++) with g++ on ${feeds.length} vectors`);
  const sim = await simulateHlsDesign(design, g, feeds);
  return {
    model: modelName,
    target: o.target.name,
    runOn: HLS_RUN_ON,
    vendorSynthesis: HLS_NOT_RUN,
    vectorSource: o.vectors.source,
    precision: o.precision,
    comparison: 'bit-exact',
    passed: sim.passed,
    vectors: sim.vectors,
    mismatchCount: sim.mismatchCount,
    mismatches: sim.mismatches,
    firstDivergingLayer: sim.firstDivergingLayer,
    perLayer: sim.perLayer,
    top: design.top,
    csimCached: sim.csimCached,
    durationsMs: sim.durationsMs,
  };
}
