// `edgeprune build <model> --target <name> --data <file> [budgets] --out <dir>`: the main job, model to verified firmware.

import path from 'node:path';
import type { Command } from 'commander';
import { UserError } from '../../errors.js';
import { parseBudgets } from '../../build/budgets.js';
import { aimText } from '../../build/dense-check.js';
import type { InputShapes } from '../../passes/fix-input-shapes.js';
import type { BuildReport } from '../../report/build-report.js';
import { DEFAULT_TARGET_NAME, findMcuTarget, findTarget, isFpgaTarget } from '../../targets/load-targets.js';
import { refuseOtherKindFlags } from '../target-kind-flags.js';
import { runFpgaBuild } from './build-fpga.js';
import { parseMultiplierMapping } from '../reuse-factor-option.js';
import type { MultiplierMapping } from '../../emit/verilog/fpga-project.js';
import { terminalJson, terminalText } from '../../util/escape.js';
import { checkOutputDir, writeDirAtomically } from '../../util/write-dir.js';
import { addDataOptions, type DataOptions } from '../data-options.js';
import { formatCount, renderTable } from '../format.js';
import { collectInputShape, numberOption, parseIntOption } from '../options.js';
import { progressReporter } from '../progress.js';
import { addDistillOption, addTrainingOptions, type DistillCliOptions, type TrainingCliOptions } from '../training-options.js';
import type { Precision } from '../../analysis/model-precision.js';
import { parsePrecision } from '../../targets/precision.js';
import { quantizationText } from '../../report/html-report.js';
import { refitText } from '../../report/refit-text.js';
import { addInt8Options, addSearchOptions, checkCriterion, checkInt8Flags, INSTRUCTION_COUNT, MAX_KIB, positiveUpTo, type Int8CliOptions, type SearchCliOptions } from '../build-options.js';
import { buildMcuModel } from '../mcu-build.js';
import { buildLevels } from '../levels-build.js';
import { renderLevelsSummary } from '../../levels/levels-report.js';
import { DEFAULT_LEVEL_EPOCHS, parseLevelBudgets, type LevelBudgets } from '../../levels/level-budgets.js';
import type { McuTarget } from '../../targets/schema.js';
import { CONSTANT_TIME_MAC_FLAG, CONSTANT_TIME_MAC_HELP } from '../../emit/c/constant-time-mac.js';
import { addJobOptions, parseWorkerCount, runnerFromOptions, type JobCliOptions } from '../job-options.js';
import { defaultWorkerCount, LocalRunner } from '../../jobs/local-runner.js';
import { onTargetAccuracyLine } from './verify.js';

/**
 * Without --workers or --queue, on 2 or more cores, the search fine-tunes its candidates in this process and on one
 * kept local worker side by side (src/build/side-by-side-tuner.ts: one worker's start and data load, while the dense
 * model is measured); on one core, or with --workers 0, in this process alone. The same bytes in every case.
 */
const BUILD_JOBS_DEFAULT = 'this process and 1 kept local worker side by side on 2 or more cores, this process alone on one; 0: this process alone';

/** Exit code when a budget (or the accuracy limit) is not met; the report is still written. */
export const EXIT_BUDGET_UNMET = 3;

export { DEFAULT_FPGA_VERIFY_VECTORS, DEFAULT_MCU_VERIFY_VECTORS, searchOptions } from '../build-options.js';

export interface BuildCliOptions extends DataOptions, TrainingCliOptions, DistillCliOptions, SearchCliOptions, Int8CliOptions, JobCliOptions {
  target: string;
  data: string;
  out: string;
  constantTimeMac?: boolean;
  latencyMs?: number;
  maxInstructions?: number;
  deadlineMs?: number;
  maxInstructionsWorstCase?: number;
  ramKb?: number;
  flashKb?: number;
  latencyCycles?: number;
  latencyUs?: number;
  maxLuts?: number;
  maxDsps?: number;
  maxBrams?: number;
  multipliers?: MultiplierMapping;
  precision?: Precision;
  force?: boolean;
  json?: boolean;
  inputShape?: InputShapes;
  levels?: string;
  levelInstructions?: string;
  levelDeadlineMs?: string;
  /** --level-epochs (undefined: DEFAULT_LEVEL_EPOCHS; refused without nested levels). */
  levelEpochs?: number;
  levelMeasure?: string;
  /** --level-kernels (int8 levels only; undefined: DEFAULT_LEVEL_KERNELS). */
  levelKernels?: string;
}

