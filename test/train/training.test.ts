// Training through TF.js: accuracy on the digits, determinism, masks, memory, and the trained graph back in the IR.
import * as tf from '../../src/train/tf.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { digitsMlp } from '../../src/models/sample-models.js';
import { verifyProblems } from '../../src/ir/verify.js';
import { buildTrainable, dispose, evaluate, initTraining, optimizerSlots, predict, setMasks, toGraph, train, weightGradients, type Trainable } from '../../src/train/index.js';
import type { TrainResult } from '../../src/train/train.js';
import { digitsCnn, digitsSplit, interpret, maxAbsDiff } from './helpers.js';

const { train: trainSet, test: testSet } = digitsSplit();

beforeAll(async () => {
  await initTraining({ seed: 1 });
});

/**
 * The digits CNN trained 10 epochs (seed 1, batch 32, lr 3e-3, validated on the test split each epoch), once for the
 * file: the CNN accuracy test reads it, then the progressive pruning run prunes it (the last to use it; it disposes
 * it). Trained twice before (12 epochs, then 10 for the pruning run): 5 CPU-s saved.
 */
let cnn: Promise<{ t: Trainable; first: TrainResult; epochMs: number[] }> | undefined;
const trainedCnn = () =>
  (cnn ??= (async () => {
    const t = await buildTrainable(digitsCnn());
    const epochMs: number[] = [];
    const first = await train(t, trainSet, { epochs: 10, batchSize: 32, learningRate: 3e-3, seed: 1, validation: testSet, onEpoch: (p) => void epochMs.push(p.epochMs) });
    return { t, first, epochMs };
  })());

describe('training on the digits', () => {
  it('the digits MLP reaches >= 0.93 test accuracy', async () => {
    const t = await buildTrainable(digitsMlp());
    const epochMs: number[] = [];
    const r = await train(t, trainSet, { epochs: 20, batchSize: 32, learningRate: 3e-3, seed: 1, onEpoch: (p) => void epochMs.push(p.epochMs) });
    const ev = await evaluate(t, testSet, { k: 3 });
    console.log(`digits MLP: ${trainSet.count} samples, epochs ${epochMs.map((m) => m.toFixed(0)).join(' ')} ms; test accuracy ${ev.accuracy.toFixed(3)}, top-3 ${ev.topKAccuracy.toFixed(3)}, loss ${ev.loss.toFixed(3)}`);
    expect(r.loss).toBe('crossentropy');
    expect(ev.accuracy).toBeGreaterThanOrEqual(0.93);
    expect(ev.topKAccuracy).toBeGreaterThanOrEqual(ev.accuracy);
    expect(ev.samples).toBe(testSet.count);
    dispose(t);
  });

  it('the digits CNN reaches >= 0.93 test accuracy (epoch time: bench/training-speed.ts)', async () => {
    const { t, first: r, epochMs } = await trainedCnn();
    const ev = await evaluate(t, testSet);
    console.log(`digits CNN: epochs ${epochMs.map((m) => m.toFixed(0)).join(' ')} ms; test accuracy ${ev.accuracy.toFixed(3)}, loss ${ev.loss.toFixed(3)}`);
    expect(r.loss).toBe('softmax-crossentropy');
    expect(ev.accuracy).toBeGreaterThanOrEqual(0.93);
    // The trained graph is valid IR and the interpreter agrees with TF.js.
    const g = toGraph(t);
    expect(verifyProblems(g)).toEqual([]);
    const x = testSet.features.slice(0, 64 * 20);
    expect(maxAbsDiff((await predict(t, x)).data as Float32Array, interpret(g, x))).toBeLessThanOrEqual(1e-4);
  });
});

/** Every initializer of a graph as plain arrays, for exact comparison. */
function weightsOf(g: ReturnType<typeof toGraph>): Record<string, number[]> {
  return Object.fromEntries([...g.initializers].map(([k, v]) => [k, Array.from(v.data as Float32Array)]));
}

describe('regression', () => {
  it('one output trains with MSE on targets (here: ten times each image’s mean intensity)', async () => {
    const { ModelKit } = await import('./helpers.js');
    const k = new ModelKit('regressor', 3);
    const x = k.b.op('Relu', [k.gemm(k.b.input('input', 'float32', [1, 64]), 'fc1', 64, 16)], {}, 'relu');
    k.b.output(k.gemm(x, 'fc2', 16, 1));
    const t = await buildTrainable(k.b.build());
    const targets = Float32Array.from({ length: trainSet.count }, (_, i) => trainSet.features.subarray(i * 64, (i + 1) * 64).reduce((a, v) => a + v, 0) / 6.4);
    const data = { ...trainSet, targets };
    const mean = targets.reduce((a, v) => a + v, 0) / targets.length;
    const variance = targets.reduce((a, v) => a + (v - mean) ** 2, 0) / targets.length;
    const r = await train(t, data, { epochs: 15, learningRate: 3e-3, seed: 1 });
    expect(r.loss).toBe('mse');
    const mse = (await evaluate(t, data)).loss;
    console.log(`regression: target variance ${variance.toExponential(2)}, epoch losses ${r.epochs[0].loss.toExponential(2)} → ${r.epochs[14].loss.toExponential(2)}, final MSE ${mse.toExponential(2)}`);
    expect(mse).toBeLessThan(variance / 10);
    dispose(t);
  });
});

