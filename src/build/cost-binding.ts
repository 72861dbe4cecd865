// The cost model bound to one target for the build: budgeted costs and per-layer instructions, cached per graph.

import { loadCalibration, predictCost, type CostPrediction } from '../cost/index.js';
import type { Graph } from '../ir/graph.js';
import type { McuTarget } from '../targets/schema.js';
import type { BoundCostModel } from './build.js';

export async function bindCostModel(target: McuTarget): Promise<BoundCostModel> {
  const calibration = loadCalibration(target);
  const cache = new WeakMap<Graph, CostPrediction>();
  const predict = (g: Graph) => {
    let p = cache.get(g);
    if (!p) {
      // Steps without a calibrated formula are predicted conservatively rather than stopping the search.
      p = predictCost(g, target, { calibration, unknownKernels: 'fallback' });
      cache.set(g, p);
    }
    return p;
  };
  return {
    costs: (g) => {
      const p = predict(g);
      return { instructions: p.instructions, ramBytes: p.ramBytes, flashBytes: p.flashBytes };
    },
    layerInstructions: (g) => {
      // A step's cost goes to its first node (a fused activation rides on its layer).
      const out = new Map<string, number>();
      for (const layer of predict(g).layers) {
        const first = layer.nodes[0];
        if (first) out.set(first, (out.get(first) ?? 0) + layer.instructions);
      }
      return out;
    },
  };
}
