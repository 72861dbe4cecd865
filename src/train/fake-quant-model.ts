// Fake quantization installed on a Trainable (and removed again): kernels and chosen activations take the int8 grid forward.
//
// Nothing in the plan or the model's structure changes. Each Conv2D, DepthwiseConv2D and Dense
// kernel's LayerVariable reads through fakeQuantWeights (the optimizer still updates the float
// variable: the "shadow" weights); the layer producing each chosen IR value has its output
// fake-quantized (a graph input: every layer reading it fake-quantizes that input). `remove()`
// restores the float model exactly, so toGraph reads the float weights.

import type * as tf from './tf.js';
import { weightOf } from './build-tfjs-model.js';
import { fakeQuantActivation, fakeQuantWeights, type ActivationGrid } from './fake-quant.js';
import type { Trainable } from './trainable.js';

export interface FakeQuantSpec {
  /** IR values (of the trainable's graph) to fake-quantize, each with its per-tensor grid. */
  activations: ReadonlyMap<string, ActivationGrid>;
  /** Kernels (IR initializer names) fake-quantized with one scale for the whole tensor instead of one per output channel. */
  perTensorWeights?: ReadonlySet<string>;
}

export interface InstalledFakeQuant {
  /** Kernels (IR initializer names) fake-quantized (per output channel, or per tensor when listed in perTensorWeights). */
  weights: string[];
  /** IR values fake-quantized (values sharing one TF.js tensor count once, the first named). */
  activations: string[];
  /** Restore the float model. */
  remove(): void;
}

type Call = (inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>) => tf.Tensor | tf.Tensor[];

/** Fake-quantize every kernel and the given activations of `t` until `remove()`. */
export function installFakeQuant(t: Trainable, spec: FakeQuantSpec): InstalledFakeQuant {
  t.check();
  const undo: (() => void)[] = [];
  const weights: string[] = [];
  for (const b of t.plan.params) {
    if (b.role !== 'kernel' && b.role !== 'depthwise_kernel') continue;
    const lv = weightOf(t.model, b);
    const channelAxes = spec.perTensorWeights?.has(b.initializer) ? [] : b.role === 'depthwise_kernel' ? [2, 3] : [lv.shape.length - 1];
    const own = Object.prototype.hasOwnProperty.call(lv, 'read');
    const read = lv.read;
    lv.read = (() => fakeQuantWeights(read.call(lv), channelAxes)) as typeof lv.read;
    undo.push(() => {
      if (own) lv.read = read;
      else delete (lv as { read?: unknown }).read;
    });
    weights.push(b.initializer);
  }

  const layerOf = new Map(t.plan.steps.map((s) => [s.output, String(s.config.name)]));
  const wrap = (layerName: string, make: (call: Call) => Call) => {
    const layer = t.model.getLayer(layerName) as unknown as { call: Call };
    const own = Object.prototype.hasOwnProperty.call(layer, 'call');
    const call = layer.call;
    layer.call = make((inputs, kwargs) => call.call(layer, inputs, kwargs));
    undo.push(() => {
      if (own) layer.call = call;
      else delete (layer as { call?: unknown }).call;
    });
  };
  const done = new Set<number>();
  const activations: string[] = [];
  for (const [value, grid] of spec.activations) {
    const tensor = t.plan.values[value];
    if (tensor === undefined) throw new Error(`fake quantization: IR value '${value}' is not computed by the TF.js model`);
    if (done.has(tensor)) continue;
    done.add(tensor);
    activations.push(value);
    if (tensor !== 0) {
      wrap(layerOf.get(tensor)!, (call) => (inputs, kwargs) => fakeQuantActivation(call(inputs, kwargs) as tf.Tensor, grid));
      continue;
    }
    // The model input: quantized where each layer reads it.
    for (const step of t.plan.steps) {
      if (!step.inputs.includes(0)) continue;
      const at = step.inputs.map((i) => i === 0);
      wrap(String(step.config.name), (call) => (inputs, kwargs) =>
        call(Array.isArray(inputs) ? inputs.map((x, i) => (at[i] ? fakeQuantActivation(x, grid) : x)) : fakeQuantActivation(inputs, grid), kwargs),
      );
    }
  }
  let removed = false;
  return {
    weights,
    activations,
    remove() {
      if (removed) return;
      removed = true;
      for (const u of undo.reverse()) u();
    },
  };
}
