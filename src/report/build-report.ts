// The report of `edgeprune build`: budgets (estimated and measured), accuracy, per-layer change, trajectory, verification.

import { modelStats } from '../analysis/model-stats.js';
import { worstCaseSummary, type WorstCaseSummary } from './worst-case-summary.js';
import { BUDGET_LABELS, type Budget, type BudgetName, type Costs } from '../build/budgets.js';
import { roundPoints, type ContenderRecord, type FineTuningTally, type SearchResult, type SmallestSeen } from '../build/search.js';
import type { Graph } from '../ir/graph.js';
import type { McuTarget } from '../targets/schema.js';
import type { VerifyReport } from '../verify/verify-mcu.js';
import type { Precision } from '../analysis/model-precision.js';
import type { QuantizationSummary } from '../build/int8-deployment.js';
import type { DropUncertainty } from '../prune/uncertainty.js';

export interface BudgetLine {
  name: BudgetName;
  label: string;
  givenAs: string;
  limit: number;
  /** Predicted by the cost model for the final model. */
  estimated: number;
  /** Measured in the simulator (null when verification did not run). */
  measured: number | null;
  pass: boolean;
  /** The lowest predicted cost any candidate of the search reached (kept or not), with its validation accuracy. */
  smallestSeen: SmallestSeen | null;
}

export interface LayerFigures {
  params: number;
  macs: number;
  sparsity: number | null;
  /** Predicted by the cost model (per layer; the simulator measures the whole inference only). */
  instructions: number;
}

export interface LayerLine {
  name: string;
  op: string;
  before: LayerFigures;
  /** null when the layer was removed. */
  after: LayerFigures | null;
}

export interface BuildReport {
  passed: boolean;
  /** The verified firmware's worst case (verify --worst-case: a build with a worst-case budget), or null. */
  worstCase: WorstCaseSummary | null;
  /** Budgets (and the accuracy limit) that failed. */
  failed: string[];
  model: string;
  target: { name: string; description: string; emulator: string };
  budgets: BudgetLine[];
  /** The cost model's figures for the dense and the final model. */
  estimatedCosts: { dense: Costs; final: Costs };
  /** The precision of the deployed model (the firmware, model.onnx). */
  precision: Precision;
  /**
   * Test scores (accuracy, or −MSE): `dense` of the float model given, `final` of the deployed model (int8 builds:
   * the quantized pruned model, run by the interpreter), `prunedFloat` of the pruned float model before quantization
   * (int8 builds; equal to `final` in float32). `dropPoints` (dense → final) is what --max-drop limits.
   */
  accuracy: {
    dense: number; final: number; prunedFloat: number; dropPoints: number; maxDropPoints: number; split: 'test';
    /**
     * Validation scores (held out), of the deployed model; with `refit` (--final-on-validation) `final` is the model's
     * as the search decided it (`finalIs` says so): the deployed model was refit on train + validation, so no held-out
     * validation figure of it exists.
     */
    validation: { dense: number; final: number; finalIs?: 'the model as decided, before its refit on train + validation' };
    /**
     * How much these figures can be trusted: one validation sample (what the search decided on) and one test sample
     * in points, and the paired standard error of the test drop (null for regression, or when not computed).
     */
    uncertainty: { validationSamples: number; validationPointsPerSample: number; testSamples: number; testPointsPerSample: number; dropStandardError: number | null } | null;
  };
  /** int8 builds: how the deployed model was quantized, and what the search priced and judged. */
  quantization: QuantizationSummary | null;
  layers: LayerLine[];
  steps: {
    iteration: number;
    constrained: BudgetName;
    chosen: string | null;
    instructions: number;
    instructionsWorstCase: number;
    ramBytes: number;
    flashBytes: number;
    validation: number;
    sparsity: number;
    params: number;
    macs: number;
    proposals: number;
    seconds: number;
    /** How the chosen proposal was found when the first ones all dropped too much (recovery), or null. */
    recovery: string | null;
    /** Proposals judged on the mean of repeated fine-tunes (borderline on a small validation split). */
    repeated: number;
  }[];
  stoppedBecause: string | null;
  /** Fine-tuning epochs the search ran in all, and on the deployed model's path from the model given. */
  fineTuning: FineTuningTally;
  /** The uniform contender fine-tuned beside the final model, or null (not asked for, or the budgets did not hold). */
  contender: ContenderRecord<string> | null;
  /** --final-on-validation: the fine-tune refit on train + validation once the search had decided (null: none). */
  refit: { what: string; epochs: number; samples: number; decidedOnSamples: number; sawValidation: true } | null;
  /** --average-epochs: the deployed weights are the mean over the last epochs of the fine-tune that made them (null: the last iterate). */
  averaging: { lastEpochs: number; of: string } | null;
  verification: VerifyReport | null;
  /**
   * The dense model measured in the emulator before the search (null: no instruction budget, or it could not run),
   * and the predicted instructions the search aimed at from the cost model's error on it.
   */
  denseCheck: DenseCheckLine | null;
  files: string[];
}

/** Per-layer predicted instructions, keyed by IR node name. */
export type LayerInstructions = Map<string, number>;

function layerFigures(g: Graph, instructions: LayerInstructions): Map<string, { op: string; f: LayerFigures }> {
  const out = new Map<string, { op: string; f: LayerFigures }>();
  for (const l of modelStats(g).layers) {
    out.set(l.name, { op: l.op, f: { params: l.params, macs: l.macs, sparsity: l.sparsity, instructions: Math.round(instructions.get(l.name) ?? 0) } });
  }
  return out;
}

