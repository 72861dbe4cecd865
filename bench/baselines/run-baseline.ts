// The panel's baselines on one trained model and one target: uniform structural pruning and one-shot global
// magnitude pruning at the smallest level the build's cost model says meets the budgets, fine-tuned for as many
// epochs as the build's search spent, then deployed, verified and measured in QEMU exactly as `edgeprune build` does.

import { aimedLimits, allHold, tightened, type Budget, type Costs } from '../../src/build/budgets.js';
import { measuredCosts, sampleVectors, type BuildInput } from '../../src/build/build.js';
import { bindCostModel } from '../../src/build/cost-binding.js';
import { int8CostModel, quantizePruned, type Int8Options } from '../../src/build/int8-deployment.js';
import type { BuildCliOptions } from '../../src/cli/commands/build.js';
import { loadFittedSplit } from '../../src/cli/data-options.js';
import { createFineTuner } from '../../src/cli/training-options.js';
import { interpreterScore } from '../../src/data/evaluate.js';
import { dropInPoints } from '../../src/data/metrics.js';
import { loadModel, modelDisplayName } from '../../src/import/load-model.js';
import type { Graph } from '../../src/ir/graph.js';
import { analyzePruneGroups, pruneChannels } from '../../src/prune/structure/index.js';
import { applyMasks, magnitudeMasks, masksFromZeros, type Masks } from '../../src/prune/weight-masks.js';
import { DEFAULT_CALIBRATION } from '../../src/quant/calibrate.js';
import { findMcuTarget } from '../../src/targets/load-targets.js';
import { chooseBuildPrecision, type PrecisionChoice } from '../../src/targets/precision.js';
import { verifyOnTarget } from '../../src/verify/verify-mcu.js';
import { levels, smallestLevelMeeting, uniformRemovals } from './level-search.js';

export type BaselineKind = 'uniform' | 'global';
export const BASELINE_KINDS: readonly BaselineKind[] = ['uniform', 'global'];

/** One model on one target, bound as `edgeprune build` binds it (same split, cost model, precision, trainer). */
export interface BaselineContext extends Pick<BuildInput, 'modelName' | 'graph' | 'target' | 'data' | 'trainer' | 'cost' | 'verifyVectors'> {
  precision: PrecisionChoice;
  int8?: Int8Options;
  /** The dense float model's test score (what a build's drop is measured from). */
  denseTest: number;
  /** The dense model's measured costs (deployed as build deploys it): the baselines aim their instruction limit as build does (aimedLimits). */
  denseMeasured: Costs;
}

export interface Measured {
  costs: Costs;
  /** The deployed model's test score (int8 builds: the quantized model, as build reports it). */
  test: number;
  /** The firmware's outputs matched the interpreter. */
  verified: boolean;
}

/** The build's defaults for the options the binding reads (edgeprune build --seed S --data <file>, other flags default; the test fraction left to the data: an IDX folder brings its own). */
export async function baselineContext(modelFile: string, dataFile: string, targetName: string, seed: number, extra: Record<string, unknown> = {}): Promise<BaselineContext> {
  const o = { data: dataFile, seed, validation: 0.15, batchSize: 32, lr: 1e-3, verifyVectors: 10, ...extra } as unknown as BuildCliOptions;
  const graph = await loadModel(modelFile);
  const target = findMcuTarget(targetName, 'build');
  const precision = chooseBuildPrecision(graph, target, undefined);
  const data = loadFittedSplit(o.data, o, graph);
  const int8 = precision.precision === 'int8';
  const cost = int8
    ? int8CostModel(await bindCostModel(target), data.train, undefined)
    : await bindCostModel(target, { graph, vectors: sampleVectors(graph, data.validation, 16) });
  const trainer = await createFineTuner(o, data.train, graph);
  const ctx = {
    modelName: modelDisplayName(modelFile), graph, target, data, trainer, cost, precision,
    int8: int8 ? { method: DEFAULT_CALIBRATION, seed, batchSize: o.batchSize } : undefined,
    denseTest: await trainer.score(graph, data.test), verifyVectors: o.verifyVectors ?? 10,
  };
  return { ...ctx, denseMeasured: (await measureDeployed({ ...ctx, denseMeasured: cost.costs(graph) }, graph)).costs };
}

