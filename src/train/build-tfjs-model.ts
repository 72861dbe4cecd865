// A plan of Keras layers (ir-to-tfjs.ts) built into a TF.js layers model, and the graph's initializers written into it.

import * as tf from './tf.js';
import type { Graph } from '../ir/graph.js';
import { shapeSize, type Tensor } from '../ir/tensor.js';
import { untrainableError, type LayerClass, type ParamBinding, type TrainPlan } from './ir-to-tfjs.js';
import { weightToTf } from './layout.js';

const FACTORIES: Record<LayerClass, (config: Record<string, unknown>) => tf.layers.Layer> = {
  Conv2D: (c) => tf.layers.conv2d(c as never),
  DepthwiseConv2D: (c) => tf.layers.depthwiseConv2d(c as never),
  Dense: (c) => tf.layers.dense(c as never),
  BatchNormalization: (c) => tf.layers.batchNormalization(c as never),
  ReLU: (c) => tf.layers.reLU(c as never),
  LeakyReLU: (c) => tf.layers.leakyReLU(c as never),
  Activation: (c) => tf.layers.activation(c as never),
  Softmax: (c) => tf.layers.softmax(c as never),
  MaxPooling2D: (c) => tf.layers.maxPooling2d(c as never),
  AveragePooling2D: (c) => tf.layers.averagePooling2d(c as never),
  GlobalAveragePooling2D: (c) => tf.layers.globalAveragePooling2d(c as never),
  GlobalMaxPooling2D: (c) => tf.layers.globalMaxPooling2d(c as never),
  Flatten: (c) => tf.layers.flatten(c as never),
  Reshape: (c) => tf.layers.reshape(c as never),
  Permute: (c) => tf.layers.permute(c as never),
  ZeroPadding2D: (c) => tf.layers.zeroPadding2d(c as never),
  Add: (c) => tf.layers.add(c as never),
  Concatenate: (c) => tf.layers.concatenate(c as never),
};

/** The Keras weight of a binding in a built model. */
export function weightOf(model: tf.LayersModel, binding: ParamBinding): tf.LayerVariable {
  const layer = model.getLayer(binding.layer);
  const w = layer.weights.find((v) => v.originalName === `${binding.layer}/${binding.role}`);
  if (!w) throw new Error(`layer '${binding.layer}' has no weight '${binding.role}' (has ${layer.weights.map((v) => v.originalName).join(', ')})`);
  return w;
}

/** Build the layers model of a plan and load the graph's initializers into it. */
export function buildModel(plan: TrainPlan, g: Graph): tf.LayersModel {
  if (plan.problems.length) throw untrainableError(plan.problems);
  const symbols: tf.SymbolicTensor[] = [];
  symbols[0] = tf.input({ shape: plan.input.shape.slice(1), name: plan.input.name, dtype: 'float32' });
  for (const step of plan.steps) {
    const layer = FACTORIES[step.className](step.config);
    const ins = step.inputs.map((i) => symbols[i]);
    symbols[step.output] = layer.apply(ins.length === 1 ? ins[0] : ins) as tf.SymbolicTensor;
  }
  const model = tf.model({ inputs: symbols[0], outputs: symbols[plan.outputTensor], name: plan.name });
  writeParams(model, plan, (name) => g.initializers.get(name)!);
  return model;
}

/** Set every bound weight from IR tensors (tensors made from the data, never shared with others). */
export function writeParams(model: tf.LayersModel, plan: TrainPlan, valueOf: (initializer: string) => Tensor): void {
  for (const b of plan.params) {
    const t = valueOf(b.initializer);
    const { data, shape } = weightToTf(b.layout, t.data as Float32Array, t.shape);
    const v = weightOf(model, b);
    const value = tf.tensor(data, shape, 'float32');
    if (value.shape.join() !== v.shape.join()) throw new Error(`initializer '${b.initializer}' gives ${value.shape.join('x')} for ${v.originalName} ${v.shape.join('x')}`);
    v.write(value);
    value.dispose();
  }
}

/** Number of elements of a plan's input sample (the shape after the batch dimension). */
export const sampleSize = (plan: TrainPlan): number => shapeSize(plan.input.shape.slice(1));