/** The layers with weights, before → after: what the search removed, and the predicted instructions. */
function renderLayerChanges(r: BuildReport): string {
  const arrow = (a: number, b: number | undefined) => (b === undefined ? `${formatCount(a)} → removed` : a === b ? formatCount(a) : `${formatCount(a)} → ${formatCount(b)}`);
  const rows = r.layers.filter((l) => l.before.params > 0 && l.before.sparsity !== null).map((l) => [
    l.name, l.op,
    arrow(l.before.params, l.after?.params),
    arrow(l.before.macs, l.after?.macs),
    l.after?.sparsity == null ? '-' : `${(l.after.sparsity * 100).toFixed(0)}%`,
    arrow(l.before.instructions, l.after?.instructions),
  ]);
  return renderTable(['layer', 'op', 'params', 'MACs', 'zeros after', 'instructions (predicted)'], rows, [false, false, true, true, true, true]);
}

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;

/** Test accuracy, dense → deployed; an int8 build also shows the pruned float model's, and --max-drop limits dense float → int8. */
function accuracyLine(r: BuildReport): string {
  const a = r.accuracy;
  const drop = `${a.dropPoints.toFixed(2)} points; allowed ${a.maxDropPoints}`;
  const line = r.precision === 'int8'
    ? `accuracy (test): dense float ${pct(a.dense)} → pruned float ${pct(a.prunedFloat)} → final int8 ${pct(a.final)} (dense float → int8: ${drop})`
    : `accuracy (test): dense ${pct(a.dense)} → ${pct(a.final)} (${drop})`;
  return a.uncertainty ? `${line}\n${uncertaintyText(a.uncertainty)}` : line;
}

/** What the accuracy figures are worth: one sample in points, and the standard error of the drop. */
export function uncertaintyText(u: NonNullable<BuildReport['accuracy']['uncertainty']>): string {
  const se = u.dropStandardError === null ? '' : `; the test drop's standard error is ${u.dropStandardError.toFixed(2)} points (paired)`;
  return `uncertainty: 1 validation sample = ${u.validationPointsPerSample.toFixed(2)} points (${u.validationSamples} samples decide the search), 1 test sample = ${u.testPointsPerSample.toFixed(2)} points${se}`;
}

export function renderBuildSummary(r: BuildReport, out: string): string {
  const rows = r.budgets.map((b) => [b.label, b.givenAs, formatCount(b.limit), formatCount(b.estimated), b.measured === null ? '-' : formatCount(b.measured), b.pass ? 'pass' : 'FAIL']);
  const lines = [
    renderTable(['budget', 'given as', 'limit', 'estimated', 'measured', 'result'], rows, [false, false, true, true, true, false]),
    '',
    renderLayerChanges(r),
    '',
    accuracyLine(r),
    `fine-tuning: ${r.fineTuning.epochs} epochs in all, ${r.fineTuning.keptEpochs} on the deployed model's path`,
  ];
  const instructions = r.budgets.find((b) => b.name === 'instructions');
  if (r.denseCheck && instructions) lines.push(`before the search, ${aimText(r.denseCheck, instructions.limit, r.denseCheck.aimedInstructions, 'aimed')}`);
  if (r.quantization) lines.push(`int8: ${quantizationText(r.quantization)}; the search priced ${r.quantization.search.costs}, and judged accuracy on ${r.quantization.search.accuracy}`);
  if (r.worstCase) {
    const w = r.worstCase;
    const margin = w.deadline ? ` · margin ${w.deadline.marginPercent.toFixed(1)}% against ${formatCount(w.deadline.limit)} (${terminalText(w.deadline.givenAs)})` : '';
    lines.push(`worst case: typical ${formatCount(w.typicalInstructions)} · worst adversarial vector ${formatCount(w.worstMeasuredInstructions)} (${terminalText(w.worstVector)}) · ${w.exact ? 'exact' : 'bound'} ${formatCount(w.instructionsWorstCase)}${margin}`);
  }
  if (r.verification) {
    lines.push(`verified on ${r.verification.runOn} (${r.verification.vectors} test vectors): ${r.verification.passed ? 'outputs match the interpreter' : 'OUTPUTS DIFFER'} · ${r.verification.instructions?.toLocaleString('en-US') ?? '-'} instructions → ${r.verification.estimatedMs?.toFixed(3) ?? '-'} ms (estimate) · precision: ${terminalText(r.verification.precision.reason)}`);
    if (r.verification.accuracy) lines.push(onTargetAccuracyLine(r.verification.accuracy, r.verification.runOn));
  }
  const refit = refitText(r.refit);
  if (refit) lines.push(terminalText(refit));
  if (r.stoppedBecause) lines.push(`search stopped: ${terminalText(r.stoppedBecause)}`);
  for (const b of r.budgets.filter((x) => !x.pass && x.smallestSeen)) {
    const seen = b.smallestSeen!;
    lines.push(`smallest ${b.label} any candidate reached: ${formatCount(seen.cost)} predicted (${terminalText(seen.description)}, validation ${(seen.validation * 100).toFixed(2)}%)`);
  }
  lines.push(r.passed ? `ALL BUDGETS MET` : `NOT MET: ${terminalText(r.failed.join('; '))}`);
  lines.push(terminalText(`report: ${path.join(out, 'report.html')} (and report.json); firmware library: ${path.join(out, 'c')}/; model: ${path.join(out, 'model.onnx')}`));
  return lines.join('\n');
}

