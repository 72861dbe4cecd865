// The report of `edgeprune build --target <fpga>`: the budgets (predicted by the FPGA cost model, measured by
// Verilator and Yosys, and nextpnr where the target is placed), accuracy, the design chosen (reuse factors, where the
// multipliers go, the clock), per layer what pruning removed and what the hardware costs, and the search's trajectory.

import { modelStats } from '../analysis/model-stats.js';
import type { Budget } from '../build/budgets.js';
import type { FpgaDesignChoice } from '../build/fpga/choose-design.js';
import { FPGA_BUDGET_LABELS, type FpgaBudgetName, type FpgaCosts } from '../build/fpga/fpga-budgets.js';
import type { QuantizationSummary } from '../build/int8-deployment.js';
import { roundPoints, type ContenderRecord, type FineTuningTally, type SearchResult, type SmallestSeen } from '../build/search.js';
import type { MultipliersSummary } from '../emit/verilog/fpga-project.js';
import type { Graph } from '../ir/graph.js';
import type { FpgaTarget } from '../targets/schema.js';
import type { FpgaImplementation } from '../../hw-sim/fpga/implement.js';
import type { MeasuredDesign } from '../build/fpga/measure-design.js';
import type { FpgaVerifyReport } from '../verify/verify-fpga.js';

export interface FpgaBudgetLine {
  name: FpgaBudgetName;
  label: string;
  givenAs: string;
  limit: number;
  /** The FPGA cost model's figure for the deployed design. */
  estimated: number;
  /** Verilator (cycles), Yosys (resources), nextpnr (logic cells, iCE40). */
  measured: number;
  pass: boolean;
  smallestSeen: SmallestSeen | null;
}

export interface FpgaLayerLine {
  name: string;
  op: string;
  before: { params: number; macs: number; sparsity: number | null };
  /** null when pruning removed the layer. */
  after: { params: number; macs: number; sparsity: number | null } | null;
  /** The deployed design's hardware for this layer (null: the layer has no module of its own). */
  hardware: { module: string; reuseFactor: number; latencyCycles: number; multipliers: number; luts: number; ffs: number; dsps: number; brams: number } | null;
}

export interface FpgaBuildReport {
  kind: 'fpga';
  passed: boolean;
  failed: string[];
  model: string;
  target: { name: string; description: string; board: string; family: FpgaTarget['family'] };
  /** What the resource figures count: the core alone, or the board top (core + UART) as placed. */
  resourceScope: string;
  budgets: FpgaBudgetLine[];
  estimatedCosts: { dense: FpgaCosts; final: FpgaCosts };
  design: {
    reuseFactors: Record<string, number>;
    multipliers: MultipliersSummary;
    initiationInterval: number;
    /** The board clock, nextpnr's Fmax when placed, and the latency in µs at each. */
    clock: { boardMHz: number; fmaxMHz: number | null; latencyUsAtBoardClock: number; latencyUsAtFmax: number | null };
    bitstreamBytes: number | null;
  };
  precision: 'int8';
  accuracy: {
    dense: number; prunedFloat: number; final: number; dropPoints: number; maxDropPoints: number; split: 'test';
    validation: { dense: number; final: number };
  };
  quantization: QuantizationSummary;
  layers: FpgaLayerLine[];
  steps: { iteration: number; constrained: FpgaBudgetName; chosen: string | null; costs: FpgaCosts; validation: number; sparsity: number; params: number; macs: number; proposals: number; seconds: number }[];
  stoppedBecause: string | null;
  /** Fine-tuning epochs the search ran in all, and on the deployed model's path from the model given. */
  fineTuning: FineTuningTally;
  /** The uniform contender fine-tuned beside the final model, or null (not asked for, or the budgets did not hold). */
  contender: ContenderRecord<string> | null;
  verification: {
    passed: boolean; vectors: number; mismatchCount: number; runOn: string; vectorSource: string;
    latencyCycles: number; initiationInterval: number; resourcesSource: string | null; logicCellsSource: string;
    /**
     * The worst case: the latency itself. The RTL has no data-dependent control (its conditions are counters, valid/ready
     * handshakes and weight constants fixed when the design is generated), so every input takes the same cycles.
     */
    worstCase: { latencyCycles: number; basis: string };
    /** nextpnr's utilisation (iCE40), or null. */
    placement: FpgaImplementation['placement'];
    /** nextpnr could not fit the design: its message. */
    overflow: string | null;
    durationsMs: { simulate: number; synth: number };
  };
  files: string[];
}

export interface FpgaReportInput {
  model: string;
  target: FpgaTarget;
  budgets: Budget<FpgaBudgetName>[];
  maxDrop: number;
  dense: Graph;
  /** The pruned float model, and the deployed int8 model with its test score. */
  pruned: Graph;
  deployed: { graph: Graph; test: number; quantization: QuantizationSummary };
  denseCosts: FpgaCosts;
  design: FpgaDesignChoice;
  multipliers: MultipliersSummary;
  search: SearchResult<FpgaBudgetName>;
  measured: MeasuredDesign;
  files: string[];
}

function layerStats(g: Graph): Map<string, { op: string; params: number; macs: number; sparsity: number | null }> {
  return new Map(modelStats(g).layers.filter((l) => l.params > 0).map((l) => [l.name, { op: l.op, params: l.params, macs: l.macs, sparsity: l.sparsity }]));
}

/** Why an FPGA design's measured latency is its worst case. */
export const FPGA_WORST_CASE_BASIS = 'cycle-exact by construction: the RTL has no data-dependent control (counters, valid/ready handshakes and weight constants fixed at generation), so the typical latency is the worst case';

