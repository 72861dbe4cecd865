// The precision a command compiles a model in (--precision float32|int8, or the target's default), and why.

import { modelPrecision, PRECISIONS, type Precision } from '../analysis/model-precision.js';
import { UserError } from '../errors.js';
import type { Graph } from '../ir/graph.js';
import type { McuTarget } from './schema.js';

export interface PrecisionChoice {
  precision: Precision;
  /** Why, in words: "int8 (model is quantized)", "float32 (the default: ...)". */
  reason: string;
  /** A float model to be quantized (with the calibration data) before compiling. */
  quantize?: boolean;
}

export interface PrecisionRequest {
  /** --precision, when given. */
  requested?: Precision;
  /** The command, for messages ("compile", "verify"). */
  command: string;
  /** The command takes --calibration-data (compile, verify; build does not). */
  offersCalibration?: boolean;
  /** The calibration data, when given (--calibration-data), in words ("500 samples of digits.csv"): a float model can then be quantized for int8. */
  calibration?: string;
}

/** Commander parser of --precision. */
export function parsePrecision(value: string): Precision {
  if (!(PRECISIONS as readonly string[]).includes(value)) throw new UserError(`--precision must be float32 or int8, got '${value}'`);
  return value as Precision;
}

/** The precision a target runs best: int8 where the core has no FPU (float would be soft float), float32 elsewhere. */
export function defaultPrecision(target: McuTarget): Precision {
  return target.fpu ? 'float32' : 'int8';
}

/** Where a quantized model's int8 values start, for messages. */
function int8Evidence(g: Graph): string {
  const n = modelPrecision(g).firstInt8Node;
  return n ? ` (node '${n.name}' (${n.opType}) computes int8 values)` : ' (its inputs are int8)';
}

/**
 * The precision `command` compiles `g` in for `target`. A quantized model compiles as int8 (--precision float32 is
 * refused: int8 weights cannot be turned back into the float model). A float model compiles as float32, or as int8
 * once quantized, which needs calibration data (refused without). Without --precision the target's default applies
 * where the model and the data allow it, and the reason says when they do not.
 */
export function choosePrecision(g: Graph, target: McuTarget, request: PrecisionRequest): PrecisionChoice {
  const { requested, command, calibration, offersCalibration = true } = request;
  const core = `${target.name}'s ${target.core}`;
  if (modelPrecision(g).precision === 'int8') {
    if (requested === 'float32') {
      throw new UserError(
        `--precision float32: the model is quantized${int8Evidence(g)}; the C backend runs it as int8 only (int8 weights cannot be turned back into the float model)`,
        `drop --precision (or pass --precision int8), or give ${command} the float model it was quantized from`,
      );
    }
    return { precision: 'int8', reason: 'int8 (model is quantized)' };
  }
  const unused = calibration ? '; --calibration-data is not used' : '';
  if (requested === 'int8') {
    if (calibration) return { precision: 'int8', reason: `int8 (--precision int8: the float model is quantized here on ${calibration})`, quantize: true };
    throw new UserError(
      '--precision int8: the model is float32, and quantizing it needs calibration data',
      `${offersCalibration ? 'give --calibration-data <file> to quantize it here, or ' : ''}run edgeprune quantize <model> --data <calibration data> --out <model-int8.onnx> first, then ${command} that model`,
    );
  }
  if (requested === 'float32') return { precision: 'float32', reason: `float32 (--precision float32${unused})` };
  if (defaultPrecision(target) === 'float32') return { precision: 'float32', reason: `float32 (the default: ${core} has an FPU, ${target.fpu}${unused})` };
  if (calibration) return { precision: 'int8', reason: `int8 (the default: ${core} has no FPU; the float model is quantized here on ${calibration})`, quantize: true };
  return {
    precision: 'float32',
    reason: `float32 in soft float: ${core} has no FPU, where int8 is the default, but the model is not quantized (${offersCalibration ? 'give --calibration-data, or quantize it with edgeprune quantize' : 'quantize it with edgeprune quantize'})`,
  };
}

/**
 * The precision of `edgeprune build`, which prunes and fine-tunes in float32 (a quantized model is refused: it cannot
 * be trained). int8 (asked, or the default where the core has no FPU) quantizes the pruned model after the search and
 * deploys, verifies and measures that.
 */
export function chooseBuildPrecision(g: Graph, target: McuTarget, requested: Precision | undefined): PrecisionChoice {
  if (modelPrecision(g).precision === 'int8') {
    throw new UserError(
      `build prunes and fine-tunes a float model; this one is quantized${int8Evidence(g)}`,
      'give build the float model, and compile or verify the quantized one',
    );
  }
  const core = `${target.name}'s ${target.core}`;
  const then = 'build prunes in float32, then quantizes the pruned model';
  if (requested === 'int8') return { precision: 'int8', reason: `int8 (--precision int8: ${then})`, quantize: true };
  if (requested === 'float32') return { precision: 'float32', reason: 'float32 (--precision float32)' };
  if (defaultPrecision(target) === 'int8') return { precision: 'int8', reason: `int8 (the default: ${core} has no FPU; ${then})`, quantize: true };
  return { precision: 'float32', reason: `float32 (the default: ${core} has an FPU, ${target.fpu})` };
}
