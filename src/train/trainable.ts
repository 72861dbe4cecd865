// A trainable model: the IR graph it came from, its TF.js layers model, the weight bindings, masks and optimizer state.

import * as tf from './tf.js';
import { UserError } from '../errors.js';
import { cloneGraph, type Graph } from '../ir/graph.js';
import { shapeSize, type Tensor as IrTensor } from '../ir/tensor.js';
import { ensureTraining, type BackendChoice } from './backend.js';
import { buildModel, sampleSize, weightOf } from './build-tfjs-model.js';
import { planTraining, untrainableError, type OutputKind, type ParamBinding, type TrainPlan } from './ir-to-tfjs.js';
import { weightFromTf, weightToTf } from './layout.js';

export type OptimizerKind = 'adam' | 'sgd';

/** Optimizer state kept across `train` calls (Adam moments carry over fine-tuning rounds). */
export interface OptimizerState {
  kind: OptimizerKind;
  optimizer: tf.Optimizer;
}

interface Mask {
  ir: Uint8Array;
  /** The mask in the TF.js weight's layout, 1 = keep, 0 = pruned. */
  tensor: tf.Tensor;
}

export class Trainable {
  /** The IR graph the model was built from (a private copy: `toGraph` keeps its nodes). */
  readonly graph: Graph;
  readonly plan: TrainPlan;
  readonly model: tf.LayersModel;
  readonly backend: BackendChoice;
  /** Trained parameters, in a fixed order (the optimizer keys its state by position). */
  readonly trained: { binding: ParamBinding; variable: tf.Variable }[];
  readonly masks = new Map<string, Mask>();
  optimizer?: OptimizerState;
  disposed = false;

  constructor(graph: Graph, plan: TrainPlan, model: tf.LayersModel, backend: BackendChoice) {
    this.graph = graph;
    this.plan = plan;
    this.model = model;
    this.backend = backend;
    this.trained = plan.params.filter((b) => b.trainable).map((binding) => ({ binding, variable: weightOf(model, binding).read() as tf.Variable }));
  }

  /** Graph input name and per-sample shape (after the batch dimension), as the IR has them. */
  get inputShape(): number[] {
    return this.plan.input.shape.slice(1);
  }

  get sampleSize(): number {
    return sampleSize(this.plan);
  }

  /** Values per sample of the model output. */
  get outputSize(): number {
    return shapeSize(this.plan.output.shape.slice(1));
  }

  get outputKind(): OutputKind {
    return this.plan.output.kind;
  }

  /** IR initializer names of the trained parameters (weights, biases, BatchNormalization scale and B). */
  get parameterNames(): string[] {
    return this.trained.map((p) => p.binding.initializer);
  }

  check(): void {
    if (this.disposed) throw new Error('this trainable model was disposed');
  }
}

/** Build the trainable model of an IR graph; a UserError lists every node that cannot train. */
export async function buildTrainable(g: Graph): Promise<Trainable> {
  const runtime = await ensureTraining();
  const plan = planTraining(g);
  if (plan.problems.length) throw untrainableError(plan.problems);
  const copy = cloneGraph(g);
  const model = buildModel(plan, copy);
  return new Trainable(copy, plan, model, runtime.backend);
}

/**
 * Install weight-pruning masks (IR layout, 1 keeps a weight, 0 prunes it), replacing any earlier
 * ones; an empty map removes them. Masked weights become zero now and stay exactly zero through
 * training; the optimizer's state (Adam moments) of masked entries is reset to zero.
 */