/** `build --levels`: the flags that do not apply are refused; the folder is written; false when a level failed. */
async function runLevelsBuild(file: string, target: McuTarget, o: BuildCliOptions, budgets: LevelBudgets): Promise<boolean> {
  const budgetFlags: [string, unknown][] = [['--latency-ms', o.latencyMs], ['--max-instructions', o.maxInstructions], ['--deadline-ms', o.deadlineMs], ['--max-instructions-worst-case', o.maxInstructionsWorstCase], ['--ram-kb', o.ramKb], ['--flash-kb', o.flashKb], ['--workers', o.workers], ['--queue', o.queue], [CONSTANT_TIME_MAC_FLAG, o.constantTimeMac]];
  for (const [flag, given] of budgetFlags) {
    if (given !== undefined && given !== false) throw new UserError(`${flag} does not apply to ${budgets.flag}: each level's budget is given there${flag.startsWith('--work') || flag === '--queue' ? ' (and the joint fine-tune runs in this process)' : ''}`, `drop ${flag}, or drop ${budgets.flag} to build one model under it`);
  }
  const outOptions = { force: o.force, inputs: [file, o.data] };
  checkOutputDir(o.out, outOptions);
  const progress = progressReporter(false);
  const { report, files } = await buildLevels(file, target, { ...o, budgets, levelEpochs: o.levelEpochs ?? DEFAULT_LEVEL_EPOCHS }, (t) => progress.line(t));
  writeDirAtomically(o.out, files, outOptions);
  console.log(o.json ? terminalJson(report) : renderLevelsSummary(report, o.out).split('\n').map((l) => terminalText(l)).join('\n'));
  return report.passed;
}

