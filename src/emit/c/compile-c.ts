// IR graph → a self-contained C model library (files in memory): passes, lowering, memory plan, templates.

import crypto from 'node:crypto';
import fs from 'node:fs';
import type { MemoryPlan } from '../../analysis/memory-plan.js';
import { UserError } from '../../errors.js';
import type { Graph } from '../../ir/graph.js';
import { exportOnnx } from '../../onnx/export.js';
import { C_BACKEND_PASSES } from '../../passes/c-backend-passes.js';
import { runPasses } from '../../passes/pass.js';
import { repoPath } from '../../util/package-root.js';
import { VERSION } from '../../version.js';
import { renderTemplate } from '../render-template.js';
import { planArena } from './arena.js';
import type { CStep } from './c-step.js';
import { checkPrefix } from './c-literals.js';
import { lowerGraph } from './lower.js';
import { checkLoweredFitsTarget } from './size-check.js';
import type { McuTarget } from '../../targets/schema.js';
import type { KernelEstimator, SparseMode } from './sparse-choice.js';
import { buildViewModel, type ModelView } from './view-model.js';

export const KERNEL_DIR = repoPath('templates/c/lib');

export interface CLibrary {
  /** Relative path → content. */
  files: Map<string, string>;
  /** The graph as compiled (after the C backend's passes). */
  graph: Graph;
  steps: CStep[];
  plan: MemoryPlan;
  view: ModelView;
}

export interface CompileCOptions {
  prefix?: string;
  /**
   * Weight-sparse kernels (templates/c/lib/ep_sparse.h) for Conv, Gemm and MatMul layers with pruned weights:
   * 'auto' (default) chooses per layer from estimated instructions and flash (src/emit/c/sparse-choice.ts),
   * 'never' keeps the dense kernels, 'always' takes the sparse kernel wherever its format can hold the layer.
   */
  sparse?: SparseMode;
  /**
   * The target's cost model (src/cost/estimator.ts kernelEstimator) for the 'auto' choice; without it, the built-in
   * estimates of sparse-choice.ts (calibrated on mps2-an386). Callers that know the target pass it.
   */
  estimator?: KernelEstimator;
  /** Refuse a model whose weights or arena exceed this target's flash or RAM before rendering any C. */
  target?: McuTarget;
  /**
   * A trace build for `edgeprune verify --trace`: model.c calls ephw_trace_value (defined by hw-sim's harness when built
   * with EPHW_TRACE) after each step with the step's outputs. Not for deployment.
   */
  trace?: boolean;
}

/** The passes the C backend runs before lowering. */
function prepare(g: Graph): Graph {
  return runPasses(g, C_BACKEND_PASSES);
}

function kernelHeaders(): string[] {
  if (!fs.existsSync(KERNEL_DIR)) throw new Error(`the C kernel library is missing (${KERNEL_DIR})`);
  return fs.readdirSync(KERNEL_DIR).filter((f) => f.endsWith('.h')).sort();
}

export function compileToC(source: Graph, options: CompileCOptions = {}): CLibrary {
  const prefix = checkPrefix(options.prefix ?? 'model');
  const g = prepare(source);
  const constantOutputs = g.outputs.filter((o) => g.initializers.has(o.name));
  if (constantOutputs.length) {
    throw new UserError(`not supported by the C backend: graph output${constantOutputs.length > 1 ? 's' : ''} ${constantOutputs.map((o) => `'${o.name}'`).join(', ')} ${constantOutputs.length > 1 ? 'are constants' : 'is a constant'} (it does not depend on the inputs)`);
  }
  const steps = lowerGraph(g, { sparse: options.sparse, estimator: options.estimator });
  const plan = planArena(g, steps);
  if (options.target) checkLoweredFitsTarget({ steps, plan }, options.target);
  const hash = crypto.createHash('sha256').update(exportOnnx(g)).digest('hex');
  const headers = kernelHeaders();
  const view = buildViewModel({ graph: g, steps, plan, prefix, generator: `edgeprune ${VERSION}`, hash, kernelHeaders: headers, trace: options.trace });
  const files = new Map<string, string>();
  files.set('model.h', renderTemplate('c/model.h.hbs', view));
  files.set('model.c', renderTemplate('c/model.c.hbs', view));
  files.set('model_weights.c', renderTemplate('c/model_weights.c.hbs', view));
  for (const h of headers) files.set(h, fs.readFileSync(`${KERNEL_DIR}/${h}`, 'utf8'));
  return { files, graph: g, steps, plan, view };
}
