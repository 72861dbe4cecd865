// `edgeprune sweep`'s work: the shared part once (the model and data loaded, the dense model's accuracy, the cost
// model's prediction of the dense model on every target and precision), then the combinations as sweep-build jobs,
// each target and precision a chain of waves (tightest budgets first; a looser budget reuses a met tighter result
// whose measured costs meet it) and the chains side by side, each build's files written under builds/<name>/ as its
// job finishes, and the report.

import path from 'node:path';
import type { Precision } from '../analysis/model-precision.js';
import { allHold, worstRatio, type Costs } from '../build/budgets.js';
import { sampleVectors } from '../build/build.js';
import { bindCostModel } from '../build/cost-binding.js';
import { int8CostModel } from '../build/int8-deployment.js';
import { loadFittedSplit } from '../cli/data-options.js';
import { interpreterScore } from '../data/evaluate.js';
import { loadModel, modelDisplayName } from '../import/load-model.js';
import type { Graph } from '../ir/graph.js';
import type { ProgressiveData } from '../prune/progressive.js';
import { runResumable } from '../jobs/resumable.js';
import type { JobRunner } from '../jobs/runner.js';
import type { JobSpec, Json } from '../jobs/spec.js';
import { chooseBuildPrecision } from '../targets/precision.js';
import type { McuTarget } from '../targets/schema.js';
import { compareStrings } from '../util/compare.js';
import { writeDirAtomically } from '../util/write-dir.js';
import { expectedChainWork, type SweepSchedule } from './chain-order.js';
import { PrioritySlots } from './priority-slots.js';
import { budgetName, budgetText, reusableResult, sweepCombinations, sweepWaves, type Combination, type MetResult, type SweepBudget } from './combinations.js';
import { fileSha256, sweepBuildJob, withoutUndefined, type SweepBuildFlags, type SweepBuildResult } from './sweep-build-kind.js';
import { prepareSweepOutput, type SweepOutputOptions } from './sweep-output.js';
import { CHEAPEST_RULE, cheapestPerBudget, type SweepEntry, type SweepReport } from './sweep-report.js';

export interface SweepInput {
  model: string;
  data: string;
  out: string;
  targets: McuTarget[];
  budgets: SweepBudget[];
  /** --precision; undefined: each target's default (build's choice). */
  precisions?: Precision[];
  flags: SweepBuildFlags;
  /** --resume, --force: how the output folder is made (after the model, the data and the precisions are checked). */
  output: Omit<SweepOutputOptions, 'inputs'>;
  /** Which waiting build takes a free worker (default longest-chain-first; first-come for bench/sweep-schedule.ts). */
  schedule?: SweepSchedule;
}

/** A result as kept in jobs/<id>.json: without the files, which are written under builds/<name>/. */
type KeptResult = Omit<SweepBuildResult, 'files'>;

/** The cost model's figures for the dense model on a target, in a precision (int8: as its int8 deployment). */
async function predictDense(g: Graph, target: McuTarget, precision: Precision, data: ProgressiveData, flags: SweepBuildFlags): Promise<Costs> {
  const cost = precision === 'int8'
    ? int8CostModel(await bindCostModel(target), data.train, flags.denseWeights)
    : await bindCostModel(target, { graph: g, vectors: sampleVectors(g, data.validation, 16) });
  return cost.costs(g);
}

function builtEntry(c: Combination, job: JobSpec, r: KeptResult, denseMeets: boolean): SweepEntry {
  return {
    ...entryBase(c),
    status: 'built', job: job.id, reusedFrom: null,
    search: denseMeets && r.search.iterations === 0 ? 'dense model meets the budget (cost model): compiled and measured without a search' : 'searched',
    met: r.met, failed: r.failed, measured: r.measured, accuracy: { final: r.accuracy.final, dropPoints: r.accuracy.dropPoints },
    smallestReached: r.smallestReached, iterations: r.search.iterations, stoppedBecause: r.search.stoppedBecause,
    output: `builds/${c.name}`, error: null,
  };
}

function entryBase(c: Combination): Pick<SweepEntry, 'name' | 'target' | 'precision' | 'budget' | 'budgetKey' | 'budgetText'> {
  return { name: c.name, target: c.target.name, precision: c.precision, budget: withoutUndefined(c.budget), budgetKey: budgetName(c.budget), budgetText: budgetText(c.budget) };
}

