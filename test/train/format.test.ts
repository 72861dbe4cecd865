// TF.js layers model files: IR → model.json round trips, Keras-style channels-last models load into the IR, errors name the file and layer.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '../../src/train/tf.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import type { Graph } from '../../src/ir/graph.js';
import { verifyProblems } from '../../src/ir/verify.js';
import { residualCnn } from '../../src/models/sample-models.js';
import { buildTrainable, dispose, initTraining, loadTfjsLayersModel, predict, saveTfjsLayersModel, toGraph, train } from '../../src/train/index.js';
import { concatResidualCnn, depthwiseCnn, digitsCnn, digitsSplit, interpret, maxAbsDiff, nhwcMatMulModel, randomInputs } from './helpers.js';

let dir: string;
beforeAll(async () => {
  await initTraining({ seed: 1 });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeprune-tfjs-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Save a TF.js layers model as files (model.json + one shard), the way the file:// handler of tfjs-node would. */
async function saveKeras(model: tf.LayersModel, to: string): Promise<string> {
  fs.mkdirSync(to, { recursive: true });
  await model.save({
    save: async (a: tf.io.ModelArtifacts) => {
      const json = { modelTopology: a.modelTopology, format: a.format, generatedBy: a.generatedBy, convertedBy: null, weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }] };
      fs.writeFileSync(path.join(to, 'model.json'), JSON.stringify(json));
      fs.writeFileSync(path.join(to, 'weights.bin'), Buffer.from(tf.io.CompositeArrayBuffer.join(a.weightData!)));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    },
  });
  return path.join(to, 'model.json');
}

/** Load model files with tf.loadLayersModel, straight from memory. */
async function tfLoad(modelJson: string): Promise<tf.LayersModel> {
  const json = JSON.parse(fs.readFileSync(modelJson, 'utf8'));
  const bin = fs.readFileSync(path.join(path.dirname(modelJson), json.weightsManifest[0].paths[0]));
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights, weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength) }));
}

function tfPredict(model: tf.LayersModel, g: Graph, x: Float32Array): Float32Array {
  return tf.tidy(() => {
    const shape = (g.inputs[0].shape as number[]).slice(1);
    const y = model.predict(tf.tensor(x, [x.length / shape.reduce((a, b) => a * b, 1), ...shape])) as tf.Tensor;
    return y.dataSync() as Float32Array;
  });
}

describe('IR → TF.js model files → IR', () => {
  const cases: [string, () => Graph][] = [
    ['residual CNN', () => residualCnn()],
    ['Concat/BN/residual CNN', () => concatResidualCnn()],
    ['depthwise CNN', () => depthwiseCnn()],
    ['NHWC input with MatMul + Add', () => nhwcMatMulModel()],
  ];
  for (const [name, make] of cases) {
    it(`${name}: same predictions through tf.loadLayersModel and loadTfjsLayersModel`, async () => {
      const g = make();
      const out = path.join(dir, name.replace(/\W+/g, '_'));
      const { modelJson, weights } = await saveTfjsLayersModel(g, out);
      expect(path.basename(weights)).toBe('group1-shard1of1.bin');
      const x = randomInputs(g, 5);
      const want = interpret(g, x);
      const model = await tfLoad(modelJson);
      expect(maxAbsDiff(tfPredict(model, g, x), want)).toBeLessThanOrEqual(1e-4);
      model.dispose();
      const back = await loadTfjsLayersModel(modelJson);
      expect(verifyProblems(back)).toEqual([]);
      expect(back.inputs[0].shape).toEqual(g.inputs[0].shape);
      expect(maxAbsDiff(interpret(back, x), want)).toBeLessThanOrEqual(1e-4);
      // The layout permutations cancel: the IR comes back without Transposes it did not have.
      const transposes = (h: Graph) => h.nodes.filter((n) => n.opType === 'Transpose').length;
      expect(transposes(back)).toBe(transposes(g));
    });
  }

  it('a fine-tuned model saves and loads with its trained weights', async () => {
    const { train: ds } = digitsSplit();
    const t = await buildTrainable(digitsCnn());
    await train(t, ds, { epochs: 1, seed: 1 });
    const trained = toGraph(t);
    const { modelJson } = await saveTfjsLayersModel(trained, path.join(dir, 'trained'));
    const back = await loadTfjsLayersModel(modelJson);
    const x = ds.features.slice(0, 64 * 8);
    expect(maxAbsDiff(interpret(back, x), (await predict(t, x)).data as Float32Array)).toBeLessThanOrEqual(1e-4);
    dispose(t);
  });
});