describe('determinism, masks and memory', () => {
  it('the same seed gives identical weights; another seed does not', async () => {
    const run = async (seed: number) => {
      const t = await buildTrainable(digitsCnn());
      await train(t, trainSet, { epochs: 2, batchSize: 32, learningRate: 3e-3, seed });
      const w = weightsOf(toGraph(t));
      dispose(t);
      return w;
    };
    const a = await run(5);
    const b = await run(5);
    const c = await run(6);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it('masked weights stay exactly zero and their Adam moments are zero', async () => {
    const t = await buildTrainable(digitsCnn());
    // Train unmasked first, so that Adam's moments are non-zero everywhere.
    await train(t, trainSet, { epochs: 2, learningRate: 3e-3, seed: 1 });
    const masks = new Map<string, Uint8Array>();
    let seed = 1;
    for (const name of ['conv2.weight', 'fc.weight', 'conv1.bias']) {
      const size = toGraph(t).initializers.get(name)!.size;
      masks.set(name, Uint8Array.from({ length: size }, () => ((seed = (seed * 1103515245 + 12345) % 2147483648) % 3 === 0 ? 0 : 1)));
    }
    const checkZero = () => {
      const g = toGraph(t);
      for (const [name, mask] of masks) {
        const w = g.initializers.get(name)!.data as Float32Array;
        const slots = optimizerSlots(t, name);
        expect([...slots.keys()].sort()).toEqual(['m', 'v']);
        mask.forEach((keep, i) => {
          if (keep) return;
          expect(w[i]).toBe(0);
          for (const s of slots.values()) expect((s.data as Float32Array)[i]).toBe(0);
        });
        // Unmasked weights keep training.
        expect(w.some((v, i) => mask[i] === 1 && v !== 0)).toBe(true);
      }
    };
    setMasks(t, masks);
    checkZero();
    const tensorsPerEpoch: number[] = [];
    await train(t, trainSet, { epochs: 3, learningRate: 3e-3, seed: 2, onEpoch: () => void tensorsPerEpoch.push(tf.memory().numTensors) });
    checkZero();
    // No tensors leak from one epoch to the next.
    expect(new Set(tensorsPerEpoch).size).toBe(1);
    const ev = await evaluate(t, testSet);
    expect(ev.accuracy).toBeGreaterThan(0.9);
    // Removing the masks lets the weights move again.
    setMasks(t, new Map());
    await train(t, trainSet, { epochs: 1, seed: 3 });
    const w = toGraph(t).initializers.get('conv2.weight')!.data as Float32Array;
    expect(masks.get('conv2.weight')!.some((keep, i) => !keep && w[i] !== 0)).toBe(true);
    dispose(t);
  });

  it('refuses masks of unknown parameters, statistics, or the wrong size', async () => {
    const t = await buildTrainable(digitsCnn());
    expect(() => setMasks(t, new Map([['nope', new Uint8Array(3)]]))).toThrow(/mask for 'nope': not a trained parameter/);
    expect(() => setMasks(t, new Map([['conv1.weight', new Uint8Array(3)]]))).toThrow(/has 3 entries; the parameter 8x1x3x3 has 72/);
    dispose(t);
  });

  it('builds, trains and disposes without leaking tensors', async () => {
    const before = tf.memory().numTensors;
    const t = await buildTrainable(digitsCnn());
    await train(t, trainSet, { epochs: 1, seed: 1 });
    setMasks(t, new Map([['fc.weight', new Uint8Array(2560).fill(1)]]));
    await evaluate(t, testSet);
    await predict(t, testSet.features.slice(0, 640));
    toGraph(t);
    dispose(t);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('a progressive pruning run (its time: bench/training-speed.ts)', () => {
  it('prunes the digits CNN by weight magnitude in 6 steps, fine-tuning between them, and keeps its accuracy', async () => {
    // Starts from the trained CNN of the accuracy test above (its 10 epochs are this run's first phase).
    const { t, first } = await trainedCnn();
    const log: string[] = [];
    expect(first.epochs).toHaveLength(10);
    expect(first.epochs[9].validation!.accuracy).toBeGreaterThan(0.93);
    const prunable = ['conv1.weight', 'conv2.weight', 'fc.weight'];
    let batches = 0;
    for (let stepNo = 1; stepNo <= 6; stepNo++) {
      const sparsity = 0.12 * stepNo; // up to 72% of the weights
      const g = toGraph(t);
      // First-order Taylor scores |w · dL/dw| from 256 samples, then a global threshold.
      const grads = await weightGradients(t, trainSet, { samples: 256, batchSize: 64 });
      const scores = prunable.flatMap((name) => {
        const w = g.initializers.get(name)!.data as Float32Array;
        const d = grads.get(name)!.data as Float32Array;
        return Array.from(w, (v, i) => Math.abs(v * d[i]) + 1e-3 * Math.abs(v));
      });
      const threshold = [...scores].sort((a, b) => a - b)[Math.floor(sparsity * scores.length)];
      let offset = 0;
      const masks = new Map<string, Uint8Array>();
      for (const name of prunable) {
        const size = g.initializers.get(name)!.size;
        masks.set(name, Uint8Array.from({ length: size }, (_, i) => (scores[offset + i] < threshold ? 0 : 1)));
        offset += size;
      }
      setMasks(t, masks);
      const r = await train(t, trainSet, { epochs: 2, learningRate: 1e-3, seed: 100 + stepNo, onBatch: () => void batches++ });
      const ev = await evaluate(t, testSet);
      const zeros = prunable.reduce((n, name) => n + Array.from(toGraph(t).initializers.get(name)!.data as Float32Array).filter((v) => v === 0).length, 0);
      log.push(`step ${stepNo}: ${(zeros / scores.length * 100).toFixed(0)}% zeros, loss ${r.epochs[1].loss.toFixed(3)}, accuracy ${ev.accuracy.toFixed(3)}`);
      expect(zeros / scores.length).toBeGreaterThanOrEqual(sparsity - 0.01);
      expect(ev.accuracy).toBeGreaterThan(0.9);
    }
    expect(batches).toBe(6 * 2 * Math.ceil(trainSet.count / 32));
    console.log(`progressive pruning run:\n  ${log.join('\n  ')}`);
    dispose(t);
  });
});

describe('createGraphTrainer (graph in, graph out)', () => {
  it('fine-tunes under masks, scores, gives gradients, and reuses the model for the graph it returned', async () => {
    const { createGraphTrainer } = await import('../../src/train/index.js');
    const trainer = createGraphTrainer(trainSet, { seed: 4, learningRate: 3e-3 });
    const g0 = digitsCnn();
    expect(trainer.canTrain(g0)).toEqual({ ok: true });
    const progress: number[] = [];
    const g1 = await trainer.fineTune(g0, undefined, 3, (p) => void progress.push(p.epoch));
    expect(progress).toHaveLength(3 * Math.ceil(trainSet.count / 32));
    expect(await trainer.score(g1, testSet)).toBeGreaterThan(0.93);
    const mask = Uint8Array.from({ length: 2560 }, (_, i) => i % 2);
    const g2 = await trainer.fineTune(g1, new Map([['fc.weight', mask]]), 1);
    const w = g2.initializers.get('fc.weight')!.data as Float32Array;
    mask.forEach((keep, i) => keep || expect(w[i]).toBe(0));
    expect(g0.initializers.get('fc.weight')).not.toBe(g2.initializers.get('fc.weight'));
    const grads = await trainer.gradients(g2, 128);
    expect(grads.get('conv2.weight')!.shape).toEqual([16, 8, 3, 3]);
    // Per-batch gradients add up to the gradient of the summed loss.
    const batches = await trainer.batchGradients(g2, 128, 32);
    expect(batches).toHaveLength(4);
    for (const name of ['conv2.weight', 'fc.bias']) {
      const total = grads.get(name)!.data as Float32Array;
      const sum = new Float32Array(total.length);
      for (const b of batches) (b.get(name)!.data as Float32Array).forEach((v, i) => (sum[i] += v));
      const scale = Math.max(...Array.from(total, Math.abs));
      sum.forEach((v, i) => expect(Math.abs(v - total[i]), name).toBeLessThan(1e-4 * scale + 1e-6));
    }
    const { ModelKit } = await import('./helpers.js');
    const k = new ModelKit('log_softmax_mlp', 1);
    k.b.output(k.b.op('LogSoftmax', [k.gemm(k.b.input('input', 'float32', [1, 64]), 'fc', 64, 10)], {}, 'log_probs'));
    expect(trainer.canTrain(k.b.build())).toEqual({ ok: false, reason: "the training bridge cannot train: node 'log_probs' (LogSoftmax): no TF.js layer for LogSoftmax" });
    trainer.dispose();
  });
});