export function registerBuild(program: Command): void {
  const cmd = program
    .command('build')
    .description('the main job: prune the model under the target\'s budgets (MCU: latency, RAM, flash; FPGA: cycles, LUTs, DSP blocks, block RAMs), compile it (C, or Verilog + HLS C++), verify it (QEMU, or Verilator + Yosys), and write the report')
    .argument('<model>', 'trained model (.onnx, or a TF.js model.json)')
    .option('--target <name>', 'target board (edgeprune targets lists them)', DEFAULT_TARGET_NAME)
    .requiredOption('--data <file>', 'data to fine-tune and evaluate on (split with --seed)')
    .requiredOption('--out <dir>', 'output folder: model.onnx, report.json, report.html, and c/ (MCU: library + Makefile) or fpga/ + hls/ (FPGA: RTL project, HLS C++)')
    .option('--latency-ms <ms>', 'latency budget per inference (converted to instructions with the target\'s clock and cycles-per-instruction estimate)', numberOption('--latency-ms', positiveUpTo(3_600_000)))
    .option('--max-instructions <n>', 'instruction budget per inference', numberOption('--max-instructions', INSTRUCTION_COUNT))
    .option('--deadline-ms <ms>', 'hard deadline per inference: the worst-case instruction bound (every data-dependent kernel at its worst branch, checked on adversarial vectors) must fit it at the target\'s clock and cycles-per-instruction estimate', numberOption('--deadline-ms', positiveUpTo(3_600_000)))
    .option('--max-instructions-worst-case <n>', 'instruction budget on the worst-case bound (not on the vectors that ran)', numberOption('--max-instructions-worst-case', INSTRUCTION_COUNT))
    .option('--ram-kb <kib>', 'RAM budget of the model library: static RAM (arena) + stack', numberOption('--ram-kb', positiveUpTo(MAX_KIB)))
    .option('--flash-kb <kib>', 'flash budget of the model library: code + weights', numberOption('--flash-kb', positiveUpTo(MAX_KIB)))
    .option('--latency-cycles <n>', 'FPGA: latency budget in clock cycles, first input beat to last output beat (Verilator-measured)', numberOption('--latency-cycles', positiveUpTo(Number.MAX_SAFE_INTEGER)))
    .option('--latency-us <us>', 'FPGA: latency budget in µs at the target\'s board clock', numberOption('--latency-us', positiveUpTo(3_600_000_000)))
    .option('--max-luts <n>', 'FPGA: LUT budget (the core on xc7; the placed board top, core + UART, on iCE40)', numberOption('--max-luts', positiveUpTo(Number.MAX_SAFE_INTEGER)))
    .option('--max-dsps <n>', 'FPGA: DSP block budget (0: every multiplier in logic)', numberOption('--max-dsps', { min: 0, max: Number.MAX_SAFE_INTEGER }))
    .option('--max-brams <n>', 'FPGA: block RAM budget (RAMB36 on xc7, a RAMB18 counting half; EBR on iCE40)', numberOption('--max-brams', { min: 0, max: Number.MAX_SAFE_INTEGER }))
    .option('--multipliers <where>', 'FPGA: where multipliers may go: auto (the build weighs DSP blocks, requantizers on DSP blocks with the int8 products in logic, and all logic), dsp, or lut', parseMultiplierMapping);
  addSearchOptions(cmd)
    .option('--precision <p>', 'float32 or int8 (default: float32 where the core has an FPU, int8 where it has none); int8 prunes in float32, then quantizes the pruned model and deploys, verifies and measures the int8 firmware', parsePrecision);
  addInt8Options(cmd)
    .option(CONSTANT_TIME_MAC_FLAG, CONSTANT_TIME_MAC_HELP)
    .option('--force', 'replace an existing output folder')
    .option('--json', 'print the report as JSON')
    .option('--input-shape <name=dims>', 'fix a dynamic input shape (repeatable)', collectInputShape)
    .option('--levels <fractions>', 'nested levels in one library instead of one budget: fractions of the dense model\'s instructions, largest first (e.g. 1.0,0.6,0.35); each level a subset of the one above, fine-tuned jointly with the weights shared; model_run_level(k) picks one at run time; in the build\'s precision (int8 on a core without an FPU: each level quantized post-training, a kept channel\'s int8 weights and scale shared)')
    .option('--level-instructions <counts>', 'nested levels as --levels, each with an explicit instruction budget, largest first (e.g. 140000,85000,48000)')
    .option('--level-deadline-ms <ms>', 'nested levels as --levels, each with a deadline in ms on its worst-case bound (converted as --deadline-ms), largest first (e.g. 1,0.6,0.35)')
    .option('--level-epochs <n>', `with nested levels: joint fine-tuning epochs (each level sees the training set this many times; default ${DEFAULT_LEVEL_EPOCHS})`, parseIntOption('--level-epochs', 0, 100_000))
    .option('--level-measure <m>', 'with nested levels: what the budgets apply to, typical (the instructions of the vectors run; default) or worst-case (the verified bound; always with --level-deadline-ms)')
    .option('--level-kernels <k>', 'with int8 nested levels: what the levels\' kernels share, inline (nothing: every level\'s code its own) or shared (default: one function per layer whose tiled code takes the levels\' differing channels, dense shapes and zero points at run time; about 1% more instructions)');
  addJobOptions(addDistillOption(addTrainingOptions(addDataOptions(cmd))), BUILD_JOBS_DEFAULT).action(async (file: string, o: BuildCliOptions) => {
    checkCriterion(o);
    const chosen = findTarget(o.target);
    const levelFlag = o.levels !== undefined ? '--levels' : o.levelInstructions !== undefined ? '--level-instructions' : o.levelDeadlineMs !== undefined ? '--level-deadline-ms' : null;
    if (isFpgaTarget(chosen)) {
      const levelFlagGiven = levelFlag ?? (o.levelMeasure !== undefined ? '--level-measure' : o.levelEpochs !== undefined ? '--level-epochs' : o.levelKernels !== undefined ? '--level-kernels' : null);
      if (levelFlagGiven) throw new UserError(`${levelFlagGiven}: ${chosen.name} is an FPGA target, and nested levels are compiled for MCUs (one C library with model_run_level)`, 'give --target an MCU (edgeprune targets lists them)');
      refuseOtherKindFlags([[CONSTANT_TIME_MAC_FLAG, o.constantTimeMac]], 'MCU', chosen.name, () => 'an FPGA design\'s latency is cycle-exact by construction: drop it');
      for (const [flag, given] of [['--workers', o.workers], ['--queue', o.queue]] as const) {
        if (given !== undefined) throw new UserError(`${flag}: an FPGA build fine-tunes its candidates in this process (only MCU builds hand them to workers)`, `drop ${flag}`);
      }
      const method = checkInt8Flags(o, 'int8');
      if (!(await runFpgaBuild(file, chosen, o, method))) process.exitCode = EXIT_BUDGET_UNMET;
      return;
    }
    refuseOtherKindFlags([['--multipliers', o.multipliers !== undefined], ['--latency-cycles', o.latencyCycles !== undefined], ['--latency-us', o.latencyUs !== undefined], ['--max-luts', o.maxLuts !== undefined], ['--max-dsps', o.maxDsps !== undefined], ['--max-brams', o.maxBrams !== undefined]], 'FPGA', chosen.name, () => 'MCU budgets: --latency-ms, --max-instructions, --deadline-ms, --max-instructions-worst-case, --ram-kb, --flash-kb');
    const target = findMcuTarget(o.target, 'build');
    const levelBudgets = parseLevelBudgets(o, target);
    if (levelBudgets) {
      if (!(await runLevelsBuild(file, target, o, levelBudgets))) process.exitCode = EXIT_BUDGET_UNMET;
      return;
    }
    const budgets = parseBudgets(o, target);
    const outOptions = { force: o.force, inputs: [file, o.data] };
    checkOutputDir(o.out, outOptions);
    const progress = progressReporter(false);
    const inProcess = o.workers !== undefined && parseWorkerCount(o.workers, '--workers', 0) === 0;
    if (inProcess && o.queue !== undefined) throw new UserError('--workers 0 and --queue exclude each other: --workers 0 fine-tunes in this process alone, --queue on the workers serving the queue');
    // The workers stay up for the whole search (keepWorkers): each loads the data once, not once per batch.
    const given = !inProcess && (o.workers !== undefined || o.queue !== undefined);
    const beside = !inProcess && !given && defaultWorkerCount() >= 2;
    const runner = given ? runnerFromOptions(o, (t) => progress.line(t), { keepWorkers: true }) : beside ? new LocalRunner({ workers: 1, keepWorkers: true, log: (t) => progress.line(t) }) : undefined;
    let result;
    try {
      result = await buildMcuModel(file, target, { ...o, fineTunesBeside: beside }, (t) => progress.line(t), runner);
    } finally {
      await runner?.close();
    }
    writeDirAtomically(o.out, result.files, outOptions);
    console.log(o.json ? terminalJson(result.report) : renderBuildSummary(result.report, o.out));
    if (!result.report.passed) process.exitCode = EXIT_BUDGET_UNMET;
  });
}
