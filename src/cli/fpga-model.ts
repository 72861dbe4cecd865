// The int8 model an FPGA command builds: a quantized model as it is, or a float model quantized on --calibration-data
// with narrow requantization multipliers sized to the family's DSP block (the RTL is integer only: --precision
// float32 is refused).

import { modelPrecision } from '../analysis/model-precision.js';
import { loadDataset } from '../data/load-dataset.js';
import { UserError } from '../errors.js';
import type { Graph } from '../ir/graph.js';
import { calibrationInputs } from '../quant/calibration-data.js';
import { quantizeModel } from '../quant/quantize.js';
import type { FpgaTarget } from '../targets/schema.js';
import type { ModelForPrecision, PrecisionOptions } from './precision-options.js';

/**
 * Significant bits of the requantization multipliers of a model quantized for an FPGA here (docs/numerics.md): the
 * unsigned multiplier plus a sign bit fits one operand of the family's DSP block (SB_MAC16: 16 bits, so 15; DSP48E1:
 * 18 bits, 16 kept as it was measured).
 */
export function fpgaMultiplierBits(target: FpgaTarget): number {
  return target.family === 'ice40' ? 15 : 16;
}

export function modelForFpga(g: Graph, target: FpgaTarget, o: PrecisionOptions, command: string): ModelForPrecision {
  if (o.precision === 'float32') {
    throw new UserError(`--precision float32: ${target.name} is an FPGA target and the RTL backend is integer only`, `drop --precision (FPGA targets run int8)`);
  }
  if (modelPrecision(g).precision === 'int8') return { graph: g, choice: { precision: 'int8', reason: 'int8 (model is quantized)' } };
  if (!o.calibrationData) {
    throw new UserError(
      `the model is float32 and ${target.name} (FPGA) runs int8 only`,
      `give ${command} --calibration-data <file> to quantize it here, or quantize it first (edgeprune quantize <model> --data <file> --multiplier-bits ${fpgaMultiplierBits(target)} --out q.onnx)`,
    );
  }
  const data = loadDataset(o.calibrationData);
  const feeds = calibrationInputs(g, data);
  const bits = fpgaMultiplierBits(target);
  const quantized = quantizeModel(g, feeds, { multiplierBits: bits }).graph;
  return { graph: quantized, choice: { precision: 'int8', reason: `int8 (FPGA target; quantized on ${feeds.length} samples of ${data.source}, ${bits}-bit multipliers)` }, floatModel: g };
}
