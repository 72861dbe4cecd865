// IR graph → list of C steps: choose a kernel per node, fuse ReLU/Clip into the layer before, refuse what C lacks.

import { UserError } from '../../errors.js';
import { consumers, staticInfo, type Graph, type Node, type StaticValueInfo } from '../../ir/graph.js';
import { nodeAttrs } from '../../ir/interpreter.js';
import type { Tensor } from '../../ir/tensor.js';
import type { CStep } from './c-step.js';
import { ELEMENTWISE_LOWERINGS } from './lower-elementwise.js';
import { NN_LOWERINGS } from './lower-nn.js';
import { TENSOR_LOWERINGS } from './lower-tensor.js';
import type { KernelEstimator, SparseMode } from './sparse-choice.js';

/** A clamp applied to a layer's output: ReLU is [0, +inf), Clip is [min, max]. */
export interface ActivationRange {
  min: number;
  max: number;
}

export interface LowerContext {
  graph: Graph;
  node: Node;
  attrs: unknown;
  type(name: string): StaticValueInfo;
  /** The value of a constant input, or undefined when it is computed at run time. */
  constant(name: string): Tensor | undefined;
  /** The activation fused into this node's output, when the lowering declared it can take one. */
  activation?: ActivationRange;
  /** The name the step must write (the fused activation's output when there is one). */
  output(index: number): string;
  /** Dense or weight-sparse kernels for layers with pruned weights (default 'auto': per layer, by estimate). */
  sparse?: SparseMode;
  /** The target's cost model for the dense/sparse choice (default: the built-in estimates). */
  estimator?: KernelEstimator;
}

export interface LowerOptions {
  sparse?: SparseMode;
  estimator?: KernelEstimator;
}

export interface Lowering {
  lower(ctx: LowerContext): CStep;
  /** The kernel can clamp its output, so a following ReLU or Clip folds into it. */
  fusesActivation?: boolean;
}

/** Thrown by a lowering for a node the C backend cannot compile; collected into one error. */
export class CUnsupported extends Error {}

export function unsupported(reason: string): never {
  throw new CUnsupported(reason);
}

const LOWERINGS: Record<string, Lowering> = { ...NN_LOWERINGS, ...ELEMENTWISE_LOWERINGS, ...TENSOR_LOWERINGS };

/** ReLU, or a Clip with constant bounds, as a clamp range; undefined for anything else. */
function activationRange(g: Graph, node: Node): ActivationRange | undefined {
  if (node.domain !== '') return undefined;
  if (node.opType === 'Relu') return { min: 0, max: Infinity };
  if (node.opType !== 'Clip') return undefined;
  const bound = (i: number, fallback: number) => {
    const name = node.inputs[i];
    if (!name) return fallback;
    const t = g.initializers.get(name);
    return t ? t.at(0) : undefined;
  };
  const min = bound(1, -Infinity);
  const max = bound(2, Infinity);
  return min === undefined || max === undefined ? undefined : { min, max };
}

/** Which activation node folds into which producer. */
function planFusion(g: Graph): Map<Node, Node> {
  const users = consumers(g);
  const outputs = new Set(g.outputs.map((o) => o.name));
  const fused = new Map<Node, Node>();
  for (const node of g.nodes) {
    if (!LOWERINGS[node.opType]?.fusesActivation || node.domain !== '') continue;
    const out = node.outputs[0];
    const readers = users.get(out) ?? [];
    if (readers.length !== 1 || outputs.has(out)) continue;
    const act = readers[0];
    if (act.inputs[0] === out && activationRange(g, act) && staticInfo(g, out).dtype === 'float32') fused.set(node, act);
  }
  return fused;
}

/** Lower every node, or throw one error listing every node the C backend cannot compile. */
export function lowerGraph(g: Graph, options: LowerOptions = {}): CStep[] {
  const fused = planFusion(g);
  const absorbed = new Set(fused.values());
  const steps: CStep[] = [];
  const problems: string[] = [];
  for (const node of g.nodes) {
    if (absorbed.has(node)) continue;
    const lowering = node.domain === '' ? LOWERINGS[node.opType] : undefined;
    if (!lowering) {
      problems.push(`node '${node.name}' (${node.opType}): the op has no C kernel`);
      continue;
    }
    const act = fused.get(node);
    const ctx: LowerContext = {
      graph: g,
      node,
      attrs: nodeAttrs(node),
      type: (name) => staticInfo(g, name),
      constant: (name) => g.initializers.get(name),
      activation: act ? activationRange(g, act) : undefined,
      output: (i) => (i === 0 && act ? act.outputs[0] : node.outputs[i]),
      sparse: options.sparse ?? 'auto',
      estimator: options.estimator,
    };
    try {
      const floatOnly = [...node.inputs, ...node.outputs].filter((n) => n && !g.initializers.has(n));
      const other = floatOnly.find((n) => ctx.type(n).dtype !== 'float32');
      if (other) unsupported(`value '${other}' is ${ctx.type(other).dtype}; the C backend computes float32 models (int8 comes with quantization)`);
      const step = lowering.lower(ctx);
      if (act) {
        step.nodes.push(act.name);
        step.summary += ` + ${act.opType}`;
      }
      steps.push(step);
    } catch (e) {
      if (!(e instanceof CUnsupported)) throw e;
      problems.push(`node '${node.name}' (${node.opType}): ${e.message}`);
    }
  }
  if (problems.length) {
    throw new UserError(
      `not supported by the C backend: ${problems.join('; ')}`,
      `C kernels exist for: ${Object.keys(LOWERINGS).sort().join(', ')}`,
    );
  }
  return steps;
}

/** Ops the C backend compiles (float32). */
export function cBackendOps(): string[] {
  return Object.keys(LOWERINGS).sort();
}
