// The training bridge: IR graphs fine-tuned through TF.js (the only folder that imports @tensorflow/tfjs*).
//
//   await initTraining({ backend?: 'node' | 'wasm' | 'cpu', seed })  // once, before anything else
//   untrainableNodes(g)             → { node, op, reason }[]          (empty: the whole graph trains)
//   const t = await buildTrainable(g)                                  // UserError listing untrainable nodes
//   setMasks(t, new Map([[initializer, Uint8Array]]))                 // weight pruning, IR layout, 1 = keep
//   await train(t, dataset, { epochs, batchSize, learningRate, optimizer: 'adam' | 'sgd', loss?, seed?,
//                             validation?, onBatch?, onEpoch? })      → { epochs: [...], elapsedMs, loss }
//   await evaluate(t, dataset, { k? })  → { accuracy, topKAccuracy, k, loss, samples }
//   await predict(t, features)          → IR Tensor [count, ...output shape]
//   await weightGradients(t, dataset, { samples?, batchSize?, mode?: 'sum' | 'abs' }) → Map<initializer, IR Tensor>
//   toGraph(t)                          → the trained IR graph (same nodes, new initializers; verified)
//   dispose(t)
//   await loadTfjsLayersModel('dir/model.json') → Graph;  await saveTfjsLayersModel(g, dir)
//   createGraphTrainer(trainSet, opts) → { canTrain, fineTune, score, gradients, dispose }: graph in,
//     graph out (the Trainer shape of src/prune/trainer.ts), reusing the model between rounds
//
// Data: a Dataset (src/data/dataset.ts) with features in the IR input's layout (NCHW for images,
// any shape with the same number of values per sample), integer labels. The model permutes to
// channels-last inside, so callers never transpose. Losses: Softmax at the end → categorical
// cross-entropy on probabilities; logits → softmax cross-entropy; one output → MSE on the label
// (or on `targets`). BatchNormalization trains scale and B with its statistics frozen.

export { initTraining, trainingRuntime, type BackendChoice, type TrainingOptions, type TrainingRuntime } from './backend.js';
export { untrainableNodes, TRAINABLE_OPS, type Untrainable } from './ir-to-tfjs.js';
export { buildTrainable, setMasks, getMasks, optimizerSlots, disposeTrainable as dispose, Trainable, type OptimizerKind } from './trainable.js';
export {
  train,
  evaluate,
  predict,
  defaultLoss,
  type TrainOptions,
  type TrainResult,
  type TrainData,
  type EpochProgress,
  type BatchProgress,
  type Evaluation,
  type EvaluateOptions,
  type LossKind,
  learningRateAt,
  COSINE_FLOOR,
  type LearningRateSchedule,
} from './train.js';
export { weightGradients, type GradientOptions } from './gradients.js';
export { toGraph, IMPORTABLE_LAYERS } from './tfjs-to-ir.js';
export { loadTfjsLayersModel, saveTfjsLayersModel } from './tfjs-format.js';
export { createGraphTrainer, type GraphTrainer, type GraphTrainerOptions, type GraphTrainerProgress } from './graph-trainer.js';
