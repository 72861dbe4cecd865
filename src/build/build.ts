// `edgeprune build`, the main job: prune under the target's budgets, compile, verify in the emulator, report.

import { exportOnnx } from '../onnx/export.js';
import { compileToC } from '../emit/c/compile-c.js';
import { targetEstimator } from '../cost/estimator.js';
import { projectFiles } from '../emit/c/project-files.js';
import type { Graph } from '../ir/graph.js';
import type { Tensor } from '../ir/tensor.js';
import { sampleTensors, type Dataset } from '../data/dataset.js';
import type { ProgressiveData } from '../prune/progressive.js';
import type { Trainer } from '../prune/trainer.js';
import { buildReport, type BuildReport, type LayerInstructions } from '../report/build-report.js';
import { renderHtmlReport } from '../report/html-report.js';
import type { McuTarget } from '../targets/schema.js';
import type { PrecisionChoice } from '../targets/precision.js';
import { verifyOnTarget, type VerifyReport } from '../verify/verify-mcu.js';
import type { VectorSet } from '../verify/vectors.js';
import { datasetVectors } from '../verify/dataset-vectors.js';
import { aimedLimits, allHold, tightened, type Budget, type BudgetName, type Costs } from './budgets.js';
import { aimText, measureDense } from './dense-check.js';
import { memoizedByContent } from './memo-costs.js';
import { continuedSearch, searchUnderBudget, type SearchEvents, type SearchOptions, type SearchResult } from './search.js';
import { quantizePruned, type Int8Deployment, type Int8Options } from './int8-deployment.js';
import { interpreterScore } from '../data/evaluate.js';
import { dropUncertainty } from '../prune/uncertainty.js';

/** The cost model bound to a target: budgeted costs and per-layer instructions of a graph. */
export interface BoundCostModel {
  costs(g: Graph): Costs;
  layerInstructions(g: Graph): LayerInstructions;
}

export interface BuildInput {
  modelName: string;
  graph: Graph;
  target: McuTarget;
  data: ProgressiveData;
  trainer: Trainer;
  cost: BoundCostModel;
  budgets: Budget[];
  search: Omit<SearchOptions, 'budgets'>;
  /** Vectors the firmware is verified on. */
  verifyVectors: number;
  /** The precision the command chose, for the reports. */
  precision?: PrecisionChoice;
  /** build --constant-time-mac: every firmware verified and the library written with the constant-time soft-float MAC. */
  constantTimeMac?: boolean;
  /**
   * int8 builds: how the pruned float model is quantized after each search round (the search prunes and fine-tunes
   * in float; `cost` must then price candidates as int8 deployments, see int8CostModel). The firmware compiled,
   * verified (bit-exact) and measured against the budgets is the int8 one.
   */
  int8?: Int8Options;
  events?: SearchEvents & { onPhase?: (text: string) => void };
}

export interface BuildOutput {
  report: BuildReport;
  /** Files of the output folder (relative path → content). */
  files: Map<string, string | Uint8Array>;
  /** The model deployed: the pruned float model, or its int8 quantization. */
  graph: Graph;
}

/** Measured costs of the verified firmware, in the budgets' terms. */
export function measuredCosts(v: VerifyReport): Costs {
  const instructions = v.instructions ?? v.cycles ?? Infinity;
  // Without a worst-case section (no --deadline-ms budget, or no calibration) the largest measured count stands in.
  return { instructions, instructionsWorstCase: v.worstCase?.instructionsWorstCase ?? instructions, ramBytes: v.ramBytes + (v.stackBytes ?? 0), flashBytes: v.flashBytes };
}

/** The first `count` samples of a split as model inputs (one tensor each, in the model's input shape). */
export function sampleVectors(g: Graph, ds: Dataset, count: number): Tensor[][] {
  const first = Array.from({ length: Math.min(count, ds.count) }, (_, i) => i);
  return sampleTensors(ds, first, g.inputs[0].shape as number[]).map((t) => [t]);
}

/** Verification inputs: the first `count` test samples, in the model's input shape, with their labels (the on-target accuracy). */
function testVectors(g: Graph, data: ProgressiveData, count: number): VectorSet {
  return datasetVectors(g, data.test, count);
}

/** Test vectors the dense model's measurement before the search runs. */
const DENSE_CHECK_VECTORS = 10;