const chainKey = (c: Combination): string => `${c.target.name}/${c.precision}`;

export interface SweepRun {
  report: SweepReport;
  /** Jobs run now, and jobs whose result an earlier run had kept in jobs/ (--resume). */
  jobsRun: number;
  jobsResumed: number;
}

export async function runSweep(input: SweepInput, runner: JobRunner, log: (line: string) => void): Promise<SweepRun> {
  const g = await loadModel(input.model, { inputShapes: input.flags.inputShape });
  const precisions = (t: McuTarget) =>
    input.precisions
      ? input.precisions.map((p) => ({ precision: chooseBuildPrecision(g, t, p).precision, given: true }))
      : [{ precision: chooseBuildPrecision(g, t, undefined).precision, given: false }];
  const combos = sweepCombinations(input.targets, input.budgets, precisions);
  const data = loadFittedSplit(input.data, input.flags, g);
  // Shared work, once: the dense model's accuracy, and the cost model's verdict on it for every combination.
  const denseAccuracy = interpreterScore(g, data.test);
  log(`dense model: ${(denseAccuracy * 100).toFixed(2)}% test accuracy; ${combos.length} combinations on ${runner.description}`);
  const predicted = new Map<string, Costs>();
  for (const c of combos) {
    const key = `${c.target.name}/${c.precision}`;
    if (!predicted.has(key)) predicted.set(key, await predictDense(g, c.target, c.precision, data, input.flags));
  }
  const denseMeets = (c: Combination) => allHold(c.budgets, predicted.get(`${c.target.name}/${c.precision}`)!);
  /** The cost model's dense cost over the combination's budget (≤ 1: the dense model meets it). */
  const denseRatio = (c: Combination) => worstRatio(c.budgets, predicted.get(`${c.target.name}/${c.precision}`)!).ratio;
  prepareSweepOutput(input.out, { ...input.output, inputs: [input.model, input.data] });
  const model = { path: path.resolve(input.model), sha256: fileSha256(input.model) };
  const dataFile = { path: path.resolve(input.data), sha256: fileSha256(input.data) };

  const entries = new Map<string, SweepEntry>();
  const wallSeconds: Record<string, number> = {};
  const jobsDir = path.join(input.out, 'jobs');
  // Each target and precision is a chain of waves (sweepWaves: tightest budgets first); the chains run side by side, so
  // a long build on one target holds up only the looser budgets of its own chain. A combination starts when every
  // earlier wave of its chain has finished, and reuses the last met result of those waves (in wave, then job-id order)
  // whose measured costs meet its budgets: the same choices, whatever order the jobs finish in. When more builds wait
  // than the runner has slots, a freed slot goes to the build whose chain has the most expected work left
  // (chain-order.ts), so that long chains start early (bench/sweep-schedule.ts replays a sweep both ways).
  const waves = sweepWaves(combos);
  const chains = new Map<string, Combination[][]>();
  for (const wave of waves) {
    const byChain = new Map<string, Combination[]>();
    for (const c of wave) byChain.set(chainKey(c), [...(byChain.get(chainKey(c)) ?? []), c]);
    for (const [key, members] of byChain) chains.set(key, [...(chains.get(key) ?? []), members]);
  }
  const slots = new PrioritySlots(runner.slots ?? Number.POSITIVE_INFINITY);
  const schedule = input.schedule ?? 'longest-chain-first';
  let done = 0;
  let jobsRun = 0;
  let jobsResumed = 0;

  /** The sweep-build job of a combination. */
  const jobFor = (c: Combination): JobSpec =>
    sweepBuildJob({
      name: c.name, model: model.path, modelSha256: model.sha256, data: dataFile.path, dataSha256: dataFile.sha256,
      target: c.target.name, precision: c.precision, budget: c.budget, flags: input.flags, denseMeets: denseMeets(c),
    });

  /** Build one combination as a job (or take its kept result); its entry, and its met result if it met its budgets. */
  const buildOne = async (c: Combination, priority: number): Promise<MetResult | null> => {
    const job = jobFor(c);
    const run = await slots.use(priority, () =>
      runResumable(runner, [job], {
        dir: jobsDir,
        // The build's folder is written as its job finishes, before the job counts as kept.
        keep: (_id, result) => {
          const { files, ...kept } = result as unknown as SweepBuildResult;
          writeDirAtomically(path.join(input.out, 'builds', c.name), new Map(Object.entries(files).map(([f, b64]) => [f, Buffer.from(b64, 'base64')])), { force: true });
          return kept as unknown as Json;
        },
        onSettled: (o) => {
          const r = o.ok ? (o.result as unknown as KeptResult) : null;
          log(`[${++done}] ${c.name}: ${r ? `${r.met ? 'met' : 'not met'} (${r.wallSeconds.toFixed(1)} s)` : `FAILED: ${o.ok ? '' : o.error}`}`);
        },
      }),
    );
    jobsRun += run.ran;
    jobsResumed += run.reused;
    if (run.reused) log(`${c.name}: already finished in ${jobsDir}: not run again`);
    const o = run.outcomes[0];
    if (!o.ok) {
      entries.set(c.name, {
        ...entryBase(c), status: 'failed', job: job.id, reusedFrom: null, search: 'searched', met: null, failed: [], measured: null, accuracy: null,
        smallestReached: [], iterations: null, stoppedBecause: null, output: null, error: o.error,
      });
      return null;
    }
    const r = o.result as unknown as KeptResult;
    entries.set(c.name, builtEntry(c, job, r, denseMeets(c)));
    wallSeconds[c.name] = r.wallSeconds;
    return r.met ? { name: c.name, target: c.target.name, precision: c.precision, measured: { instructions: r.measured.instructions, instructionsWorstCase: r.measured.instructions, ramBytes: r.measured.ramBytes, flashBytes: r.measured.flashBytes } } : null;
  };

  const runChain = async (chainWaves: Combination[][]): Promise<void> => {
    const met: MetResult[] = [];
    for (const [k, wave] of chainWaves.entries()) {
      // Each remaining wave by its largest dense cost over budget: the expected work left in this chain, this wave's included.
      const priority = schedule === 'first-come' ? 0 : expectedChainWork(chainWaves.slice(k).map((w) => Math.max(...w.map(denseRatio))));
      const toBuild: Combination[] = [];
      for (const c of wave) {
        const from = reusableResult(c, met);
        if (!from) {
          toBuild.push(c);
          continue;
        }
        const source = entries.get(from.name)!;
        entries.set(c.name, { ...source, ...entryBase(c), status: 'reused', job: null, reusedFrom: from.name, failed: [], smallestReached: [] });
        log(`${c.name}: reuses ${from.name} (measured ${from.measured.instructions.toLocaleString('en-US')} instructions, RAM ${from.measured.ramBytes.toLocaleString('en-US')} B, flash ${from.measured.flashBytes.toLocaleString('en-US')} B meet it)`);
      }
      // The wave's results join `met` in job-id order, as the waves did when they ran one after the other.
      const built = await Promise.all(toBuild.map(async (c) => ({ c, met: await buildOne(c, priority) })));
      const ids = new Map(toBuild.map((c) => [c.name, jobFor(c).id]));
      for (const b of built.sort((x, y) => compareStrings(ids.get(x.c.name)!, ids.get(y.c.name)!))) if (b.met) met.push(b.met);
    }
  };
  log(`${combos.length} combinations in ${chains.size} chain${chains.size === 1 ? '' : 's'} (a target and precision each, tightest budget first), on ${runner.description}`);
  await Promise.all([...chains.values()].map(runChain));
  const combinations = combos.map((c) => entries.get(c.name)!);
  const report: SweepReport = {
    model: { name: modelDisplayName(input.model), sha256: model.sha256 },
    data: { name: path.basename(input.data), sha256: dataFile.sha256 },
    dense: { testAccuracy: denseAccuracy },
    targets: input.targets.map((t) => t.name),
    combinations,
    cheapestRule: CHEAPEST_RULE,
    cheapest: cheapestPerBudget(combinations, input.targets),
    wallSeconds: Object.fromEntries(Object.entries(wallSeconds).sort(([a], [b]) => compareStrings(a, b))),
  };
  return { report, jobsRun, jobsResumed };
}
