// The cost model bound to one target for the build: budgeted costs and per-layer instructions, cached per graph.

import { valueZeroFractions } from '../cost/activation-zeros.js';
import { loadCalibration, predictCost, type CostPrediction } from '../cost/index.js';
import type { Tensor } from '../ir/tensor.js';
import type { Graph } from '../ir/graph.js';
import type { McuTarget } from '../targets/schema.js';
import type { BoundCostModel } from './build.js';
import { lowerForCost } from '../cost/lowered.js';
import { kernelEstimator } from '../cost/estimator.js';
import { constantTimeMacExtraOf, predictWorstCase } from '../cost/worst-case.js';
import type { DependenceOptions } from '../cost/data-dependence.js';
import { currentWorstCaseCalibration } from '../cost/worst-case-calibration.js';

/**
 * `zerosOn`: the model and representative inputs whose activations' zero fractions refine the prediction (soft-float
 * targets: a zero product is cheaper). Measured once on the start model; pruning keeps the value names.
 * `options.constantTimeMac`: the model is deployed with --constant-time-mac: no zero product is cheaper, and every MAC
 * costs the constant-time MAC's instructions (worst-case.ts constantTimeMacExtra; the per-layer figures leave it out).
 */
export async function bindCostModel(target: McuTarget, zerosOn?: { graph: Graph; vectors: Tensor[][] }, options: DependenceOptions = {}): Promise<BoundCostModel> {
  const calibration = loadCalibration(target);
  const constantTimeMac = options.constantTimeMac === true;
  const valueZeros = zerosOn && zerosOn.vectors.length > 0 && !constantTimeMac ? valueZeroFractions(zerosOn.graph, zerosOn.vectors) : undefined;
  const cache = new WeakMap<Graph, CostPrediction>();
  const worstCal = currentWorstCaseCalibration(target, calibration);
  const worstCache = new WeakMap<Graph, number>();
  // The worst-case prediction (every data-dependent kernel at its worst branch); a kernel it cannot price: the typical.
  const worst = (g: Graph) => {
    let w = worstCache.get(g);
    if (w === undefined) {
      try {
        w = predictWorstCase(lowerForCost(g, { estimator: kernelEstimator(target, calibration) }), target, calibration, worstCal, options).worst;
      } catch {
        w = predict(g).instructions;
      }
      worstCache.set(g, w);
    }
    return w;
  };
  const predict = (g: Graph) => {
    let p = cache.get(g);
    if (!p) {
      // Steps without a calibrated formula are predicted conservatively rather than stopping the search.
      p = predictCost(g, target, { calibration, unknownKernels: 'fallback', valueZeros });
      if (constantTimeMac) p = { ...p, instructions: p.instructions + constantTimeMacExtraOf(lowerForCost(g, { estimator: kernelEstimator(target, calibration) }), calibration) };
      cache.set(g, p);
    }
    return p;
  };
  return {
    costs: (g) => {
      const p = predict(g);
      return { instructions: p.instructions, instructionsWorstCase: Math.round(worst(g)), ramBytes: p.ramBytes, flashBytes: p.flashBytes };
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
