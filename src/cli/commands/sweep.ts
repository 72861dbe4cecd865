// `edgeprune sweep <model> --data <file> --targets a,b|all [--latency-ms a,b | --max-instructions …] [--ram-kb …]
// [--flash-kb …] [--precision float32,int8] [--workers N | --queue redis://…] [--resume] [--json] --out <dir>`: every
// combination of target × budget × precision built as a job; sweep.json and sweep.html with the Pareto fronts.

import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type { Precision } from '../../analysis/model-precision.js';
import { UserError } from '../../errors.js';
import { renderSweepHtml } from '../../report/sweep-html.js';
import { budgetGrid, type BudgetLists } from '../../sweep/combinations.js';
import { runSweep } from '../../sweep/run-sweep.js';
import { cheapestSummary, sweepJson } from '../../sweep/sweep-report.js';
import { checkSweepOutput, removeUnusedOutput, writeFileAtomically } from '../../sweep/sweep-output.js';
import { withoutUndefined, type SweepBuildFlags } from '../../sweep/sweep-build-kind.js';
import { findMcuTarget, listMcuTargets } from '../../targets/load-targets.js';
import { parsePrecision } from '../../targets/precision.js';
import type { McuTarget } from '../../targets/schema.js';
import type { InputShapes } from '../../passes/fix-input-shapes.js';
import { terminalJson, terminalText } from '../../util/escape.js';
import { addInt8Options, addSearchOptions, checkCriterion, checkInt8Flags, INSTRUCTION_COUNT, MAX_KIB, positiveUpTo, type Int8CliOptions, type SearchCliOptions } from '../build-options.js';
import { addDataOptions, type DataOptions } from '../data-options.js';
import { addJobOptions, runnerFromOptions, type JobCliOptions } from '../job-options.js';
import { collectInputShape, parseNumber, type NumberRange } from '../options.js';
import { addDistillOption, addTrainingOptions, type DistillCliOptions, type TrainingCliOptions } from '../training-options.js';

interface SweepCliOptions extends DataOptions, TrainingCliOptions, DistillCliOptions, SearchCliOptions, Int8CliOptions, JobCliOptions, BudgetLists {
  data: string;
  out: string;
  targets: string;
  precision?: Precision[];
  resume?: boolean;
  force?: boolean;
  json?: boolean;
  inputShape?: InputShapes;
}

/** Exit code when a combination's job failed (our bug, a crash); the reports are still written. */
export const EXIT_SWEEP_JOBS_FAILED = 1;

/** Commander parser of a comma-separated list of numbers, each within `range`, without repeats. */
function numberListOption(flag: string, range: NumberRange): (value: string) => number[] {
  return (value: string) => {
    const list = value.split(',').map((v) => parseNumber(flag, v.trim(), range));
    if (new Set(list).size !== list.length) throw new UserError(`${flag} '${value}' lists a value twice`);
    return list;
  };
}

function precisionList(value: string): Precision[] {
  const list = value.split(',').map((v) => parsePrecision(v.trim()));
  if (new Set(list).size !== list.length) throw new UserError(`--precision '${value}' lists a precision twice`);
  return list;
}

function sweepTargets(text: string): McuTarget[] {
  if (text.trim() === 'all') return listMcuTargets();
  const names = text.split(',').map((t) => t.trim()).filter(Boolean);
  if (names.length === 0) throw new UserError('--targets names no target', 'give --targets a,b (edgeprune targets lists them) or --targets all');
  if (new Set(names).size !== names.length) throw new UserError(`--targets '${text}' lists a target twice`);
  return names.map((n) => findMcuTarget(n, 'sweep --targets'));
}

function buildFlags(o: SweepCliOptions): SweepBuildFlags {
  return withoutUndefined({
    labels: o.labels === undefined ? undefined : path.resolve(o.labels), seed: o.seed, validation: o.validation, test: o.test, limit: o.limit,
    backend: o.backend, batchSize: o.batchSize, lr: o.lr, distill: o.distill !== false,
    maxDrop: o.maxDrop, dropReserve: o.dropReserve, proposalEpochs: o.proposalEpochs, finalEpochs: o.finalEpochs, maxIterations: o.maxIterations, criterion: o.criterion, weightProposals: o.weightProposals, uniformContender: o.uniformContender, anneal: o.anneal,
    // (undefined: build's default; an explicit 0 stays 0, averaging off)
    averageEpochs: o.averageEpochs,
    finalOnValidation: o.finalOnValidation,
    verifyVectors: o.verifyVectors, calibration: o.calibration, qatEpochs: o.qatEpochs, denseWeights: o.denseWeights, inputShape: o.inputShape,
  });
}

