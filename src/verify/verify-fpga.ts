// `verify --target <fpga>`: the model's RTL simulated in Verilator on every vector, every output and every layer's
// output compared bit for bit with the interpreter, latency and initiation interval measured; with `synth`, the
// resources and clock from Yosys (and nextpnr on iCE40), and the latency in µs at that clock.

import { simulateDesign, type RtlLayerResult } from '../../hw-sim/verilator/run-model.js';
import { implementFpgaProject, type FpgaImplementation } from '../../hw-sim/fpga/implement.js';
import { hardwareLayers } from '../emit/verilog/emit-rtl.js';
import { fpgaProject, multipliersSummary, type FpgaProject, type FpgaProjectOptions, type MultipliersSummary } from '../emit/verilog/fpga-project.js';
import type { RtlDesign } from '../emit/verilog/lower-rtl.js';
import type { Graph } from '../ir/graph.js';
import type { Tensor } from '../ir/tensor.js';
import type { PrecisionChoice } from '../targets/precision.js';
import type { FpgaTarget } from '../targets/schema.js';
import type { VectorSet } from './vectors.js';

export interface FpgaVerifyOptions extends FpgaProjectOptions {
  target: FpgaTarget;
  vectors: VectorSet;
  precision: PrecisionChoice;
  /** Also synthesize (and on iCE40 place, route and pack) the design. */
  synth?: boolean;
  /** The project of `g` already built with these options (the build's): used instead of building it again. */
  project?: FpgaProject;
  /** Seed of the random output stalls of the second simulation run (0: no stalled run). */
  stallSeed?: number;
  log?: (line: string) => void;
}

export interface FpgaLayerReport {
  node: string;
  op: string;
  module: string;
  reuseFactor: number;
  latencyCycles: number;
  initiationInterval: number;
  multipliers: { weights: number; requantizers: number };
  /** Vectors whose output from this layer differs from the interpreter's (over both runs); null: not traced (a board over --port). */
  mismatches: number | null;
}

export interface FpgaVerifyReport {
  model: string;
  target: string;
  family: FpgaTarget['family'];
  runOn: string;
  vectorSource: string;
  precision: PrecisionChoice;
  comparison: 'bit-exact';
  passed: boolean;
  vectors: number;
  /** Output vectors (over both runs) that differ from the interpreter. */
  mismatchCount: number;
  mismatches: { run: string; vector: number; got: number[]; want: number[] }[];
  firstDivergingLayer: { layer: number; node: string; op: string; value: string } | null;
  /** Cycles from the input beat to the output beat (measured, no stalls). */
  latencyCycles: number;
  /** Cycles between inputs fed back to back (measured). */
  initiationInterval: number;
  /** The clock the µs figures use: nextpnr's Fmax when placed, else the board clock. */
  clockMHz: number;
  clockSource: string;
  fmaxMHz: number | null;
  latencyUs: number;
  luts: number | null;
  ffs: number | null;
  dsps: number | null;
  brams: number | null;
  resourcesSource: string | null;
  implementation: FpgaImplementation | null;
  perLayer: FpgaLayerReport[];
  /** The multipliers the design builds, where they go and why. */
  multipliers: MultipliersSummary;
  harnessCached: boolean;
  durationsMs: { simulate: number; synth: number };
  /** verify --port only (src/verify/verify-fpga-port.ts): the board's port and the cycles its UART wrapper counted per vector. */
  board?: { port: string; baudRate: number; cycles: number[]; note: string };
}

function perLayerReport(results: RtlLayerResult[], design: RtlDesign): FpgaLayerReport[] {
  const hw = hardwareLayers(design);
  return results.map((r, k) => ({
    node: r.node, op: r.op, module: r.module,
    reuseFactor: hw[k].hardware.reuseFactor ?? 1,
    latencyCycles: r.latencyCycles,
    initiationInterval: hw[k].hardware.initiationInterval ?? 1,
    multipliers: r.multipliers,
    mismatches: r.mismatches,
  }));
}

export async function verifyOnFpga(g: Graph, modelName: string, o: FpgaVerifyOptions): Promise<FpgaVerifyReport> {
  const project = o.project ?? fpgaProject(g, o.target, o);
  const { design } = project;
  const feeds = o.vectors.inputs.map((inputs) => Object.fromEntries(g.inputs.map((v, i) => [v.name, inputs[i]])) as Record<string, Tensor>);
  o.log?.(`simulating ${design.top} in Verilator on ${feeds.length} vectors`);
  const t0 = Date.now();
  const sim = await simulateDesign(design, g, feeds, { stallSeed: o.stallSeed ?? 1 });
  const simulate = Date.now() - t0;
  let implementation: FpgaImplementation | null = null;
  const t1 = Date.now();
  if (o.synth) {
    o.log?.(`synthesizing ${design.top} for ${o.target.name}${o.target.pnr ? ', placing and routing' : ''}`);
    implementation = await implementFpgaProject(project, o.target, project.multipliers);
  }
  const synth = Date.now() - t1;
  const fmax = implementation?.fmaxMHz ?? null;
  const clockMHz = fmax !== null && o.target.pnr ? fmax : o.target.clockHz / 1e6;
  const resources = implementation?.resources;
  return {
    model: modelName,
    target: o.target.name,
    family: o.target.family,
    runOn: 'Verilator (RTL simulation, every layer traced)',
    vectorSource: o.vectors.source,
    precision: o.precision,
    comparison: 'bit-exact',
    passed: sim.passed,
    vectors: sim.vectors,
    mismatchCount: sim.mismatchCount,
    mismatches: sim.mismatches,
    firstDivergingLayer: sim.firstDivergingLayer,
    latencyCycles: sim.latencyCycles,
    initiationInterval: sim.initiationInterval,
    clockMHz,
    clockSource: fmax !== null && o.target.pnr ? 'nextpnr Fmax' : `the board clock (${o.target.board})`,
    fmaxMHz: fmax,
    latencyUs: sim.latencyCycles / clockMHz,
    luts: resources?.luts ?? null,
    ffs: resources?.flipFlops ?? null,
    dsps: resources?.dsps ?? null,
    brams: resources?.blockRams ?? null,
    resourcesSource: implementation?.source ?? null,
    implementation,
    perLayer: perLayerReport(sim.perLayer, design),
    multipliers: multipliersSummary(project),
    harnessCached: sim.cached,
    durationsMs: { simulate, synth },
  };
}