export function setMasks(t: Trainable, masks: ReadonlyMap<string, Uint8Array>): void {
  t.check();
  const byName = new Map(t.trained.map((p) => [p.binding.initializer, p]));
  const next = new Map<string, Mask>();
  for (const [name, mask] of masks) {
    const p = byName.get(name);
    if (!p) {
      const known = t.plan.params.some((b) => b.initializer === name);
      throw new UserError(`mask for '${name}': ${known ? 'BatchNormalization statistics are not trained' : 'not a trained parameter of this model'}`, `trained parameters: ${[...byName.keys()].join(', ')}`);
    }
    const size = shapeSize(p.binding.irShape);
    if (mask.length !== size) throw new UserError(`mask for '${name}' has ${mask.length} entries; the parameter ${p.binding.irShape.join('x')} has ${size}`);
    if (p.binding.layout.kind === 'broadcast') throw new UserError(`mask for '${name}': a bias broadcast from one value cannot be masked`);
    const ones = Float32Array.from(mask, (m) => (m ? 1 : 0));
    const { data, shape } = weightToTf(p.binding.layout, ones, p.binding.irShape);
    next.set(name, { ir: Uint8Array.from(mask, (m) => (m ? 1 : 0)), tensor: tf.tensor(data, shape, 'float32') });
  }
  for (const m of t.masks.values()) m.tensor.dispose();
  t.masks.clear();
  for (const [k, v] of next) t.masks.set(k, v);
  applyMasks(t);
  resetOptimizerState(t);
}

/** The installed masks (IR layout). */
export function getMasks(t: Trainable): Map<string, Uint8Array> {
  return new Map([...t.masks].map(([k, m]) => [k, m.ir.slice()]));
}

/** x · mask, with +0 where masked (x · 0 is -0 for negative x; adding +0 makes it +0). */
const maskValues = (x: tf.Tensor, mask: tf.Tensor): tf.Tensor => tf.add(tf.mul(x, mask), 0);

/** Zero the masked weights (after every optimizer step). */
export function applyMasks(t: Trainable): void {
  if (t.masks.size === 0) return;
  tf.tidy(() => {
    for (const p of t.trained) {
      const m = t.masks.get(p.binding.initializer);
      if (m) p.variable.assign(maskValues(p.variable, m.tensor));
    }
  });
}

/** Per-variable optimizer slots, as TF.js's Adam (and Adagrad, RMSProp, momentum) keep them. */
type Slot = { originalName: string; variable: tf.Variable };

/** Zero the optimizer's slots (moments) of masked entries. */
export function resetOptimizerState(t: Trainable): void {
  const opt = t.optimizer?.optimizer as unknown as Record<string, unknown> | undefined;
  if (!opt || t.masks.size === 0) return;
  const slotLists = Object.values(opt).filter((v): v is Slot[] => Array.isArray(v) && v.every((s) => s && typeof s === 'object' && 'originalName' in s && 'variable' in s));
  tf.tidy(() => {
    for (const p of t.trained) {
      const m = t.masks.get(p.binding.initializer);
      if (!m) continue;
      for (const list of slotLists) {
        for (const slot of list) {
          if (slot && slot.originalName.startsWith(`${p.variable.name}/`)) slot.variable.assign(maskValues(slot.variable, m.tensor));
        }
      }
    }
  });
}

/**
 * The optimizer's per-parameter state (e.g. Adam's first and second moments, slots 'm' and 'v') in
 * the parameter's IR layout: for tests and diagnostics. Empty before the first step.
 */
export function optimizerSlots(t: Trainable, initializer: string): Map<string, IrTensor> {
  const opt = t.optimizer?.optimizer as unknown as Record<string, unknown> | undefined;
  const p = t.trained.find((q) => q.binding.initializer === initializer);
  const out = new Map<string, IrTensor>();
  if (!opt || !p) return out;
  const prefix = `${p.variable.name}/`;
  for (const list of Object.values(opt)) {
    if (!Array.isArray(list)) continue;
    for (const s of list as Slot[]) {
      if (!s || typeof s !== 'object' || !('originalName' in s) || !s.originalName.startsWith(prefix)) continue;
      const data = s.variable.dataSync() as Float32Array;
      out.set(s.originalName.slice(prefix.length), weightFromTf(p.binding.layout, data, s.variable.shape, p.binding.irShape));
    }
  }
  return out;
}

/** Free the model, the optimizer state and the masks. */
export function disposeTrainable(t: Trainable): void {
  if (t.disposed) return;
  t.optimizer?.optimizer.dispose();
  t.optimizer = undefined;
  for (const m of t.masks.values()) m.tensor.dispose();
  t.masks.clear();
  t.model.dispose();
  t.disposed = true;
}
