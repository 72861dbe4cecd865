// The flags `build` and `sweep` share: the search (--max-drop, epochs, iterations, criterion, verification vectors)
// and the int8 quantization (--calibration, --dense-weights, --qat-epochs), their checks and what they become.

import type { Command } from 'commander';
import { ANNEAL_CHOICES, DEFAULT_ANNEAL, type Anneal, type SearchOptions } from '../build/search.js';
import { UserError } from '../errors.js';
import type { Precision } from '../analysis/model-precision.js';
import { CALIBRATION_METHODS, DEFAULT_CALIBRATION, type CalibrationMethod } from '../quant/calibrate.js';
import { DEFAULT_QAT_LEARNING_RATE } from '../quant/qat-defaults.js';
import type { WeightGranularity } from '../quant/qparams.js';
import { fractionOption, numberOption, parseIntOption } from './options.js';
import { DENSE_WEIGHTS_HELP, parseDenseWeights } from './precision-options.js';

/** The channel rankings the build's structural proposals can use (data-free: weights only). */
export const BUILD_CRITERIA = ['l1', 'l2', 'redundancy'] as const;

/** Test samples an MCU build verifies on by default (the whole test split up to this): QEMU takes them by file. */
/**
 * The final fine-tune's weights averaged over its last 5 epochs, and refit on train + validation, by default: on the ⅓
 * digits panel the two together met 16 of 20 builds (15 without), mean test drop 0.88 points (0.94); the ½ panel:
 * docs/search-recovery.md.
 */
export const DEFAULT_AVERAGE_EPOCHS = 5;

export const DEFAULT_MCU_VERIFY_VECTORS = 1000;
/** Test samples an FPGA build simulates by default (Verilator, slower per vector). */
export const DEFAULT_FPGA_VERIFY_VECTORS = 10;

/** Budgets are positive; memory sizes fit a 32-bit address space (4 GiB), instruction counts a double exactly. */
export const positiveUpTo = (max: number) => ({ min: 0, minExclusive: true, max });
/** An instruction count: a whole number from 1 (a fraction of an instruction is no budget). */
export const INSTRUCTION_COUNT = { min: 1, max: Number.MAX_SAFE_INTEGER, integer: true } as const;
export const MAX_KIB = 4 * 1024 * 1024;

export interface SearchCliOptions {
  maxDrop: number;
  dropReserve: number;
  proposalEpochs: number;
  finalEpochs: number;
  maxIterations: number;
  criterion: string;
  weightProposals: boolean;
  /** --no-uniform-contender: false (commander's default for the negated flag: true). */
  uniformContender?: boolean;
  /** Undefined: DEFAULT_MCU_VERIFY_VECTORS, or DEFAULT_FPGA_VERIFY_VECTORS on an FPGA target. */
  verifyVectors?: number;
  /** --anneal (undefined: DEFAULT_ANNEAL). */
  anneal?: string;
  /** --average-epochs (0: off). */
  averageEpochs?: number;
  /** --final-on-validation. */
  finalOnValidation?: boolean;
}

export interface Int8CliOptions {
  calibration?: string;
  qatEpochs?: number;
  denseWeights?: WeightGranularity;
}

/** --max-drop … --verify-vectors: how the budget search runs and what the firmware is verified on. */
export function addSearchOptions(cmd: Command): Command {
  return cmd
    .option('--max-drop <points>', 'largest accuracy drop accepted, in percentage points', numberOption('--max-drop', positiveUpTo(100)), 1.5)
    .option('--drop-reserve <share>', 'share of --max-drop held back: proposals are accepted within the rest until an iteration finds none there (0: spend the whole drop from the start)', fractionOption('--drop-reserve'), 0.5)
    .option('--proposal-epochs <n>', 'fine-tuning epochs of each proposal', parseIntOption('--proposal-epochs', 0, 100_000), 1)
    .option('--final-epochs <n>', 'fine-tuning epochs once the budgets hold', parseIntOption('--final-epochs', 0, 100_000), 10)
    .option('--max-iterations <n>', 'search iterations at most', parseIntOption('--max-iterations', 1, 100_000), 40)
    .option('--criterion <name>', `channel ranking of structural proposals: ${BUILD_CRITERIA.join(', ')} (redundancy: channels that another channel, or zero, stands in for go first)`, 'l1')
    .option('--no-weight-proposals', 'propose structural reductions only')
    .option('--anneal <which>', `fine-tunes whose learning rate decays along a cosine to 1/100 of --lr: ${ANNEAL_CHOICES.join(', ')} (long: the final fine-tune, the uniform contender's and the recovery of the current model; all: the proposals' too; default ${DEFAULT_ANNEAL})`)
    .option('--average-epochs <k>', `the final fine-tune (and the uniform contender's) keeps the mean of its weights at the ends of its last k epochs instead of the last weights (weight averaging; pruned weights stay zero; 0: off)`, parseIntOption('--average-epochs', 0, 100_000))
    .option('--no-final-on-validation', 'deploy the model as decided on the training split; by default, once the search has decided (on validation), the fine-tune that made the final model runs again on train + validation and that model is deployed (MCU builds; the decisions stay on held-out data, the report says the model saw validation)')
    .option('--no-uniform-contender', 'do not fine-tune the uniform cut of every layer that meets the budgets beside the final model (by default the one more accurate on validation is kept)')
    .option('--verify-vectors <n>', `test samples the firmware is verified on, the first of the test split: MCU targets run them in QEMU and report the on-target accuracy (default ${DEFAULT_MCU_VERIFY_VECTORS}: the whole test split up to that); FPGA targets simulate them (default ${DEFAULT_FPGA_VERIFY_VECTORS})`, parseIntOption('--verify-vectors', 1, 100_000));
}