/** Deploy (int8: quantize as build does), verify on the target's emulator, and measure in the budgets' terms. */
export async function measureDeployed(ctx: BaselineContext, g: Graph): Promise<Measured> {
  const deployed = ctx.int8 ? (await quantizePruned(g, ctx.data.train, ctx.int8)).graph : g;
  const inputs = sampleVectors(deployed, ctx.data.test, ctx.verifyVectors);
  const v = await verifyOnTarget(deployed, ctx.modelName, { target: ctx.target, vectors: { inputs, source: `${inputs.length} test samples` }, precision: ctx.precision });
  const test = ctx.int8 ? interpreterScore(deployed, ctx.data.test) : await ctx.trainer.score(g, ctx.data.test);
  return { costs: measuredCosts(v), test, verified: v.passed };
}

export interface BaselineResult {
  kind: BaselineKind;
  /** Every budget measured within its limit on the verified firmware. */
  met: boolean;
  /** 'all' budgets, or 'instructions' alone when the others are below the baseline's cost floor. */
  budgetsUsed: 'all' | 'instructions';
  /** Fraction of every group's channels (uniform) or global weight sparsity; null when no level meets. */
  level: number | null;
  /** Budgets no level of this baseline can meet (predicted), with the floor. */
  floor: string[];
  measured: Costs | null;
  test: number | null;
  /** Test points lost from the dense float model. */
  drop: number | null;
  verified: boolean | null;
  epochs: number;
  seconds: number;
}

interface Candidate {
  graph: Graph;
  masks: () => Masks;
}

function candidateAt(kind: BaselineKind, g: Graph): (level: number) => Candidate {
  if (kind === 'uniform') {
    const analysis = analyzePruneGroups(g);
    return (level) => {
      const graph = pruneChannels(g, uniformRemovals(g, analysis, level), analysis);
      return { graph, masks: () => masksFromZeros(graph) };
    };
  }
  return (level) => {
    const masks = magnitudeMasks(g, level, 'global');
    return { graph: applyMasks(g, masks), masks: () => masks };
  };
}

/**
 * One baseline under `budgets`: the smallest level predicted to meet them, fine-tuned `epochs` epochs, measured. As in
 * the build, a firmware that measures over a budget the cost model said it meets gets up to two more rounds against
 * tightened internal limits. When no level can meet every budget (e.g. weight pruning cannot shrink the activation
 * arena), the floor is reported and the baseline is still run under the instruction budget alone (not met), so that
 * its accuracy at the same instructions can be compared.
 */
export async function runBaseline(kind: BaselineKind, ctx: BaselineContext, budgets: Budget[], epochs: number): Promise<BaselineResult> {
  const started = performance.now();
  const make = candidateAt(kind, ctx.graph);
  const tried = levels(kind === 'uniform' ? 0.99 : 0.98);
  const predict = (c: Candidate) => ctx.cost.costs(c.graph);
  // The instruction limit aimed from the cost model's error on the dense model, as build aims it.
  const aim = (list: Budget[]) => aimedLimits(list, ctx.cost.costs(ctx.graph), ctx.denseMeasured);
  let goal = budgets;
  let internal = aim(goal);
  let search = smallestLevelMeeting(tried, make, predict, internal);
  const floor = search.floor;
  let budgetsUsed: BaselineResult['budgetsUsed'] = 'all';
  const result = (r: Partial<BaselineResult>): BaselineResult => ({
    kind, met: false, budgetsUsed, level: null, floor, measured: null, test: null, drop: null, verified: null, epochs, seconds: (performance.now() - started) / 1000, ...r,
  });
  if (!search.found) {
    budgetsUsed = 'instructions';
    goal = budgets.filter((b) => b.name === 'instructions');
    internal = aim(goal);
    search = internal.length > 0 ? smallestLevelMeeting(tried, make, predict, internal) : search;
    if (!search.found) return result({});
  }
  const canTrain = ctx.trainer.canTrain(ctx.graph).ok;
  let found = search.found!;
  let measured: Measured | undefined;
  for (let round = 0; round < 3; round++) {
    const tuned = canTrain && epochs > 0 ? await ctx.trainer.fineTune(found.candidate.graph, found.candidate.masks(), epochs) : found.candidate.graph;
    measured = await measureDeployed(ctx, tuned);
    if (allHold(goal, measured.costs)) break;
    internal = tightened(internal, found.costs, measured.costs, goal);
    const next = smallestLevelMeeting(tried.filter((l) => l > found.level), make, predict, internal).found;
    if (!next) break;
    found = next;
  }
  const m = measured!;
  return result({
    met: budgetsUsed === 'all' && allHold(budgets, m.costs) && m.verified,
    level: found.level, measured: m.costs, test: m.test, drop: dropInPoints(ctx.denseTest, m.test), verified: m.verified,
  });
}
