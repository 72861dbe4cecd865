// The training plan's types: the Keras layers (pure data, no tensors) a TF.js model of an IR graph is built from,
// the parameters bound to them, and the nodes that cannot train (made by src/train/ir-to-tfjs.ts).

import type { WeightLayout } from './layout.js';

/** A node the bridge cannot train, and why. */
export interface Untrainable {
  node: string;
  op: string;
  reason: string;
}

/** The Keras layer weights an initializer is bound to. */
export type WeightRole = 'kernel' | 'depthwise_kernel' | 'bias' | 'gamma' | 'beta' | 'moving_mean' | 'moving_variance';

export interface ParamBinding {
  /** IR initializer name. */
  initializer: string;
  /** Keras layer name and weight within it. */
  layer: string;
  role: WeightRole;
  /** Updated by the optimizer (false for BatchNormalization statistics). */
  trainable: boolean;
  irShape: number[];
  layout: WeightLayout;
}

/** One Keras layer of the plan: its class, config, inputs and output (indices of plan tensors). */
export interface LayerStep {
  className: LayerClass;
  config: Record<string, unknown>;
  inputs: number[];
  output: number;
  /** The IR node it comes from ('' for layout and shape helpers). */
  node: string;
}

export type OutputKind = 'probabilities' | 'logits';

export interface TrainPlan {
  name: string;
  input: { name: string; shape: number[] };
  output: { name: string; shape: number[]; kind: OutputKind };
  steps: LayerStep[];
  /** Plan tensor 0 is the model input; the output tensor index. */
  outputTensor: number;
  params: ParamBinding[];
  problems: Untrainable[];
  /** The plan tensor holding each computed IR value (any layout; aliases share their source's tensor). */
  values: Record<string, number>;
}

/** Keras layer classes the bridge creates (and reads back from TF.js model files). */
export type LayerClass =
  | 'Conv2D'
  | 'DepthwiseConv2D'
  | 'Dense'
  | 'BatchNormalization'
  | 'ReLU'
  | 'LeakyReLU'
  | 'Activation'
  | 'Softmax'
  | 'MaxPooling2D'
  | 'AveragePooling2D'
  | 'GlobalAveragePooling2D'
  | 'GlobalMaxPooling2D'
  | 'Flatten'
  | 'Reshape'
  | 'Permute'
  | 'ZeroPadding2D'
  | 'Add'
  | 'Concatenate';