export interface ReportInput {
  model: string;
  target: McuTarget;
  budgets: Budget[];
  maxDrop: number;
  dense: Graph;
  final: Graph;
  denseInstructions: LayerInstructions;
  finalInstructions: LayerInstructions;
  search: SearchResult;
  verification: VerifyReport | null;
  measured: Costs | null;
  files: string[];
  /** The deployed model's precision (default float32). */
  precision?: Precision;
  /** int8 builds: the test score of the deployed int8 model and how it was quantized. */
  int8?: { test: number; quantization: QuantizationSummary } | null;
  /** The uncertainty of the drop (src/prune/uncertainty.ts): validation split size, and the test drop's. */
  uncertainty?: { validationSamples: number; test: DropUncertainty } | null;
  /** The dense model measured before the search, and the instruction limit the search aimed at (src/build/dense-check.ts). */
  denseCheck?: DenseCheckLine | null;
}

/** The dense model's predicted and measured costs, and the predicted instructions the search aimed at. */
export interface DenseCheckLine {
  predicted: Costs;
  measured: Costs;
  aimedInstructions: number;
}

/** Why a verification failed, in words: outputs that differ from the interpreter, or a worst-case bound exceeded. */
function verificationFailure(v: VerifyReport): string {
  const reasons: string[] = [];
  if (v.results.some((x) => !x.passed)) reasons.push('the firmware outputs differ from the interpreter');
  if (v.worstCase && !v.worstCase.holds) reasons.push(v.worstCase.problem ?? 'a measured count exceeded the worst-case bound');
  return reasons.join('; ') || 'the firmware outputs differ from the interpreter';
}

export function buildReport(r: ReportInput): BuildReport {
  const budgets: BudgetLine[] = r.budgets.map((b) => {
    const estimated = r.search.final.costs[b.name];
    const measured = r.measured ? r.measured[b.name] : null;
    return { name: b.name, label: BUDGET_LABELS[b.name], givenAs: b.givenAs, limit: b.limit, estimated, measured, pass: (measured ?? estimated) <= b.limit, smallestSeen: r.search.smallestSeen[b.name] ?? null };
  });
  const before = layerFigures(r.dense, r.denseInstructions);
  const after = layerFigures(r.final, r.finalInstructions);
  const layers: LayerLine[] = [...before].map(([name, b]) => ({ name, op: b.op, before: b.f, after: after.get(name)?.f ?? null }));
  const finalTest = r.int8 ? r.int8.test : r.search.final.test;
  const dropPoints = roundPoints((r.search.dense.test - finalTest) * 100);
  const failed = budgets.filter((b) => !b.pass).map((b) => `${b.label}: ${(b.measured ?? b.estimated).toLocaleString('en-US')} > ${b.limit.toLocaleString('en-US')} (${b.givenAs})`);
  const which = r.int8 ? 'the int8 model dropped' : 'dropped';
  const from = r.int8 ? ' from the dense float model' : '';
  if (dropPoints > r.maxDrop) failed.push(`accuracy: ${which} ${dropPoints.toFixed(2)} points on the test split${from}, more than --max-drop ${r.maxDrop}`);
  if (r.verification && !r.verification.passed) failed.push(`verification: ${verificationFailure(r.verification)}`);
  return {
    passed: failed.length === 0,
    worstCase: worstCaseSummary(r.verification?.worstCase, r.budgets),
    failed,
    model: r.model,
    target: { name: r.target.name, description: r.target.description, emulator: `qemu ${r.target.emulator.machine}` },
    budgets,
    estimatedCosts: { dense: r.search.dense.costs, final: r.search.final.costs },
    precision: r.precision ?? 'float32',
    accuracy: {
      dense: r.search.dense.test, final: finalTest, prunedFloat: r.search.final.test, dropPoints, maxDropPoints: r.maxDrop, split: 'test',
      validation: { dense: r.search.dense.validation, final: r.search.final.validation, ...(r.search.refit ? { finalIs: 'the model as decided, before its refit on train + validation' as const } : {}) },
      uncertainty: r.uncertainty
        ? {
          validationSamples: r.uncertainty.validationSamples, validationPointsPerSample: 100 / r.uncertainty.validationSamples,
          testSamples: r.uncertainty.test.samples, testPointsPerSample: r.uncertainty.test.pointsPerSample, dropStandardError: r.uncertainty.test.standardError,
        }
        : null,
    },
    quantization: r.int8?.quantization ?? null,
    layers,
    steps: r.search.iterations.map((it) => ({
      iteration: it.iteration, constrained: it.constrained, chosen: it.chosen,
      instructions: it.costs.instructions, instructionsWorstCase: it.costs.instructionsWorstCase, ramBytes: it.costs.ramBytes, flashBytes: it.costs.flashBytes,
      validation: it.validation, sparsity: it.sparsity, params: it.params, macs: it.macs, proposals: it.proposals.length, seconds: it.wallMs / 1000,
      recovery: it.recovery ?? null,
      repeated: it.repeated ?? 0,
    })),
    stoppedBecause: r.search.stoppedBecause,
    fineTuning: r.search.fineTuning,
    contender: r.search.contender ?? null,
    refit: r.search.refit ? { what: r.search.refit.what, epochs: r.search.refit.epochs, samples: r.search.refit.samples, decidedOnSamples: r.search.refit.decidedOnSamples, sawValidation: true } : null,
    averaging: r.search.averaging ? { lastEpochs: r.search.averaging.lastEpochs, of: r.search.averaging.of } : null,
    verification: r.verification,
    denseCheck: r.denseCheck ?? null,
    files: r.files,
  };
}