export function registerSweep(program: Command): void {
  const cmd = program
    .command('sweep')
    .description('build a model for every combination of targets, budgets and precisions (each a job on the local workers or a Redis queue) and write sweep.json and sweep.html: a table per target, Pareto plots of accuracy against measured latency, flash and RAM, and the cheapest board meeting each budget')
    .argument('<model>', 'trained model (.onnx, or a TF.js model.json)')
    .requiredOption('--data <file>', 'data to fine-tune and evaluate on (split with --seed)')
    .requiredOption('--targets <names>', 'MCU targets, comma-separated (edgeprune targets lists them), or all')
    .requiredOption('--out <dir>', 'output folder: sweep.json, sweep.html, builds/<combination>/ (each build\'s folder, as build writes it) and jobs/ (finished jobs, for --resume)')
    .option('--latency-ms <list>', 'latency budgets per inference, comma-separated (each converted to instructions at the target\'s clock)', numberListOption('--latency-ms', positiveUpTo(3_600_000)))
    .option('--max-instructions <list>', 'instruction budgets per inference, comma-separated', numberListOption('--max-instructions', INSTRUCTION_COUNT))
    .option('--ram-kb <list>', 'RAM budgets of the model library (arena + stack), comma-separated', numberListOption('--ram-kb', positiveUpTo(MAX_KIB)))
    .option('--flash-kb <list>', 'flash budgets of the model library, comma-separated', numberListOption('--flash-kb', positiveUpTo(MAX_KIB)))
    .option('--precision <list>', 'float32, int8 or float32,int8 (default: each target\'s default, as build chooses)', precisionList)
    .option('--resume', 'go on with the sweep in --out: jobs that finished there are not run again')
    .option('--force', 'start again in an --out folder an earlier sweep wrote')
    .option('--json', 'print sweep.json on stdout instead of the summary')
    .option('--input-shape <name=dims>', 'fix a dynamic input shape (repeatable), for every combination', collectInputShape);
  addSearchOptions(cmd);
  addInt8Options(cmd);
  addJobOptions(addDistillOption(addTrainingOptions(addDataOptions(cmd)))).action(async (file: string, o: SweepCliOptions) => {
    checkCriterion(o);
    const targets = sweepTargets(o.targets);
    if (o.latencyMs && o.maxInstructions) throw new UserError('give either --latency-ms or --max-instructions, not both');
    const lists: BudgetLists = { latencyMs: o.latencyMs, maxInstructions: o.maxInstructions, ramKb: o.ramKb, flashKb: o.flashKb };
    if (!Object.values(lists).some((l) => l !== undefined)) throw new UserError('no budget given', 'give --latency-ms or --max-instructions, and/or --ram-kb, --flash-kb (comma-separated lists)');
    checkInt8Flags(o, o.precision?.includes('int8') || (!o.precision && targets.some((t) => !t.fpu)) ? 'int8' : 'float32');
    const output = { resume: o.resume, force: o.force };
    checkSweepOutput(o.out, { ...output, inputs: [file, o.data] }); // before any work; made once the model and data are checked
    const existedBefore = fs.existsSync(o.out);
    const log = (line: string): void => void process.stderr.write(`${terminalText(line)}\n`);
    // Local workers stay up for the whole sweep: each runs build after build, so a worker starts, loads TF.js and has
    // V8 compile the build's code once, not once per combination (bench/sweep.ts).
    const runner = runnerFromOptions(o, log, { keepWorkers: true });
    try {
      let run;
      try {
        run = await runSweep({ model: file, data: o.data, out: o.out, targets, budgets: budgetGrid(lists), precisions: o.precision, flags: buildFlags(o), output }, runner, log);
      } catch (e) {
        removeUnusedOutput(o.out, existedBefore); // e.g. a queue that cannot be reached: no folder with only a marker
        throw e;
      }
      const { report, jobsRun, jobsResumed } = run;
      writeFileAtomically(o.out, 'sweep.json', sweepJson(report));
      writeFileAtomically(o.out, 'sweep.html', renderSweepHtml(report));
      const failed = report.combinations.filter((c) => c.status === 'failed');
      const metCount = report.combinations.filter((c) => c.met === true).length;
      if (o.json) console.log(terminalJson(JSON.parse(sweepJson(report))));
      else {
        console.log(terminalText(`${report.combinations.length} combinations: ${metCount} met, ${report.combinations.length - metCount - failed.length} not met, ${failed.length} failed; ${report.combinations.filter((c) => c.status === 'built').length} built, ${report.combinations.filter((c) => c.status === 'reused').length} reused from a tighter budget; jobs: ${jobsRun} run, ${jobsResumed} already finished in ${path.join(o.out, 'jobs')}`));
        for (const f of failed) console.log(terminalText(`FAILED ${f.name}: ${f.error}`));
        console.log(terminalText(cheapestSummary(report.cheapest)));
        console.log(terminalText(`report: ${path.join(o.out, 'sweep.html')} (and sweep.json); builds: ${path.join(o.out, 'builds')}/`));
      }
      if (failed.length) process.exitCode = EXIT_SWEEP_JOBS_FAILED;
    } finally {
      await runner.close();
    }
  });
}