export function fpgaBuildReport(r: FpgaReportInput): FpgaBuildReport {
  const v = r.measured.verification;
  const impl = r.measured.implementation;
  const budgets: FpgaBudgetLine[] = r.budgets.map((b) => {
    const m = r.measured.costs[b.name];
    const estimated = r.design.costs[b.name];
    return { name: b.name, label: FPGA_BUDGET_LABELS[b.name], givenAs: b.givenAs, limit: b.limit, estimated, measured: m, pass: (m ?? estimated) <= b.limit, smallestSeen: r.search.smallestSeen[b.name] ?? null };
  });
  const failed = budgets.filter((b) => !b.pass).map((b) => `${b.label}: ${(b.measured ?? b.estimated).toLocaleString('en-US')} > ${b.limit.toLocaleString('en-US')} (${b.givenAs})`);
  const dropPoints = roundPoints((r.search.dense.test - r.deployed.test) * 100);
  if (dropPoints > r.maxDrop) failed.push(`accuracy: the int8 model dropped ${dropPoints.toFixed(2)} points on the test split from the dense float model, more than --max-drop ${r.maxDrop}`);
  if (!v.passed) failed.push(`verification: ${v.mismatchCount} outputs of the RTL differ from the interpreter`);
  if (r.measured.overflow) failed.push(`placement: ${r.measured.overflow}`);
  const boardMHz = r.target.clockHz / 1e6;
  const fmax = impl?.fmaxMHz ?? null;
  if (fmax !== null && fmax < boardMHz) failed.push(`timing: nextpnr's Fmax ${fmax.toFixed(1)} MHz is below the ${boardMHz} MHz board clock`);
  const latency = v.latencyCycles;
  const before = layerStats(r.dense);
  const after = layerStats(r.pruned);
  // A layer may take more than one module (a collector after a folded layer's serial output): its costs add up, its
  // module and cycles are its first's.
  const perLayerCost = new Map<string, { luts: number; ffs: number; dsps: number; brams: number }>();
  for (const l of r.design.prediction.perLayer) {
    const sum = perLayerCost.get(l.node) ?? { luts: 0, ffs: 0, dsps: 0, brams: 0 };
    perLayerCost.set(l.node, { luts: sum.luts + l.luts, ffs: sum.ffs + l.ffs, dsps: sum.dsps + l.dsps, brams: sum.brams + l.brams });
  }
  const verified = new Map<string, FpgaVerifyReport['perLayer'][number]>();
  for (const l of v.perLayer) if (!verified.has(l.node)) verified.set(l.node, l);
  const hardware = (name: string): FpgaLayerLine['hardware'] => {
    const hw = r.design.design.layers.find((l) => l.node === name)?.hardware;
    const cost = perLayerCost.get(name);
    if (!hw || !cost) return null;
    return {
      module: hw.module, reuseFactor: hw.reuseFactor ?? 1, latencyCycles: verified.get(name)?.latencyCycles ?? hw.latencyCycles,
      multipliers: hw.multipliers.weights + hw.multipliers.requantizers, luts: cost.luts, ffs: cost.ffs, dsps: cost.dsps, brams: cost.brams,
    };
  };
  return {
    kind: 'fpga',
    passed: failed.length === 0,
    failed,
    model: r.model,
    target: { name: r.target.name, description: r.target.description, board: r.target.board, family: r.target.family },
    resourceScope: r.target.pnr ? 'board top (core + UART), as placed' : 'the core (synthesis; no open place and route for this family)',
    budgets,
    estimatedCosts: { dense: r.denseCosts, final: r.design.costs },
    design: {
      reuseFactors: r.design.reuseFactors,
      multipliers: r.multipliers,
      initiationInterval: v.initiationInterval,
      clock: { boardMHz, fmaxMHz: fmax, latencyUsAtBoardClock: latency / boardMHz, latencyUsAtFmax: fmax === null ? null : latency / fmax },
      bitstreamBytes: impl?.bitstreamBytes ?? null,
    },
    precision: 'int8',
    accuracy: {
      dense: r.search.dense.test, prunedFloat: r.search.final.test, final: r.deployed.test, dropPoints, maxDropPoints: r.maxDrop, split: 'test',
      validation: { dense: r.search.dense.validation, final: r.search.final.validation },
    },
    quantization: r.deployed.quantization,
    layers: [...before].map(([name, b]) => {
      const a = after.get(name);
      return { name, op: b.op, before: { params: b.params, macs: b.macs, sparsity: b.sparsity }, after: a ? { params: a.params, macs: a.macs, sparsity: a.sparsity } : null, hardware: a ? hardware(name) : null };
    }),
    steps: r.search.iterations.map((it) => ({
      iteration: it.iteration, constrained: it.constrained, chosen: it.chosen, costs: it.costs, validation: it.validation, sparsity: it.sparsity,
      params: it.params, macs: it.macs, proposals: it.proposals.length, seconds: it.wallMs / 1000,
    })),
    stoppedBecause: r.search.stoppedBecause,
    fineTuning: r.search.fineTuning,
    contender: r.search.contender ?? null,
    verification: {
      passed: v.passed, vectors: v.vectors, mismatchCount: v.mismatchCount, runOn: v.runOn, vectorSource: v.vectorSource,
      latencyCycles: v.latencyCycles, initiationInterval: v.initiationInterval,
      worstCase: { latencyCycles: v.latencyCycles, basis: FPGA_WORST_CASE_BASIS },
      resourcesSource: impl?.source ?? (r.measured.overflow ? 'Yosys; nextpnr could not place it' : null),
      logicCellsSource: r.measured.logicCellsSource,
      placement: impl?.placement ?? null,
      overflow: r.measured.overflow,
      durationsMs: v.durationsMs,
    },
    files: r.files,
  };
}
