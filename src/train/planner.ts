// The planner of the IR → TF.js bridge: walks the nodes in order, holds every IR value as a plan tensor with a layout
// permutation (layout.ts), inserts the shared Permute/Reshape layers that layouts need, binds trained initializers to
// Keras weights, and collects the nodes it cannot map with a reason. The per-op handlers (plan-layers.ts,
// plan-shape-ops.ts) map one node each through its methods.

import { staticInfo, type Graph, type Node } from '../ir/graph.js';
import { evaluateNode } from '../ir/interpreter.js';
import type { Tensor } from '../ir/tensor.js';
import { channelsLastPerm, identityPerm, isIdentity, permuteDims, samePerm, type Perm, type WeightLayout } from './layout.js';
import type { LayerClass, LayerStep, OutputKind, ParamBinding, TrainPlan, Untrainable, WeightRole } from './train-plan.js';

/** A reason a node cannot be trained (caught per node while planning). */
export class Refusal extends Error {}
export function refuse(reason: string): never {
  throw new Refusal(reason);
}

export interface Held {
  tensor: number;
  perm: number[];
  shape: number[];
  /** The tensor holds the value flattened to [N, rest] in IR order (a global pool's output). */
  flat?: boolean;
}

export const NHWC = channelsLastPerm(4);

/** Valid Keras names: letters, digits, '_', '.', '-', starting with a letter or digit. */
function sanitize(name: string): string {
  const s = name.replace(/[^A-Za-z0-9_.-]/g, '_');
  return /^[A-Za-z0-9]/.test(s) ? s : `n${s}`;
}

/** Maps one node onto the plan (or refuses it with `refuse`). */
export type Handler = (p: Planner, node: Node) => void;

export class Planner {
  readonly steps: LayerStep[] = [];
  readonly params: ParamBinding[] = [];
  readonly problems: Untrainable[] = [];
  readonly held = new Map<string, Held>();
  readonly consts = new Map<string, Tensor>();
  private readonly converted = new Map<string, number>();
  private readonly names = new Set<string>();
  readonly uses = new Map<string, string[]>();
  /** IR values whose producer was folded into an earlier layer (MatMul + Add bias). */
  readonly fused = new Set<Node>();
  private tensors = 1;

  constructor(
    readonly g: Graph,
    private readonly handlers: Readonly<Record<string, Handler>>,
  ) {
    for (const [name, t] of g.initializers) this.consts.set(name, t);
    for (const n of g.nodes) for (const i of n.inputs) if (i) this.uses.set(i, [...(this.uses.get(i) ?? []), n.name]);
  }

  plan(): TrainPlan {
    const g = this.g;
    const input = g.inputs[0];
    let inputShape: number[] = [];
    if (g.inputs.length !== 1) this.problem('(graph)', 'Graph', `has ${g.inputs.length} inputs; the bridge trains models with exactly one input`);
    if (g.outputs.length !== 1) this.problem('(graph)', 'Graph', `has ${g.outputs.length} outputs; the bridge trains models with exactly one output`);
    if (input) {
      inputShape = input.shape.map((d) => (typeof d === 'number' ? d : NaN));
      if (input.dtype !== 'float32') this.problem(input.name, 'input', `has type ${input.dtype}; only float32 inputs train`);
      if (inputShape.some((d) => Number.isNaN(d))) this.problem(input.name, 'input', `has a dynamic shape; fix it first (--input-shape)`);
      if (inputShape.length < 2) this.problem(input.name, 'input', `has rank ${inputShape.length}; the first dimension must be the batch, followed by the features`);
      this.held.set(input.name, { tensor: 0, perm: identityPerm(inputShape.length), shape: inputShape });
      this.names.add(sanitize(input.name));
    }
    // Other graph inputs are already reported; readers of them are not reported again.
    for (const other of g.inputs.slice(1)) this.held.set(other.name, { tensor: -1, perm: identityPerm(other.shape.length), shape: other.shape.map(Number) });
    for (const node of g.nodes) {
      if (this.fused.has(node)) continue;
      try {
        this.planNode(node);
      } catch (e) {
        if (!(e instanceof Refusal)) throw e;
        this.problem(node.name, node.opType, e.message);
        this.poison(node);
      }
    }
    const out = g.outputs[0];
    let outputTensor = -1;
    let kind: OutputKind = 'logits';
    let outShape: number[] = [];
    if (out) {
      outShape = staticInfo(g, out.name).shape;
      const h = this.held.get(out.name);
      if (!h) {
        if (this.consts.has(out.name)) this.problem(out.name, 'output', 'is a constant; nothing to train');
      } else if (h.tensor >= 0) {
        outputTensor = this.ensure(h, identityPerm(h.perm.length), out.name);
      }
      const producer = g.nodes.find((n) => n.outputs.includes(out.name));
      if (producer?.opType === 'Softmax') kind = 'probabilities';
    }
    return {
      name: sanitize(g.name || 'model'),
      input: { name: input ? sanitize(input.name) : 'input', shape: inputShape },
      output: { name: out?.name ?? '', shape: outShape, kind },
      steps: this.steps,
      outputTensor,
      params: this.params,
      problems: this.problems,
      values: Object.fromEntries([...this.held].filter(([, h]) => h.tensor >= 0).map(([name, h]) => [name, h.tensor])),
    };
  }

  private problem(node: string, op: string, reason: string): void {
    this.problems.push({ node, op, reason });
  }

