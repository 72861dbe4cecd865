// IR graph → list of C steps: choose a kernel per node by domain and dtype, fuse float ReLU/Clip into the layer before, refuse what C lacks.

import { UserError } from '../../errors.js';
import { consumers, staticInfo, type Graph, type Node, type StaticValueInfo } from '../../ir/graph.js';
import { nodeAttrs } from '../../ir/interpreter.js';
import type { Tensor } from '../../ir/tensor.js';
import type { CStep } from './c-step.js';
import { ELEMENTWISE_LOWERINGS } from './lower-elementwise.js';
import { NN_LOWERINGS } from './lower-nn.js';
import { TENSOR_LOWERINGS } from './lower-tensor.js';
import type { KernelEstimator, SparseMode } from './sparse-choice.js';
import type { DType } from '../../ir/dtype.js';
import { EDGEPRUNE_DOMAIN } from '../../ops/util/int8-params.js';
import { compareStrings } from '../../util/compare.js';
import { INT8_LOWERINGS, INT8_STANDARD_LOWERINGS } from './lower-int8.js';

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
  /** The kernel can clamp its output, so a following float ReLU or Clip folds into it (int8 kernels clamp with act_min/act_max instead). */
  fusesActivation?: boolean;
  /**
   * The dtypes of the run-time values (inputs and outputs; constants excluded) the lowering handles: float32 when not
   * given. An op may have one lowering per dtype (MaxPool on float32, MaxPool on int8): the first that covers every
   * run-time value of the node is used.
   */
  dtypes?: readonly DType[];
}

/** Thrown by a lowering for a node the C backend cannot compile; collected into one error. */
export class CUnsupported extends Error {}

export function unsupported(reason: string): never {
  throw new CUnsupported(reason);
}

/** Per op type, its lowerings in the order they are tried. */
type LoweringTable = Map<string, Lowering[]>;

function addLowerings(table: LoweringTable, lowerings: Record<string, Lowering>, dtypes?: readonly DType[]): LoweringTable {
  for (const [op, l] of Object.entries(lowerings)) {
    const entry = dtypes && !l.dtypes ? { ...l, dtypes } : l;
    table.set(op, [...(table.get(op) ?? []), entry]);
  }
  return table;
}

/**
 * The lowerings of each domain. Standard ops: the float32 kernels first, then the int8 ones (the kernels' own
 * lowerings without a dtype list take float32 and int8 values: QuantizeLinear and DequantizeLinear convert between
 * them, the others check their input). edgeprune's int8 ops (domain ai.edgeprune) take int8 values.
 */
let tables: ReadonlyMap<string, LoweringTable> | undefined;

/** Built on first use: the lowering modules import this one, so their tables are not ready while it loads. */
function loweringTables(): ReadonlyMap<string, LoweringTable> {
  tables ??= new Map([
    ['', addLowerings(addLowerings(new Map(), { ...NN_LOWERINGS, ...ELEMENTWISE_LOWERINGS, ...TENSOR_LOWERINGS }), INT8_STANDARD_LOWERINGS, ['float32', 'int8'])],
    [EDGEPRUNE_DOMAIN, addLowerings(new Map(), INT8_LOWERINGS, ['int8'])],
  ]);
  return tables;
}

const dtypesOf = (l: Lowering): readonly DType[] => l.dtypes ?? ['float32'];

/** An op's name in messages: its type, qualified by its domain outside the standard one. */
const opName = (domain: string, opType: string) => (domain ? `${domain}.${opType}` : opType);

/** Every op with a lowering that takes values of `dtype`, sorted. */
function opsFor(dtype: DType): string[] {
  const names: string[] = [];
  for (const [domain, table] of loweringTables()) {
    for (const [op, ls] of table) if (ls.some((l) => dtypesOf(l).includes(dtype))) names.push(opName(domain, op));
  }
  return names.sort(compareStrings);
}

