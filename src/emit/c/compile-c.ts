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
  /** The library's own files, named after the prefix (kws.h, kws.c, kws_weights.c for --prefix kws). */
  names: LibraryFileNames;
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
  /**
   * A step-marks build for the per-step instruction counts of `edgeprune verify --worst-case` (src/verify/step-counts.ts):
   * model.c calls ephw_step_mark (defined by hw-sim's harness when built with EPHW_STEP_MARKS) before its first step and
   * after each step with code; the steps themselves are the same code. Not for deployment.
   */
  stepMarks?: boolean;
  /**
   * Keep the inputs' bytes intact through <prefix>_run() (the arena planner does not reuse them), so that a model run
   * twice on the input buffers it was given gives the same outputs. Default false: an input's bytes are reused once its
   * last reader has run (a smaller arena; the cost model and the budgets plan the same way), and model.h says so.
   */
  keepInputs?: boolean;
  /**
   * The MAC kernels' multiply-accumulate, bias add and clamp from templates/c/lib/ep_mac_ct.h: the same bits in a
   * number of instructions that does not depend on the data (soft-float Thumb-2 targets; constant-time-mac.ts checks who
   * may ask). Default false.
   */
  constantTimeMac?: boolean;
}

/** The passes the C backend runs before lowering. */
function prepare(g: Graph): Graph {
  return runPasses(g, C_BACKEND_PASSES);
}

/** The generated files of a library with symbol prefix `prefix`: two models with different prefixes share a folder. */
export interface LibraryFileNames {
  header: string;
  source: string;
  weights: string;
}

export function libraryFileNames(prefix: string): LibraryFileNames {
  return { header: `${prefix}.h`, source: `${prefix}.c`, weights: `${prefix}_weights.c` };
}

export function kernelHeaders(): string[] {
  if (!fs.existsSync(KERNEL_DIR)) throw new Error(`the C kernel library is missing (${KERNEL_DIR})`);
  return fs.readdirSync(KERNEL_DIR).filter((f) => f.endsWith('.h')).sort();
}

/** The arena the C library of `source` plans (the backend's passes, lowering and planner; no C rendered). */
export function plannedArena(source: Graph): MemoryPlan {
  const g = prepare(source);
  return planArena(g, lowerGraph(g));
}

/** A graph as the C backend runs it: after its passes, lowered to steps, with its arena planned. */
export interface LoweredProgram {
  graph: Graph;
  steps: CStep[];
  plan: MemoryPlan;
}

/** The C backend's passes, lowering and memory plan for `source` (the part of compileToC before any C is rendered). */
export function lowerForC(source: Graph, options: Pick<CompileCOptions, 'sparse' | 'estimator' | 'keepInputs'> = {}): LoweredProgram {
  const g = prepare(source);
  const constantOutputs = g.outputs.filter((o) => g.initializers.has(o.name));
  if (constantOutputs.length) {
    throw new UserError(`not supported by the C backend: graph output${constantOutputs.length > 1 ? 's' : ''} ${constantOutputs.map((o) => `'${o.name}'`).join(', ')} ${constantOutputs.length > 1 ? 'are constants' : 'is a constant'} (it does not depend on the inputs)`);
  }
  const steps = lowerGraph(g, { sparse: options.sparse, estimator: options.estimator });
  const plan = planArena(g, steps, { keepInputs: options.keepInputs === true });
  return { graph: g, steps, plan };
}

export function compileToC(source: Graph, options: CompileCOptions = {}): CLibrary {
  const prefix = checkPrefix(options.prefix ?? 'model');
  const keepInputs = options.keepInputs === true;
  const { graph: g, steps, plan } = lowerForC(source, options);
  if (options.target) checkLoweredFitsTarget({ steps, plan }, options.target);
  const hash = crypto.createHash('sha256').update(exportOnnx(g)).digest('hex');
  const headers = kernelHeaders();
  const names = libraryFileNames(prefix);
  const view = buildViewModel({ graph: g, steps, plan, prefix, generator: `edgeprune ${VERSION}`, hash, kernelHeaders: headers, files: names, trace: options.trace, stepMarks: options.stepMarks, keepInputs, constantTimeMac: options.constantTimeMac });
  const files = new Map<string, string>();
  files.set(names.header, renderTemplate('c/model.h.hbs', view));
  files.set(names.source, renderTemplate('c/model.c.hbs', view));
  files.set(names.weights, renderTemplate('c/model_weights.c.hbs', view));
  for (const h of headers) files.set(h, fs.readFileSync(`${KERNEL_DIR}/${h}`, 'utf8'));
  return { files, names, graph: g, steps, plan, view };
}