  /** Outputs of a refused node still get a (placeholder) layout, so that later nodes are checked too. */
  private poison(node: Node): void {
    for (const o of node.outputs) {
      if (!o || this.held.has(o) || this.consts.has(o)) continue;
      const shape = this.g.values.get(o)?.shape.map(Number) ?? [];
      this.held.set(o, { tensor: -1, perm: identityPerm(shape.length), shape });
    }
  }

  shapeOf(name: string): number[] {
    return staticInfo(this.g, name).shape;
  }

  /** How input `index` is held; a flattened value is unflattened unless the reader takes it (`allowFlat`). */
  activation(node: Node, index: number, allowFlat = false): Held {
    const name = node.inputs[index];
    const h = name ? this.held.get(name) : undefined;
    if (!h) {
      if (name && this.consts.has(name)) refuse(`input ${index} ('${name}') is a constant; the bridge trains ops whose data input comes from the model input`);
      refuse(`input ${index} is missing`);
    }
    return allowFlat ? h : this.unflat(h, name);
  }

  /** A flattened value in its IR shape again (a shared Reshape), held in IR order. */
  private unflat(h: Held, nameHint: string): Held {
    if (!h.flat) return h;
    const key = `${h.tensor}:unflat`;
    let t = this.converted.get(key);
    if (t === undefined) {
      t = this.add('Reshape', { targetShape: h.shape.slice(1) }, [h.tensor], '', `${nameHint}_unflatten`);
      this.converted.set(key, t);
    }
    return { tensor: t, perm: identityPerm(h.shape.length), shape: h.shape };
  }

  constant(node: Node, index: number, what: string): Tensor {
    const t = node.inputs[index] ? this.consts.get(node.inputs[index]) : undefined;
    if (!t) refuse(`${what} must be a constant (an initializer)`);
    return t;
  }

  /** A trained parameter: a float32 initializer read by this node only. */
  param(node: Node, index: number, what: string): Tensor {
    const name = node.inputs[index];
    const t = name ? this.g.initializers.get(name) : undefined;
    if (!t) refuse(`${what} must be an initializer to be trained`);
    if (t.dtype !== 'float32') refuse(`${what} '${name}' has type ${t.dtype}; only float32 parameters train`);
    const readers = this.uses.get(name) ?? [];
    if (readers.length > 1) refuse(`${what} '${name}' is shared with node(s) ${readers.filter((r) => r !== node.name).map((r) => `'${r}'`).join(', ')}; shared weights do not train`);
    return t;
  }

  bind(initializer: string, layer: string, role: WeightRole, layout: WeightLayout, trainable = true): void {
    this.params.push({ initializer, layer, role, trainable, irShape: [...this.g.initializers.get(initializer)!.shape], layout });
  }

  private layerName(base: string): string {
    let name = sanitize(base);
    for (let i = 1; this.names.has(name); i++) name = `${sanitize(base)}_${i}`;
    this.names.add(name);
    return name;
  }

  add(className: LayerClass, config: Record<string, unknown>, inputs: number[], node: string, nameHint: string): number {
    const output = inputs.includes(-1) ? -1 : this.tensors++;
    const name = this.layerName(nameHint);
    if (output >= 0) this.steps.push({ className, config: { ...config, name }, inputs, output, node });
    return output;
  }

  /** The tensor holding `h` with permutation `perm` (a shared Permute when it differs). */
  ensure(h: Held, perm: Perm, nameHint: string): number {
    h = this.unflat(h, nameHint);
    if (samePerm(h.perm, perm) || h.tensor < 0) return h.tensor;
    const key = `${h.tensor}:${perm.join(',')}`;
    const hit = this.converted.get(key);
    if (hit !== undefined) return hit;
    const t = this.add('Permute', { dims: permuteDims(h.perm, perm) }, [h.tensor], '', `${nameHint}_${isIdentity(perm) ? 'to_ir_layout' : 'to_channels_last'}`);
    this.converted.set(key, t);
    return t;
  }

  setOut(node: Node, tensor: number, perm: number[], index = 0): void {
    const name = node.outputs[index];
    this.held.set(name, { tensor, perm, shape: this.shapeOf(name) });
  }

  private planNode(node: Node): void {
    if (node.domain !== '') refuse(`ops of domain '${node.domain}' have no TF.js layer`);
    // Nodes of constants only (shape arithmetic left over) are computed once, here.
    const present = node.inputs.filter((i) => i);
    if ((present.length > 0 && present.every((i) => this.consts.has(i))) || (node.opType === 'Constant' && present.length === 0)) {
      const outs = evaluateNode(node, node.inputs.map((i) => (i ? this.consts.get(i) : undefined)));
      node.outputs.forEach((o, i) => o && this.consts.set(o, outs[i]));
      return;
    }
    const used = (o: string) => this.uses.has(o) || this.g.outputs.some((go) => go.name === o);
    if (node.outputs.slice(1).some((o) => o && used(o))) {
      refuse(`its extra outputs (${node.outputs.slice(1).filter((o) => o).join(', ')}) are used; only the first output trains`);
    }
    const handler = this.handlers[node.opType];
    if (!handler) refuse(`no TF.js layer for ${node.opType}`);
    handler(this, node);
  }

  /** The Keras name of the layer that made plan tensor `tensor`. */
  lastName(tensor: number): string {
    const step = this.steps.find((s) => s.output === tensor);
    return step ? String(step.config.name) : '';
  }
}