export async function buildForTarget(input: BuildInput): Promise<BuildOutput> {
  const { target, data, trainer, cost, budgets } = input;
  const log = input.events?.onPhase ?? (() => {});
  // Predictions kept by graph content: the search prices many candidates more than once (memo-costs.ts).
  const predict = memoizedByContent((g: Graph) => cost.costs(g));
  // The cost model's error on this model, measured once on the dense model: the search aims at limits scaled by it.
  // A worst-case budget: verify runs the adversarial vectors too and reports the bound (and fails when it is exceeded).
  const worstCase = budgets.some((b) => b.name === 'instructionsWorstCase') ? {} : undefined;
  const verify = (g: Graph, count = input.verifyVectors) => verifyOnTarget(g, input.modelName, { target, vectors: testVectors(g, data, count), precision: input.precision, worstCase, constantTimeMac: input.constantTimeMac });
  const denseCheck = await measureDense({
    graph: input.graph, target, budgets, predict,
    // An int8 build's dense deployment: quantized post-training (the instruction count does not depend on QAT); a
    // few vectors are enough for its costs (the deployed model's verification runs them all, for its accuracy).
    measure: async (g) => measuredCosts(await verify(input.int8 ? (await quantizePruned(g, data.train, { ...input.int8, qatEpochs: undefined })).graph : g, Math.min(DENSE_CHECK_VECTORS, input.verifyVectors))),
  }, log);
  const aimed = denseCheck ? aimedLimits(budgets, denseCheck.predicted, denseCheck.measured) : budgets;
  const instructionLimit = (list: Budget[]) => list.find((b) => b.name === 'instructions')!.limit;
  if (denseCheck) log(aimText(denseCheck, instructionLimit(budgets), instructionLimit(aimed)));
  let internal = aimed;
  let graph = input.graph;
  let searchFrom = input.graph;
  let search: SearchResult | undefined;
  let verification: VerifyReport | null = null;
  let measured: Costs | null = null;
  let deployment: Int8Deployment | null = null;
  // The search works on predictions; the emulator has the last word. When the firmware measures over a
  // budget the model predicted it would meet, the search goes on against a tighter internal limit.
  for (let round = 0; round < 3; round++) {
    log(round === 0 ? 'searching under the budgets (cost model)' : `the firmware measured over budget: searching on with tighter internal limits (round ${round + 1})`);
    const next = await searchUnderBudget(searchFrom, trainer, data, predict, { ...input.search, budgets: internal, reference: search?.dense, round, origin: { graph: input.graph, keptEpochs: search?.fineTuning.keptEpochs ?? 0 } }, input.events);
    // Keep the whole trajectory across rounds (the dense reference is carried by the options).
    const s = search ? continuedSearch(search, next) : next;
    search = s;
    graph = s.graph;
    // A later round decides on validation again: it goes on from the model as decided, not from its refit on validation.
    searchFrom = s.refit?.decided ?? s.graph;
    if (input.int8) {
      const how = input.int8.qatEpochs === undefined ? 'post-training' : `after ${input.int8.qatEpochs} epoch(s) of quantization-aware fine-tuning`;
      log(`quantizing the pruned model to int8 (${how}, ${input.int8.method} ranges)`);
      deployment = await quantizePruned(graph, data.train, input.int8);
    }
    const deployed = deployment?.graph ?? graph;
    log(`verifying the pruned ${deployment ? 'int8 ' : ''}model on ${target.name} (qemu ${target.emulator.machine})`);
    verification = await verify(deployed);
    measured = measuredCosts(verification);
    if (!s.met || allHold(budgets, measured)) break;
    internal = tightened(internal, s.final.costs, measured, budgets);
  }
  const final = search!;
  const deployed = deployment?.graph ?? graph;
  const lib = compileToC(deployed, { estimator: targetEstimator(target), target, constantTimeMac: input.constantTimeMac });
  const files = new Map<string, string | Uint8Array>();
  files.set('model.onnx', exportOnnx(deployed));
  for (const [name, text] of lib.files) files.set(`c/${name}`, text);
  // The library's project files (Makefile, CMakeLists.txt, README.md, zephyr/), as compile writes them.
  for (const [name, text] of projectFiles(lib, target)) files.set(`c/${name}`, text);
  const fileList = [...files.keys(), 'report.json', 'report.html'].sort();
  const report = buildReport({
    model: input.modelName, target, budgets, maxDrop: input.search.maxDrop,
    dense: input.graph, final: graph,
    denseInstructions: cost.layerInstructions(input.graph), finalInstructions: cost.layerInstructions(graph),
    search: final, verification, measured, files: fileList,
    denseCheck: denseCheck && { ...denseCheck, aimedInstructions: instructionLimit(aimed) },
    precision: deployment ? 'int8' : 'float32',
    int8: deployment && { test: interpreterScore(deployment.graph, data.test), quantization: deployment.summary },
    uncertainty: { validationSamples: data.validation.count, test: dropUncertainty(input.graph, deployed, data.test) },
  });
  files.set('report.json', `${JSON.stringify(report, null, 2)}\n`);
  files.set('report.html', renderHtmlReport(report));
  return { report, files, graph: deployed };
}

export type { BudgetName };