/** --calibration, --dense-weights, --qat-epochs: how an int8 build quantizes the pruned model. */
export function addInt8Options(cmd: Command): Command {
  return cmd
    .option('--calibration <method>', `int8: activation ranges of the quantization: ${CALIBRATION_METHODS.join(', ')} (default ${DEFAULT_CALIBRATION})`)
    .option('--dense-weights <g>', DENSE_WEIGHTS_HELP, parseDenseWeights)
    .option('--qat-epochs <n>', `int8: quantization-aware fine-tuning epochs on the train split after pruning (Adam, lr ${DEFAULT_QAT_LEARNING_RATE}, --batch-size; pruned weights stay zero); post-training quantization alone without it (FPGA builds: 5 epochs by default)`, parseIntOption('--qat-epochs', 1, 100_000));
}

export function checkCriterion(o: SearchCliOptions): void {
  if (!(BUILD_CRITERIA as readonly string[]).includes(o.criterion)) throw new UserError(`--criterion must be ${BUILD_CRITERIA.join(', ')}; got '${o.criterion}'`);
  if (o.anneal !== undefined && !(ANNEAL_CHOICES as readonly string[]).includes(o.anneal)) throw new UserError(`--anneal must be ${ANNEAL_CHOICES.join(', ')}; got '${o.anneal}'`);
}

/** --calibration, --qat-epochs and --dense-weights set the int8 quantization: refused when the build is float32. */
export function checkInt8Flags(o: Int8CliOptions, precision: Precision): CalibrationMethod {
  if (precision === 'float32') {
    for (const [flag, given] of [['--qat-epochs', o.qatEpochs !== undefined], ['--calibration', o.calibration !== undefined], ['--dense-weights', o.denseWeights !== undefined]] as const) {
      if (given) throw new UserError(`${flag} sets the int8 quantization of the pruned model, and this build is float32`, `pass --precision int8, or drop ${flag}`);
    }
  }
  const method = o.calibration ?? DEFAULT_CALIBRATION;
  if (!(CALIBRATION_METHODS as readonly string[]).includes(method)) throw new UserError(`--calibration '${method}' is not a calibration method; known: ${CALIBRATION_METHODS.join(', ')}`);
  return method as CalibrationMethod;
}

/**
 * The search's options from the flags (the budgets are each kind's own). Weight averaging and the refit on train +
 * validation are MCU defaults (measured on the MCU panel); an FPGA build averages only when asked and never refits
 * (its in-process fine-tunes train on the training split only).
 */
export function searchOptions<N extends string>(o: SearchCliOptions, kind: 'mcu' | 'fpga' = 'mcu'): Omit<SearchOptions<N>, 'budgets' | 'reference'> {
  const averageEpochs = o.averageEpochs ?? (kind === 'mcu' ? DEFAULT_AVERAGE_EPOCHS : 0);
  return {
    maxDrop: o.maxDrop, dropReserve: o.dropReserve, proposalEpochs: o.proposalEpochs, finalEpochs: o.finalEpochs, recoveryRounds: 2, recoveryEpochs: Math.max(2, 2 * o.proposalEpochs, Math.round(o.finalEpochs / 2)),
    maxIterations: o.maxIterations, criterion: o.criterion as SearchOptions['criterion'], weightProposals: o.weightProposals,
    uniformContender: o.uniformContender !== false, anneal: (o.anneal ?? DEFAULT_ANNEAL) as Anneal,
    ...(averageEpochs > 0 ? { averageLastEpochs: averageEpochs } : {}),
    ...(o.finalOnValidation === true && kind === 'mcu' ? { finalOnValidation: true } : {}),
  };
}
