// The precision a command compiles a model in (--precision float32|int8, or the target's default), and why.

import { modelPrecision, PRECISIONS, type Precision } from '../analysis/model-precision.js';
import { UserError } from '../errors.js';
import type { Graph } from '../ir/graph.js';
import type { McuTarget } from './schema.js';

export interface PrecisionChoice {
  precision: Precision;
  /** Why, in words: "int8 (model is quantized)", "float32 (the default: ...)". */
  reason: string;
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

/**
 * The precision `command` compiles `g` in for `target`. A quantized model compiles as int8 (it holds int8 ops:
 * --precision float32 is refused); a float model compiles as float32: --precision int8 needs calibration data to
 * quantize it first (edgeprune quantize). Without --precision the target's default applies where the model allows it,
 * and the reason says when it does not (a float model on a core without FPU runs in soft float).
 */
export function choosePrecision(g: Graph, target: McuTarget, requested: Precision | undefined, command: string): PrecisionChoice {
  const model = modelPrecision(g);
  const core = `${target.name}'s ${target.core}`;
  if (model.precision === 'int8') {
    if (requested === 'float32') {
      const n = model.firstInt8Node;
      const where = n ? ` (node '${n.name}' (${n.opType}) computes int8 values)` : ' (its inputs are int8)';
      throw new UserError(
        `--precision float32: the model is quantized${where}; the C backend runs it as int8 only (int8 weights cannot be turned back into the float model)`,
        `drop --precision (or pass --precision int8), or give ${command} the float model it was quantized from`,
      );
    }
    return { precision: 'int8', reason: 'int8 (model is quantized)' };
  }
  if (requested === 'int8') {
    throw new UserError(
      '--precision int8: the model is float32, and quantizing it needs calibration data',
      `run edgeprune quantize <model> --data <calibration data> --out <model-int8.onnx> first, then ${command} that model`,
    );
  }
  if (requested === 'float32') return { precision: 'float32', reason: 'float32 (--precision float32)' };
  if (defaultPrecision(target) === 'float32') return { precision: 'float32', reason: `float32 (the default: ${core} has an FPU, ${target.fpu})` };
  return {
    precision: 'float32',
    reason: `float32 in soft float: ${core} has no FPU, where int8 is the default, but the model is not quantized (edgeprune quantize makes an int8 model)`,
  };
}

/**
 * The precision of `edgeprune build`, which prunes and fine-tunes in float32: a quantized model is refused (it cannot
 * be trained), and int8 firmware comes from quantizing the pruned result afterwards.
 */
export function chooseBuildPrecision(g: Graph, target: McuTarget, requested: Precision | undefined): PrecisionChoice {
  const model = modelPrecision(g);
  if (model.precision === 'int8') {
    const n = model.firstInt8Node;
    throw new UserError(
      `build prunes and fine-tunes a float model; this one is quantized${n ? ` (node '${n.name}' (${n.opType}) computes int8 values)` : ''}`,
      'give build the float model, and compile or verify the quantized one',
    );
  }
  if (requested === 'int8') {
    throw new UserError(
      '--precision int8: build prunes the float32 model, and quantizing the result needs calibration data',
      'build in float32, then run edgeprune quantize <out>/model.onnx --data <calibration data> --out <model-int8.onnx> and edgeprune verify that model',
    );
  }
  return choosePrecision(g, target, requested, 'build');
}
