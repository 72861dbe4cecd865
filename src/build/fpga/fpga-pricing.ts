// The FPGA cost model bound to the build's search: a candidate (a pruned float graph) is quantized the way the target
// runs it (min/max ranges on a few train samples, the family's multiplier width), and its best design under the
// budgets (choose-design.ts) gives its costs. Both steps are cached per graph.

import { loadFpgaCalibration } from '../../cost/fpga/calibration.js';
import type { Dataset } from '../../data/dataset.js';
import type { MultiplierMapping } from '../../emit/verilog/fpga-project.js';
import type { Graph } from '../../ir/graph.js';
import { calibrationInputs } from '../../quant/calibration-data.js';
import { quantizeModel } from '../../quant/quantize.js';
import type { FpgaTarget } from '../../targets/schema.js';
import { SEARCH_CALIBRATION_SAMPLES } from '../int8-deployment.js';
import { chooseFpgaDesign, type FpgaDesignChoice } from './choose-design.js';
import type { FpgaBudget, FpgaCosts } from './fpga-budgets.js';

export interface FpgaPricing {
  /** The candidate's costs: those of its quantized model's chosen design. */
  costs(g: Graph): FpgaCosts;
  design(g: Graph): FpgaDesignChoice;
}

/** Quantizes candidates for pricing; shared by the search's rounds (the budgets change between them, the quantization does not). */
export function searchQuantizer(train: Dataset, multiplierBits: number): (g: Graph) => Graph {
  const cache = new WeakMap<Graph, Graph>();
  return (g) => {
    let q = cache.get(g);
    if (!q) {
      q = quantizeModel(g, calibrationInputs(g, train, SEARCH_CALIBRATION_SAMPLES), { method: 'minmax', multiplierBits }).graph;
      cache.set(g, q);
    }
    return q;
  };
}

export function fpgaPricing(target: FpgaTarget, budgets: readonly FpgaBudget[], quantize: (g: Graph) => Graph, mapping: MultiplierMapping = 'auto'): FpgaPricing {
  const calibration = loadFpgaCalibration(target);
  const cache = new WeakMap<Graph, FpgaDesignChoice>();
  const design = (g: Graph) => {
    let d = cache.get(g);
    if (!d) {
      d = chooseFpgaDesign(quantize(g), target, budgets, calibration, mapping);
      cache.set(g, d);
    }
    return d;
  };
  return { design, costs: (g) => design(g).costs };
}