describe('Keras-style channels-last models', () => {
  it('Conv2D same + MaxPooling2D + Flatten + Dense: the interpreter predicts what TF.js does, on NHWC input', async () => {
    const input = tf.input({ shape: [8, 8, 1] });
    let y = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', name: 'conv' }).apply(input) as tf.SymbolicTensor;
    y = tf.layers.maxPooling2d({ poolSize: 2, name: 'pool' }).apply(y) as tf.SymbolicTensor;
    y = tf.layers.flatten({ name: 'flatten' }).apply(y) as tf.SymbolicTensor;
    y = tf.layers.dense({ units: 10, activation: 'softmax', name: 'dense' }).apply(y) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: y, name: 'keras_cnn' });
    const modelJson = await saveKeras(model, path.join(dir, 'keras_cnn'));
    const g = await loadTfjsLayersModel(modelJson);
    expect(g.inputs[0].shape).toEqual([1, 8, 8, 1]);
    expect(g.nodes.map((n) => n.opType)).toEqual(['Transpose', 'Conv', 'Relu', 'MaxPool', 'Transpose', 'Flatten', 'Gemm', 'Softmax']);
    const x = randomInputs(g, 6);
    expect(maxAbsDiff(interpret(g, x), tfPredict(model, g, x))).toBeLessThanOrEqual(1e-4);
    // And the imported graph trains through the bridge, predicting the same.
    const t = await buildTrainable(g);
    expect(maxAbsDiff((await predict(t, x)).data as Float32Array, tfPredict(model, g, x))).toBeLessThanOrEqual(1e-4);
    dispose(t);
    model.dispose();
  });

  it('padding, strides, BatchNorm, ReLU6, depthwise, Add, Concatenate, global pooling', async () => {
    const input = tf.input({ shape: [9, 9, 3] });
    let x = tf.layers.zeroPadding2d({ padding: [[1, 0], [0, 2]] }).apply(input) as tf.SymbolicTensor;
    x = tf.layers.conv2d({ filters: 6, kernelSize: 3, strides: 2, padding: 'valid' }).apply(x) as tf.SymbolicTensor;
    const bn = tf.layers.batchNormalization({ axis: -1 });
    x = bn.apply(x) as tf.SymbolicTensor;
    x = tf.layers.reLU({ maxValue: 6 }).apply(x) as tf.SymbolicTensor;
    const a = tf.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same', depthMultiplier: 2 }).apply(x) as tf.SymbolicTensor;
    const b = tf.layers.conv2d({ filters: 12, kernelSize: 1, activation: 'tanh' }).apply(x) as tf.SymbolicTensor;
    const sum = tf.layers.add().apply([a, b]) as tf.SymbolicTensor;
    const cat = tf.layers.concatenate({ axis: -1 }).apply([sum, x]) as tf.SymbolicTensor;
    const pooled = tf.layers.averagePooling2d({ poolSize: 2, strides: 1, padding: 'same' }).apply(cat) as tf.SymbolicTensor;
    const gap = tf.layers.globalAveragePooling2d({}).apply(pooled) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 4, activation: 'softmax' }).apply(tf.layers.leakyReLU({ alpha: 0.2 }).apply(gap) as tf.SymbolicTensor) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out });
    // Non-trivial BatchNorm statistics.
    bn.setWeights([tf.randomUniform([6], 0.5, 1.5), tf.randomUniform([6], -0.3, 0.3), tf.randomUniform([6], -0.3, 0.3), tf.randomUniform([6], 0.5, 2)]);
    const modelJson = await saveKeras(model, path.join(dir, 'keras_mix'));
    const g = await loadTfjsLayersModel(modelJson);
    expect(verifyProblems(g)).toEqual([]);
    const x2 = randomInputs(g, 4);
    expect(maxAbsDiff(interpret(g, x2), tfPredict(model, g, x2))).toBeLessThanOrEqual(1e-4);
    model.dispose();
  });
});

