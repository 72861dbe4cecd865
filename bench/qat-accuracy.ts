// Issue-9 QAT figure on the bundled digits: a CNN trained like `edgeprune train --arch cnn`, pruned to 80% zero weights
// (src/prune/progressive.ts), then quantization-aware fine-tuned and converted to int8 (src/quant/qat.ts). Prints, per
// seed, the dense float, pruned float, pruned PTQ-only int8 and pruned QAT int8 test accuracies.
// Goal: the pruned QAT int8 model within 1.0 point of the dense float model.
//
//   make build && node dist/bench/qat-accuracy.js [--seeds 1,2] [--epochs 30] [--qat-epochs 5] [--qat-lr 1e-4] [--json]

import { readCsvDataset } from '../src/data/csv.js';
import type { Dataset } from '../src/data/dataset.js';
import { evaluateModel } from '../src/data/evaluate.js';
import { fitToModel } from '../src/data/fit-model.js';
import { splitDataset } from '../src/data/split.js';
import type { Graph } from '../src/ir/graph.js';
import { buildArchitecture, inputStatistics } from '../src/models/architectures.js';
import { pruneProgressively } from '../src/prune/progressive.js';
import { weightSparsity } from '../src/prune/weight-masks.js';
import { calibrationInputs } from '../src/quant/calibration-data.js';
import { DEFAULT_QAT_LEARNING_RATE, quantizeWithTraining } from '../src/quant/qat.js';
import { quantizeModel } from '../src/quant/quantize.js';
import { createGraphTrainer } from '../src/train/index.js';
import { repoPath } from '../src/util/package-root.js';

const GOAL_POINTS = 1.0;
const SPARSITY = 0.8;

interface Row {
  seed: number;
  dense: number;
  pruned: number;
  sparsity: number;
  ptq: number;
  qat: number;
  seconds: { train: number; prune: number; qat: number };
}

function option(args: string[], flag: string, fallback: string): string {
  const i = args.indexOf(flag);
  return i >= 0 ? args[i + 1] : fallback;
}

const accuracy = (g: Graph, test: Dataset) => evaluateModel(g, fitToModel(test, g)).accuracy!;
const since = (t: number) => (performance.now() - t) / 1000;

async function measure(data: Dataset, seed: number, epochs: number, qatEpochs: number, qatLr: number): Promise<Row> {
  const split = splitDataset(data, { validation: 0.15, test: 0.2 }, seed);
  const normalize = inputStatistics('cnn', split.train.features, split.train.count, split.train.featureShape);
  const initial = buildArchitecture('cnn', { sampleShape: split.train.featureShape, classes: 10, normalize, seed });
  const fitted = { train: fitToModel(split.train, initial), validation: fitToModel(split.validation, initial), test: fitToModel(split.test, initial) };
  const trainer = createGraphTrainer(fitted.train, { seed, learningRate: 3e-3 });
  let t = performance.now();
  let dense: Graph;
  let pruned: Graph;
  const seconds = { train: 0, prune: 0, qat: 0 };
  try {
    dense = await trainer.fineTune(initial, undefined, epochs);
    seconds.train = since(t);
    t = performance.now();
    // The prune command's defaults (polynomial schedule, 8 steps, 4 epochs a step, 5 at the end), with every step
    // accepted so that the model reaches 80% zero weights whatever it costs: the cost is what QAT must win back.
    const result = await pruneProgressively(dense, trainer, fitted, {
      sparsity: SPARSITY, structured: 0, criterion: 'l1', schedule: 'polynomial', steps: 8, maxDrop: 100, epochs: 4, finalEpochs: 5,
      scope: 'global', alpha: 1, order: 'weight-first', retries: 0, recoveryRounds: 0, seed,
    });
    pruned = result.graph;
    seconds.prune = since(t);
  } finally {
    trainer.dispose();
  }
  const feeds = calibrationInputs(pruned, split.train);
  const ptq = quantizeModel(pruned, feeds).graph;
  t = performance.now();
  const qat = await quantizeWithTraining(pruned, split.train, { epochs: qatEpochs, learningRate: qatLr, seed });
  seconds.qat = since(t);
  return {
    seed,
    dense: accuracy(dense, split.test),
    pruned: accuracy(pruned, split.test),
    sparsity: weightSparsity(pruned),
    ptq: accuracy(ptq, split.test),
    qat: accuracy(qat.graph, split.test),
    seconds,
  };
}

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
const signed = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(2)}`;

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const seeds = option(args, '--seeds', '1,2').split(',').map(Number);
  const epochs = Number(option(args, '--epochs', '30'));
  const qatEpochs = Number(option(args, '--qat-epochs', '5'));
  const qatLr = Number(option(args, '--qat-lr', String(DEFAULT_QAT_LEARNING_RATE)));
  const json = args.includes('--json');
  const data = readCsvDataset(repoPath('examples/digits/digits.csv.gz'));
  if (!json) console.log(`digits CNN, test split (20%): dense float → pruned to ${SPARSITY * 100}% zero weights → int8 by PTQ alone, and by ${qatEpochs} QAT epochs (lr ${qatLr}); points vs dense float`);
  const rows: Row[] = [];
  for (const seed of seeds) {
    const r = await measure(data, seed, epochs, qatEpochs, qatLr);
    rows.push(r);
    if (!json) {
      const pts = (x: number) => signed((x - r.dense) * 100);
      console.log(
        `seed ${r.seed}: dense float ${pct(r.dense)} · pruned float ${pct(r.pruned)} (${pts(r.pruned)}, sparsity ${pct(r.sparsity)}) · ` +
          `pruned PTQ int8 ${pct(r.ptq)} (${pts(r.ptq)}) · pruned QAT int8 ${pct(r.qat)} (${pts(r.qat)}) · ` +
          `train ${r.seconds.train.toFixed(0)} s, prune ${r.seconds.prune.toFixed(0)} s, QAT ${r.seconds.qat.toFixed(0)} s`,
      );
    }
  }
  if (json) {
    console.log(JSON.stringify(rows, null, 2));
    return;
  }
  const worst = Math.max(...rows.map((r) => (r.dense - r.qat) * 100));
  console.log(`worst drop of pruned QAT int8 vs dense float: ${worst.toFixed(2)} points (goal <= ${GOAL_POINTS}: ${worst <= GOAL_POINTS ? 'met' : 'NOT met'})`);
}

await main();