/** "float32", "float32 or int8". */
const orList = (xs: readonly string[]) => (xs.length <= 1 ? xs.join('') : `${xs.slice(0, -1).join(', ')} or ${xs[xs.length - 1]}`);

/**
 * The lowering of a node whose run-time values have the given types, or the refusal naming the first value no lowering
 * takes, its dtype and the dtypes the C backend runs this op on (the error's hint lists the ops of each dtype).
 */
function chooseLowering(node: Node, candidates: readonly Lowering[], runtime: readonly StaticValueInfo[]): Lowering {
  const found = candidates.find((l) => runtime.every((v) => dtypesOf(l).includes(v.dtype)));
  if (found) return found;
  const supported = [...new Set(candidates.flatMap(dtypesOf))];
  const bad = runtime.find((v) => !supported.includes(v.dtype)) ?? runtime.find((v) => v.dtype !== runtime[0].dtype) ?? runtime[0];
  unsupported(`value '${bad.name}' is ${bad.dtype}; the C backend runs ${node.opType} on ${orList(supported)} values${supported.includes(bad.dtype) ? ' of one kind per kernel' : ''}`);
}

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
    if (node.domain !== '' || !loweringTables().get('')!.get(node.opType)?.some((l) => l.fusesActivation)) continue;
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
    const candidates = loweringTables().get(node.domain)?.get(node.opType);
    if (!candidates) {
      problems.push(`node '${node.name}' (${opName(node.domain, node.opType)}): the op has no C kernel`);
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
      const runtime = [...node.inputs, ...node.outputs].filter((n) => n && !g.initializers.has(n)).map(ctx.type);
      const step = chooseLowering(node, candidates, runtime).lower(ctx);
      if (act) {
        step.nodes.push(act.name);
        step.summary += ` + ${act.opType}`;
      }
      steps.push(step);
    } catch (e) {
      if (!(e instanceof CUnsupported)) throw e;
      problems.push(`node '${node.name}' (${opName(node.domain, node.opType)}): ${e.message}`);
    }
  }
  // (Only when every node lowers: a node's refusal already names its values.)
  if (problems.length === 0) problems.push(...modelInterfaceProblems(g));
  if (problems.length) {
    throw new UserError(
      `not supported by the C backend: ${problems.join('; ')}`,
      `C kernels exist for: ${opsFor('float32').join(', ')} (float32); ${opsFor('int8').join(', ')} (int8)`,
    );
  }
  return steps;
}

/** Element types the generated model API (model_invoke) takes and returns. */
const INTERFACE_DTYPES: readonly DType[] = ['float32', 'int8'];

/** The one other element type the model API passes: the int64 class index of a graph output written by ArgMax. */
function isArgMaxIndex(g: Graph, name: string): boolean {
  return staticInfo(g, name).dtype === 'int64' && g.nodes.some((n) => n.domain === '' && n.opType === 'ArgMax' && n.outputs[0] === name);
}

/** Graph inputs and outputs the model API cannot pass (a value no kernel reads or writes is checked here too). */
function modelInterfaceProblems(g: Graph): string[] {
  const check = (what: string, names: readonly string[], extra = '') =>
    names.flatMap((name) => {
      const { dtype } = staticInfo(g, name);
      return INTERFACE_DTYPES.includes(dtype) ? [] : [`${what} '${name}' is ${dtype}; the model API passes ${INTERFACE_DTYPES.join(' or ')} values${extra}`];
    });
  const outputs = g.outputs.map((v) => v.name).filter((name) => !isArgMaxIndex(g, name));
  return [...check('graph input', g.inputs.map((v) => v.name)), ...check('graph output', outputs, ' (and the int64 index of an ArgMax)')];
}

/** Ops the C backend compiles for values of `dtype` (ai.edgeprune ops qualified by their domain). */
export function cBackendOps(dtype: DType = 'float32'): string[] {
  return opsFor(dtype);
}
