// `edgeprune sweep`'s work: the shared part once (the model and data loaded, the dense model's accuracy, the cost
// model's prediction of the dense model on every target and precision), then the combinations as sweep-build jobs
// in waves (tightest budgets first; a looser budget reuses a met tighter result whose measured costs meet it), each
// build's files written under builds/<name>/ as its job finishes, and the report.

import path from 'node:path';
import type { Precision } from '../analysis/model-precision.js';
import { allHold, type Costs } from '../build/budgets.js';
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

export interface SweepRun {
  report: SweepReport;
  /** Jobs run now, and jobs whose result an earlier run had kept in jobs/ (--resume). */
  jobsRun: number;
  jobsResumed: number;
}

export async function runSweep(input: SweepInput, runner: JobRunner, log: (line: string) => void): Promise<SweepRun> {
  const g = await loadModel(input.model);
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
  prepareSweepOutput(input.out, { ...input.output, inputs: [input.model, input.data] });
  const model = { path: path.resolve(input.model), sha256: fileSha256(input.model) };
  const dataFile = { path: path.resolve(input.data), sha256: fileSha256(input.data) };

  const entries = new Map<string, SweepEntry>();
  const wallSeconds: Record<string, number> = {};
  const met: MetResult[] = [];
  const jobsDir = path.join(input.out, 'jobs');
  const waves = sweepWaves(combos);
  let done = 0;
  let jobsRun = 0;
  let jobsResumed = 0;
  for (const [w, wave] of waves.entries()) {
    const jobs = new Map<string, { c: Combination; job: JobSpec }>();
    for (const c of wave) {
      const from = reusableResult(c, met);
      if (from) {
        const source = entries.get(from.name)!;
        entries.set(c.name, { ...source, ...entryBase(c), status: 'reused', job: null, reusedFrom: from.name, failed: [], smallestReached: [] });
        log(`${c.name}: reuses ${from.name} (measured ${from.measured.instructions.toLocaleString('en-US')} instructions, RAM ${from.measured.ramBytes.toLocaleString('en-US')} B, flash ${from.measured.flashBytes.toLocaleString('en-US')} B meet it)`);
        continue;
      }
      const job = sweepBuildJob({
        name: c.name, model: model.path, modelSha256: model.sha256, data: dataFile.path, dataSha256: dataFile.sha256,
        target: c.target.name, precision: c.precision, budget: c.budget, flags: input.flags, denseMeets: denseMeets(c),
      });
      jobs.set(job.id, { c, job });
    }
    if (jobs.size === 0) continue;
    log(`wave ${w + 1} of ${waves.length}: ${jobs.size} build${jobs.size === 1 ? '' : 's'}`);
    const run = await runResumable(runner, [...jobs.values()].map((j) => j.job), {
      dir: jobsDir,
      // The build's folder is written as its job finishes, before the job counts as kept.
      keep: (id, result) => {
        const { files, ...kept } = result as unknown as SweepBuildResult;
        const name = jobs.get(id)!.c.name;
        writeDirAtomically(path.join(input.out, 'builds', name), new Map(Object.entries(files).map(([f, b64]) => [f, Buffer.from(b64, 'base64')])), { force: true });
        return kept as unknown as Json;
      },
      onSettled: (o) => {
        const name = jobs.get(o.id)!.c.name;
        const r = o.ok ? (o.result as unknown as KeptResult) : null;
        log(`[${++done}] ${name}: ${r ? `${r.met ? 'met' : 'not met'} (${r.wallSeconds.toFixed(1)} s)` : `FAILED: ${o.ok ? '' : o.error}`}`);
      },
    });
    jobsRun += run.ran;
    jobsResumed += run.reused;
    if (run.reused) log(`${run.reused} of ${jobs.size} builds of this wave were already finished in ${jobsDir}: not run again`);
    for (const o of run.outcomes) {
      const { c, job } = jobs.get(o.id)!;
      if (!o.ok) {
        entries.set(c.name, {
          ...entryBase(c), status: 'failed', job: job.id, reusedFrom: null, search: 'searched', met: null, failed: [], measured: null, accuracy: null,
          smallestReached: [], iterations: null, stoppedBecause: null, output: null, error: o.error,
        });
        continue;
      }
      const r = o.result as unknown as KeptResult;
      entries.set(c.name, builtEntry(c, job, r, denseMeets(c)));
      wallSeconds[c.name] = r.wallSeconds;
      if (r.met) met.push({ name: c.name, target: c.target.name, precision: c.precision, measured: { instructions: r.measured.instructions, ramBytes: r.measured.ramBytes, flashBytes: r.measured.flashBytes } });
    }
  }
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
