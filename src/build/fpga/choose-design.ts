// The FPGA design of a quantized model under budgets: a reuse factor per dense layer and where the multipliers go
// (DSP blocks; requantizers on DSP blocks with the int8 products in logic; or all in logic), chosen with the FPGA
// cost model: the fastest design within the budgets that a greedy unfolding from the slowest design finds, for each
// mapping; the mapping whose design is least over budget, then fastest, wins. Nothing is run: a design is priced in
// milliseconds (lowered, then predicted by src/cost/fpga/).

import { predictBoardTop, addResources, predictFpgaCost, type FpgaCostPrediction, type FpgaResources } from '../../cost/fpga/predict.js';
import { loadFpgaCalibration, type FpgaCalibration } from '../../cost/fpga/calibration.js';
import { predictLogicCells } from '../../cost/fpga/logic-cells.js';
import { foldedReuseFactors } from '../../emit/verilog/lower-dense-folded.js';
import type { MultiplierMapping } from '../../emit/verilog/fpga-project.js';
import { lowerToRtl, type RtlDesign } from '../../emit/verilog/lower-rtl.js';
import { UserError } from '../../errors.js';
import { staticInfo, type Graph } from '../../ir/graph.js';
import { LAYER_INPUTS } from '../../ops/util/int8-params.js';
import type { FpgaTarget } from '../../targets/schema.js';
import { worstRatio } from '../budgets.js';
import type { FpgaBudget, FpgaCosts } from './fpga-budgets.js';

export interface FpgaDesignPoint {
  /** Reuse factor per dense layer (node name). */
  reuseFactors: Record<string, number>;
  multipliers: 'dsp' | 'lut';
  /** With DSP mapping: the int8 products as shifts and adds in logic, the requantizers on DSP blocks. */
  productsInLogic: boolean;
}

export interface FpgaDesignChoice extends FpgaDesignPoint {
  design: RtlDesign;
  prediction: FpgaCostPrediction;
  /** Predicted resources in the budgets' scope (with the board top where it is placed: resourceScope). */
  resources: FpgaResources;
  costs: FpgaCosts;
  /** The most violated budget's cost / limit (≤ 1: every budget holds). */
  worstRatio: number;
}

/** How many of a layer's next legal reuse factors a step tries (the next may be illegal after a folded layer). */
const LOOKAHEAD = 2;

const MAPPINGS: readonly Omit<FpgaDesignPoint, 'reuseFactors'>[] = [
  { multipliers: 'dsp', productsInLogic: false },
  { multipliers: 'dsp', productsInLogic: true },
  { multipliers: 'lut', productsInLogic: false },
];

/** The dense layers a reuse factor applies to, with their reuse factors ascending (1 first). */
export function denseLayerOptions(g: Graph): { node: string; options: number[] }[] {
  return g.nodes.filter((n) => n.opType === 'Int8Gemm').map((n) => {
    const [nOut, nIn] = staticInfo(g, n.inputs[LAYER_INPUTS.W]).shape as number[];
    return { node: n.name, options: [1, ...foldedReuseFactors(nIn, nOut)] };
  });
}

/** Price one design point (lowered and predicted); a lowering refusal throws (UserError). */
export function priceDesign(g: Graph, target: FpgaTarget, budgets: readonly FpgaBudget[], p: FpgaDesignPoint, calibration: FpgaCalibration): FpgaDesignChoice {
  const design = lowerToRtl(g, { reuseFactors: p.reuseFactors, productsInLogic: p.productsInLogic });
  const prediction = predictFpgaCost(design, target, p.multipliers, calibration);
  const resources = target.pnr ? addResources(prediction.total, predictBoardTop(design, target, calibration)) : prediction.total;
  const costs: FpgaCosts = { latencyCycles: prediction.latencyCycles, luts: resources.luts, logicCells: predictLogicCells(resources), dsps: resources.dsps, brams: resources.brams };
  return { ...p, design, prediction, resources, costs, worstRatio: worstRatio(budgets, costs).ratio };
}

/** Over budget first (how far over the most violated one), then latency: a design within every budget beats any that is not. */
const overBudget = (c: FpgaDesignChoice) => Math.max(1, c.worstRatio);
const better = (a: FpgaDesignChoice, b: FpgaDesignChoice) =>
  overBudget(a) < overBudget(b) - 1e-12 || (Math.abs(overBudget(a) - overBudget(b)) <= 1e-12 && (a.costs.latencyCycles < b.costs.latencyCycles || (a.costs.latencyCycles === b.costs.latencyCycles && a.worstRatio < b.worstRatio - 1e-12)));

/**
 * From the slowest design (every layer at its largest reuse factor: one multiplier each, the fewest resources), each
 * step unfolds the one layer (to one of its next smaller legal reuse factors) that lowers the excess over the budgets
 * most, or, within budgets, the latency most; it stops when no unfolding is better.
 */
function greedyUnfold(g: Graph, target: FpgaTarget, budgets: readonly FpgaBudget[], mapping: Omit<FpgaDesignPoint, 'reuseFactors'>, calibration: FpgaCalibration): FpgaDesignChoice {
  const layers = denseLayerOptions(g);
  let current = priceDesign(g, target, budgets, { ...mapping, reuseFactors: Object.fromEntries(layers.map((l) => [l.node, l.options[l.options.length - 1]])) }, calibration);
  for (;;) {
    let best: FpgaDesignChoice | undefined;
    for (const layer of layers) {
      const at = layer.options.indexOf(current.reuseFactors[layer.node]);
      let tried = 0;
      for (let j = at - 1; j >= 0 && tried < LOOKAHEAD; j--) {
        let candidate: FpgaDesignChoice;
        try {
          candidate = priceDesign(g, target, budgets, { ...mapping, reuseFactors: { ...current.reuseFactors, [layer.node]: layer.options[j] } }, calibration);
        } catch (e) {
          if (e instanceof UserError) continue; // this reuse factor cannot follow its neighbours' (a serial input)
          throw e;
        }
        tried++;
        if (!best || better(candidate, best)) best = candidate;
      }
    }
    if (!best || !better(best, current)) return current;
    current = best;
  }
}

/**
 * The design of a quantized model (`requested`: every mapping, or only products and requantizers on DSP blocks, or
 * only logic) that meets the budgets at the lowest latency the greedy folding finds, or, when
 * none does, the one least over its most violated budget (the pruning search then works on that budget).
 */
export function chooseFpgaDesign(g: Graph, target: FpgaTarget, budgets: readonly FpgaBudget[], calibration: FpgaCalibration = loadFpgaCalibration(target), requested: MultiplierMapping = 'auto'): FpgaDesignChoice {
  const mappings = MAPPINGS.filter((m) => (requested === 'auto' ? target.resources.dsps > 0 || m.multipliers === 'lut' : m.multipliers === requested && !m.productsInLogic));
  let best: FpgaDesignChoice | undefined;
  for (const m of mappings) {
    const c = greedyUnfold(g, target, budgets, m, calibration);
    if (!best || better(c, best)) best = c;
  }
  return best!;
}
