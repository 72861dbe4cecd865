// `edgeprune build <model> --target <name> --data <file> [budgets] --out <dir>`: the main job, model to verified firmware.

import path from 'node:path';
import type { Command } from 'commander';
import { parseBudgets } from '../../build/budgets.js';
import { buildForTarget, sampleVectors } from '../../build/build.js';
import { aimText } from '../../build/dense-check.js';
import { bindCostModel } from '../../build/cost-binding.js';
import type { SearchOptions } from '../../build/search.js';
import { UserError } from '../../errors.js';
import { loadModel, modelDisplayName } from '../../import/load-model.js';
import type { InputShapes } from '../../passes/fix-input-shapes.js';
import type { BuildReport } from '../../report/build-report.js';
import { DEFAULT_TARGET_NAME, findMcuTarget, findTarget, isFpgaTarget } from '../../targets/load-targets.js';
import { refuseOtherKindFlags } from '../target-kind-flags.js';
import { runFpgaBuild } from './build-fpga.js';
import { parseMultiplierMapping } from '../reuse-factor-option.js';
import type { MultiplierMapping } from '../../emit/verilog/fpga-project.js';
import { terminalJson, terminalText } from '../../util/escape.js';
import { checkOutputDir, writeDirAtomically } from '../../util/write-dir.js';
import { addDataOptions, loadFittedSplit, type DataOptions } from '../data-options.js';
import { DENSE_WEIGHTS_HELP, parseDenseWeights } from '../precision-options.js';
import { formatCount, renderTable } from '../format.js';
import { collectInputShape, numberOption, parseIntOption } from '../options.js';
import { progressReporter } from '../progress.js';
import { addDistillOption, addTrainingOptions, createFineTuner, type DistillCliOptions, type TrainingCliOptions } from '../training-options.js';
import type { Precision } from '../../analysis/model-precision.js';
import { chooseBuildPrecision, parsePrecision } from '../../targets/precision.js';
import { int8CostModel } from '../../build/int8-deployment.js';
import { DEFAULT_QAT_LEARNING_RATE } from '../../quant/qat-defaults.js';
import { CALIBRATION_METHODS, DEFAULT_CALIBRATION, type CalibrationMethod } from '../../quant/calibrate.js';
import { quantizationText } from '../../report/html-report.js';
import type { WeightGranularity } from '../../quant/qparams.js';
import { onTargetAccuracyLine } from './verify.js';

/** The channel rankings the build's structural proposals can use (data-free: weights only). */
const BUILD_CRITERIA = ['l1', 'l2', 'redundancy'] as const;

/** Test samples an MCU build verifies on by default (the whole test split up to this): QEMU takes them by file. */
export const DEFAULT_MCU_VERIFY_VECTORS = 1000;
/** Test samples an FPGA build simulates by default (Verilator, slower per vector). */
export const DEFAULT_FPGA_VERIFY_VECTORS = 10;

/** Exit code when a budget (or the accuracy limit) is not met; the report is still written. */
export const EXIT_BUDGET_UNMET = 3;

export interface BuildCliOptions extends DataOptions, TrainingCliOptions, DistillCliOptions {
  target: string;
  data: string;
  out: string;
  latencyMs?: number;
  maxInstructions?: number;
  ramKb?: number;
  flashKb?: number;
  latencyCycles?: number;
  latencyUs?: number;
  maxLuts?: number;
  maxDsps?: number;
  maxBrams?: number;
  multipliers?: MultiplierMapping;
  maxDrop: number;
  proposalEpochs: number;
  finalEpochs: number;
  maxIterations: number;
  criterion: string;
  weightProposals: boolean;
  /** Undefined: DEFAULT_MCU_VERIFY_VECTORS, or DEFAULT_FPGA_VERIFY_VECTORS on an FPGA target. */
  verifyVectors?: number;
  precision?: Precision;
  calibration?: string;
  qatEpochs?: number;
  denseWeights?: WeightGranularity;
  force?: boolean;
  json?: boolean;
  inputShape?: InputShapes;
}

/** Budgets are positive; memory sizes fit a 32-bit address space (4 GiB), instruction counts a double exactly. */
const positiveUpTo = (max: number) => ({ min: 0, minExclusive: true, max });
const MAX_KIB = 4 * 1024 * 1024;

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

/** --calibration, --qat-epochs and --dense-weights set the int8 quantization: refused when the build is float32. */
function checkInt8Flags(o: BuildCliOptions, precision: Precision): CalibrationMethod {
  if (precision === 'float32') {
    for (const [flag, given] of [['--qat-epochs', o.qatEpochs !== undefined], ['--calibration', o.calibration !== undefined], ['--dense-weights', o.denseWeights !== undefined]] as const) {
      if (given) throw new UserError(`${flag} sets the int8 quantization of the pruned model, and this build is float32`, `pass --precision int8, or drop ${flag}`);
    }
  }
  const method = o.calibration ?? DEFAULT_CALIBRATION;
  if (!(CALIBRATION_METHODS as readonly string[]).includes(method)) throw new UserError(`--calibration '${method}' is not a calibration method; known: ${CALIBRATION_METHODS.join(', ')}`);
  return method as CalibrationMethod;
}