describe('Sequential models', () => {
  it('an MLP with Dropout loads (Dropout is the identity at inference)', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ units: 16, activation: 'relu', inputShape: [12] }),
        tf.layers.dropout({ rate: 0.3 }),
        tf.layers.dense({ units: 8, activation: 'sigmoid' }),
        tf.layers.dense({ units: 3, activation: 'softmax' }),
      ],
    });
    const g = await loadTfjsLayersModel(await saveKeras(model, path.join(dir, 'sequential')));
    expect(g.inputs[0].shape).toEqual([1, 12]);
    expect(g.nodes.map((n) => n.opType)).toEqual(['Gemm', 'Relu', 'Gemm', 'Sigmoid', 'Gemm', 'Softmax']);
    const x = randomInputs(g, 5);
    expect(maxAbsDiff(interpret(g, x), tfPredict(model, g, x))).toBeLessThanOrEqual(1e-5);
    model.dispose();
  });
});

describe('errors name the file and the layer', () => {
  let good: string;
  beforeAll(async () => {
    good = (await saveTfjsLayersModel(residualCnn(), path.join(dir, 'errors_base'))).modelJson;
  });
  const copyTo = (name: string) => {
    const to = path.join(dir, name);
    fs.cpSync(path.dirname(good), to, { recursive: true });
    return path.join(to, 'model.json');
  };
  it('a missing model.json', async () => {
    await expect(loadTfjsLayersModel(path.join(dir, 'nope', 'model.json'))).rejects.toThrow(/cannot read TF.js model '.*nope\/model.json'/);
  });
  it('corrupt JSON', async () => {
    const file = copyTo('corrupt');
    fs.writeFileSync(file, '{"modelTopology": {');
    const err = await loadTfjsLayersModel(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toMatch(/TF.js model '.*corrupt\/model.json' is not valid JSON/);
  });
  it('a missing weight shard', async () => {
    const file = copyTo('noshard');
    fs.rmSync(path.join(path.dirname(file), 'group1-shard1of1.bin'));
    await expect(loadTfjsLayersModel(file)).rejects.toThrow(/noshard\/model.json': weight shard '.*group1-shard1of1.bin' is missing/);
  });
  it('a truncated weight shard', async () => {
    const file = copyTo('truncated');
    const bin = path.join(path.dirname(file), 'group1-shard1of1.bin');
    fs.writeFileSync(bin, fs.readFileSync(bin).subarray(0, 100));
    await expect(loadTfjsLayersModel(file)).rejects.toThrow(/truncated\/model.json': weight shards hold 100 bytes/);
  });
  it('an unsupported layer class', async () => {
    const input = tf.input({ shape: [4, 4, 2] });
    const up = tf.layers.upSampling2d({ size: [2, 2], name: 'upsample' }).apply(input) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: tf.layers.flatten().apply(up) as tf.SymbolicTensor });
    const file = await saveKeras(model, path.join(dir, 'upsampling'));
    const err = await loadTfjsLayersModel(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toMatch(/TF.js model '.*upsampling\/model.json': unsupported layer 'upsample' \(UpSampling2D\)/);
    model.dispose();
  });
});
