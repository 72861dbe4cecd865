// The lowered program the cost model predicts from: the same passes, kernel calls and arena plan as
// compileToC (src/emit/c/compile-c.ts), without rendering any C (no weight formatting, no templates),
// so that a prediction costs milliseconds. test/cost/lowered.test.ts checks that both agree.

import type { MemoryPlan } from '../analysis/memory-plan.js';
import { planArena } from '../emit/c/arena.js';
import type { CStep } from '../emit/c/c-step.js';
import { lowerGraph } from '../emit/c/lower.js';
import type { KernelEstimator, SparseMode } from '../emit/c/sparse-choice.js';
import type { Graph } from '../ir/graph.js';
import { C_BACKEND_PASSES } from '../passes/c-backend-passes.js';
import { runPasses } from '../passes/pass.js';

export interface LoweredProgram {
  /** The graph after the C backend's passes. */
  graph: Graph;
  steps: CStep[];
  plan: MemoryPlan;
}

export interface LowerForCostOptions {
  /** compileToC's `sparse` option: dense or weight-sparse kernels for pruned layers (default 'auto', as compileToC). */
  sparse?: SparseMode;
  /** compileToC's `estimator` option (the target's cost model for the dense/sparse choice). */
  estimator?: KernelEstimator;
}

/** compileToC's passes, lowering and arena plan (keep in step with src/emit/c/compile-c.ts). */
export function lowerForCost(source: Graph, options: LowerForCostOptions = {}): LoweredProgram {
  const g = runPasses(source, C_BACKEND_PASSES, { verify: false });
  const steps = lowerGraph(g, { sparse: options.sparse, estimator: options.estimator });
  return { graph: g, steps, plan: planArena(g, steps) };
}
