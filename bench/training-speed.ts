// Training-bridge speed on the digits (the goals the training tests used to assert with wall-clock limits):
// the median epoch of the digits CNN (goal < 1 s) and a six-step prune / fine-tune run (goal <= 30 s), and the
// cost model's prediction time (goal < 25 ms per prediction, fast enough for the build search).
//
//   npx tsc -p . && node dist/bench/training-speed.js [--json]

import { readCsvDataset } from '../src/data/csv.js';
import { splitDataset } from '../src/data/split.js';
import { buildCnn } from '../src/models/architectures.js';
import { digitsMlp, mnistLikeCnn, residualCnn } from '../src/models/sample-models.js';
import { predictCost } from '../src/cost/predict.js';
import { findMcuTarget } from '../src/targets/load-targets.js';
import { buildTrainable, dispose, evaluate, initTraining, setMasks, toGraph, train } from '../src/train/index.js';
import { repoPath } from '../src/util/package-root.js';
import { isMain } from './kernels/bench-lib.js';

const GOAL_EPOCH_MS = 1000;
const GOAL_PRUNE_RUN_S = 30;
const GOAL_PREDICTION_MS = 25;

export interface TrainingSpeed {
  medianEpochMs: number;
  epochMs: number[];
  testAccuracy: number;
  pruneRunSeconds: number;
  pruneRunAccuracy: number;
  predictionMs: number;
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

export async function measureTrainingSpeed(): Promise<TrainingSpeed> {
  await initTraining({ seed: 1 });
  const ds = readCsvDataset(repoPath('examples/digits/digits.csv.gz'));
  for (let i = 0; i < ds.features.length; i++) ds.features[i] /= 16;
  const { train: trainSet, test: testSet } = splitDataset(ds, { validation: 0, test: 0.2 }, 7);
  const cnn = () => buildCnn({ sampleShape: [1, 8, 8], classes: 10, seed: 1 });

  const t = await buildTrainable(cnn());
  const epochMs: number[] = [];
  await train(t, trainSet, { epochs: 12, batchSize: 32, learningRate: 3e-3, seed: 1, onEpoch: (p) => void epochMs.push(p.epochMs) });
  const testAccuracy = (await evaluate(t, testSet)).accuracy;
  dispose(t);

  // Six magnitude-pruning steps of 12% each, two fine-tuning epochs after each (as the prune loop does).
  const started = performance.now();
  const p = await buildTrainable(cnn());
  await train(p, trainSet, { epochs: 10, learningRate: 3e-3, seed: 1 });
  const prunable = ['conv1.weight', 'conv2.weight', 'fc1.weight', 'logits.weight'];
  for (let step = 1; step <= 6; step++) {
    const g = toGraph(p);
    const masks = new Map<string, Uint8Array>();
    for (const name of prunable) {
      const w = g.initializers.get(name)!.data as Float32Array;
      const threshold = [...w].map(Math.abs).sort((a, b) => a - b)[Math.floor(0.12 * step * w.length)];
      masks.set(name, Uint8Array.from(w, (v) => (Math.abs(v) < threshold ? 0 : 1)));
    }
    setMasks(p, masks);
    await train(p, trainSet, { epochs: 2, learningRate: 1e-3, seed: 100 + step });
  }
  const pruneRunAccuracy = (await evaluate(p, testSet)).accuracy;
  dispose(p);
  const pruneRunSeconds = (performance.now() - started) / 1000;

  const target = findMcuTarget('mps2-an386');
  const graphs = [digitsMlp(), mnistLikeCnn(), residualCnn(), cnn()];
  const rounds = 5;
  const t0 = performance.now();
  for (let r = 0; r < rounds; r++) for (const g of graphs) predictCost(g, target);
  const predictionMs = (performance.now() - t0) / (rounds * graphs.length);
  return { medianEpochMs: median(epochMs), epochMs, testAccuracy, pruneRunSeconds, pruneRunAccuracy, predictionMs };
}

if (isMain(import.meta.url)) {
  const r = await measureTrainingSpeed();
  if (process.argv.includes('--json')) console.log(JSON.stringify(r, null, 2));
  else {
    const mark = (ok: boolean) => (ok ? 'meets' : 'MISSES');
    console.log(`digits CNN epoch: median ${r.medianEpochMs.toFixed(0)} ms (${r.epochMs.map((m) => m.toFixed(0)).join(' ')}), test accuracy ${r.testAccuracy.toFixed(3)}; ${mark(r.medianEpochMs < GOAL_EPOCH_MS)} the goal < ${GOAL_EPOCH_MS} ms`);
    console.log(`six-step prune / fine-tune run: ${r.pruneRunSeconds.toFixed(1)} s, test accuracy ${r.pruneRunAccuracy.toFixed(3)}; ${mark(r.pruneRunSeconds <= GOAL_PRUNE_RUN_S)} the goal <= ${GOAL_PRUNE_RUN_S} s`);
    console.log(`cost prediction: ${r.predictionMs.toFixed(2)} ms each; ${mark(r.predictionMs < GOAL_PREDICTION_MS)} the goal < ${GOAL_PREDICTION_MS} ms`);
  }
}
