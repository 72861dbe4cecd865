// The FPGA cost model bound to the build's search: a candidate (a pruned float graph) is quantized the way the target
// runs it (searchQuantizer with the family's multiplier width), and its best design under the budgets
// (choose-design.ts) gives its costs. Both steps are cached per graph.

import { loadFpgaCalibration } from '../../cost/fpga/calibration.js';
import type { MultiplierMapping } from '../../emit/verilog/fpga-project.js';
import type { Graph } from '../../ir/graph.js';
import type { FpgaTarget } from '../../targets/schema.js';
import { chooseFpgaDesign, type FpgaDesignChoice } from './choose-design.js';
import type { FpgaBudget, FpgaCosts } from './fpga-budgets.js';

export interface FpgaPricing {
  /** The candidate's costs: those of its quantized model's chosen design. */
  costs(g: Graph): FpgaCosts;
  design(g: Graph): FpgaDesignChoice;
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