/** The search's options from the flags (the budgets are each kind's own). */
export function searchOptions<N extends string>(o: BuildCliOptions): Omit<SearchOptions<N>, 'budgets' | 'reference'> {
  return {
    maxDrop: o.maxDrop, proposalEpochs: o.proposalEpochs, finalEpochs: o.finalEpochs, recoveryRounds: 2, recoveryEpochs: Math.max(2, 2 * o.proposalEpochs, Math.round(o.finalEpochs / 2)),
    maxIterations: o.maxIterations, criterion: o.criterion as SearchOptions['criterion'], weightProposals: o.weightProposals,
  };
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
  if (r.verification) {
    lines.push(`verified on ${r.verification.runOn} (${r.verification.vectors} test vectors): ${r.verification.passed ? 'outputs match the interpreter' : 'OUTPUTS DIFFER'} · ${r.verification.instructions?.toLocaleString('en-US') ?? '-'} instructions → ${r.verification.estimatedMs?.toFixed(3) ?? '-'} ms (estimate) · precision: ${terminalText(r.verification.precision.reason)}`);
    if (r.verification.accuracy) lines.push(onTargetAccuracyLine(r.verification.accuracy, r.verification.runOn));
  }
  if (r.stoppedBecause) lines.push(`search stopped: ${terminalText(r.stoppedBecause)}`);
  for (const b of r.budgets.filter((x) => !x.pass && x.smallestSeen)) {
    const seen = b.smallestSeen!;
    lines.push(`smallest ${b.label} any candidate reached: ${formatCount(seen.cost)} predicted (${terminalText(seen.description)}, validation ${(seen.validation * 100).toFixed(2)}%)`);
  }
  lines.push(r.passed ? `ALL BUDGETS MET` : `NOT MET: ${terminalText(r.failed.join('; '))}`);
  lines.push(terminalText(`report: ${path.join(out, 'report.html')} (and report.json); firmware library: ${path.join(out, 'c')}/; model: ${path.join(out, 'model.onnx')}`));
  return lines.join('\n');
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
    .option('--max-instructions <n>', 'instruction budget per inference', numberOption('--max-instructions', positiveUpTo(Number.MAX_SAFE_INTEGER)))
    .option('--ram-kb <kib>', 'RAM budget of the model library: static RAM (arena) + stack', numberOption('--ram-kb', positiveUpTo(MAX_KIB)))
    .option('--flash-kb <kib>', 'flash budget of the model library: code + weights', numberOption('--flash-kb', positiveUpTo(MAX_KIB)))
    .option('--latency-cycles <n>', 'FPGA: latency budget in clock cycles, first input beat to last output beat (Verilator-measured)', numberOption('--latency-cycles', positiveUpTo(Number.MAX_SAFE_INTEGER)))
    .option('--latency-us <us>', 'FPGA: latency budget in µs at the target\'s board clock', numberOption('--latency-us', positiveUpTo(3_600_000_000)))
    .option('--max-luts <n>', 'FPGA: LUT budget (the core on xc7; the placed board top, core + UART, on iCE40)', numberOption('--max-luts', positiveUpTo(Number.MAX_SAFE_INTEGER)))
    .option('--max-dsps <n>', 'FPGA: DSP block budget (0: every multiplier in logic)', numberOption('--max-dsps', { min: 0, max: Number.MAX_SAFE_INTEGER }))
    .option('--max-brams <n>', 'FPGA: block RAM budget (RAMB36 on xc7, a RAMB18 counting half; EBR on iCE40)', numberOption('--max-brams', { min: 0, max: Number.MAX_SAFE_INTEGER }))
    .option('--multipliers <where>', 'FPGA: where multipliers may go: auto (the build weighs DSP blocks, requantizers on DSP blocks with the int8 products in logic, and all logic), dsp, or lut', parseMultiplierMapping)
    .option('--max-drop <points>', 'largest accuracy drop accepted, in percentage points', numberOption('--max-drop', positiveUpTo(100)), 1.5)
    .option('--proposal-epochs <n>', 'fine-tuning epochs of each proposal', parseIntOption('--proposal-epochs', 0, 100_000), 1)
    .option('--final-epochs <n>', 'fine-tuning epochs once the budgets hold', parseIntOption('--final-epochs', 0, 100_000), 10)
    .option('--max-iterations <n>', 'search iterations at most', parseIntOption('--max-iterations', 1, 100_000), 40)
    .option('--criterion <name>', `channel ranking of structural proposals: ${BUILD_CRITERIA.join(', ')} (redundancy: channels that another channel, or zero, stands in for go first)`, 'l1')
    .option('--no-weight-proposals', 'propose structural reductions only')
    .option('--verify-vectors <n>', `test samples the firmware is verified on, the first of the test split: MCU targets run them in QEMU and report the on-target accuracy (default ${DEFAULT_MCU_VERIFY_VECTORS}: the whole test split up to that); FPGA targets simulate them (default ${DEFAULT_FPGA_VERIFY_VECTORS})`, parseIntOption('--verify-vectors', 1, 100_000))
    .option('--precision <p>', 'float32 or int8 (default: float32 where the core has an FPU, int8 where it has none); int8 prunes in float32, then quantizes the pruned model and deploys, verifies and measures the int8 firmware', parsePrecision)
    .option('--calibration <method>', `int8: activation ranges of the quantization: ${CALIBRATION_METHODS.join(', ')} (default ${DEFAULT_CALIBRATION})`)
    .option('--dense-weights <g>', DENSE_WEIGHTS_HELP, parseDenseWeights)
    .option('--qat-epochs <n>', `int8: quantization-aware fine-tuning epochs on the train split after pruning (Adam, lr ${DEFAULT_QAT_LEARNING_RATE}, --batch-size; pruned weights stay zero); post-training quantization alone without it (FPGA builds: 5 epochs by default)`, parseIntOption('--qat-epochs', 1, 100_000))
    .option('--force', 'replace an existing output folder')
    .option('--json', 'print the report as JSON')
    .option('--input-shape <name=dims>', 'fix a dynamic input shape (repeatable)', collectInputShape);
  addDistillOption(addTrainingOptions(addDataOptions(cmd))).action(async (file: string, o: BuildCliOptions) => {
    if (!(BUILD_CRITERIA as readonly string[]).includes(o.criterion)) throw new UserError(`--criterion must be ${BUILD_CRITERIA.join(', ')}; got '${o.criterion}'`);
    const chosen = findTarget(o.target);
    if (isFpgaTarget(chosen)) {
      const method = checkInt8Flags(o, 'int8');
      if (!(await runFpgaBuild(file, chosen, o, method))) process.exitCode = EXIT_BUDGET_UNMET;
      return;
    }
    refuseOtherKindFlags([['--multipliers', o.multipliers !== undefined], ['--latency-cycles', o.latencyCycles !== undefined], ['--latency-us', o.latencyUs !== undefined], ['--max-luts', o.maxLuts !== undefined], ['--max-dsps', o.maxDsps !== undefined], ['--max-brams', o.maxBrams !== undefined]], 'FPGA', chosen.name, () => 'MCU budgets: --latency-ms, --max-instructions, --ram-kb, --flash-kb');
    const target = findMcuTarget(o.target, 'build');
    const budgets = parseBudgets(o, target);
    const outOptions = { force: o.force, inputs: [file, o.data] };
    checkOutputDir(o.out, outOptions);
    const g = await loadModel(file, { inputShapes: o.inputShape });
    const precision = chooseBuildPrecision(g, target, o.precision);
    const method = checkInt8Flags(o, precision.precision);
    const data = loadFittedSplit(o.data, o, g);
    // int8: every candidate is priced as its int8 deployment. float32: activation zeros on validation samples refine
    // the soft-float instruction counts (no effect with an FPU).
    const int8 = precision.precision === 'int8';
    const cost = int8
      ? int8CostModel(await bindCostModel(target), data.train, o.denseWeights)
      : await bindCostModel(target, { graph: g, vectors: sampleVectors(g, data.validation, 16) });
    const trainer = await createFineTuner(o, data.train, g);
    const progress = progressReporter(false);
    progress.line(`precision: ${precision.reason}`);
    try {
      const result = await buildForTarget({
        modelName: modelDisplayName(file),
        graph: g, target, data, trainer, cost, budgets,
        search: searchOptions(o),
        verifyVectors: o.verifyVectors ?? DEFAULT_MCU_VERIFY_VECTORS,
        precision,
        int8: int8 ? { method, denseWeights: o.denseWeights, qatEpochs: o.qatEpochs, seed: o.seed, batchSize: o.batchSize, backend: o.backend } : undefined,
        events: {
          onPhase: (t) => progress.line(t),
          onWarning: (w) => progress.line(`warning: ${w}`),
          onIteration: (it) => progress.line(`step ${it.iteration}: lowering ${it.constrained} by ${formatCount(it.step)} · ${it.proposals.length} proposals${it.repeated ? ` (${it.repeated} borderline: judged on repeated fine-tunes)` : ''} · chose ${it.chosen ?? 'none'}${it.recovery ? ` (${it.recovery})` : ''} · ${formatCount(it.costs.instructions)} instructions, RAM ${formatCount(it.costs.ramBytes)} B, flash ${formatCount(it.costs.flashBytes)} B · validation ${(it.validation * 100).toFixed(2)}% (${(it.wallMs / 1000).toFixed(1)} s)`),
        },
      });
      writeDirAtomically(o.out, result.files, outOptions);
      console.log(o.json ? terminalJson(result.report) : renderBuildSummary(result.report, o.out));
      if (!result.report.passed) process.exitCode = EXIT_BUDGET_UNMET;
    } finally {
      trainer.dispose();
    }
  });
}
