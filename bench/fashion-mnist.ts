// Fashion-MNIST at MCU scale (issue 12 §2): trains `mnist-cnn` and `ds-cnn` on a subset of the 60,000 training images
// and prints, per model, MACs, parameters, training samples, test accuracy on the t10k images and wall time.
//
//   make build && node dist/bench/fashion-mnist.js [--train-samples 6000] [--test-samples 10000] [--epochs 5]
//       [--seed 0] [--arch mnist-cnn,ds-cnn] [--data /usr/share/datasets/fashion-mnist] [--json]
//
// Exit 2 (with what to install) when the data set is not there: `make setup` as root installs Debian's dataset-fashion-mnist.

import { parseArgs } from 'node:util';
import { modelStats } from '../src/analysis/model-stats.js';
import { parseNumber } from '../src/cli/options.js';
import { fitToModel } from '../src/data/fit-model.js';
import { UserError } from '../src/errors.js';
import { ARCHITECTURES, buildArchitecture, inputStatistics, type Architecture } from '../src/models/architectures.js';
import { createGraphTrainer, trainingRuntime } from '../src/train/index.js';
import { FASHION_MNIST_DIR, loadFashionMnist } from './fashion-mnist-data.js';

/** Learning rate and batch size of `edgeprune train`'s defaults. */
const LEARNING_RATE = 3e-3;
const BATCH_SIZE = 32;

interface Row {
  arch: Architecture;
  macs: number;
  params: number;
  trainSamples: number;
  testSamples: number;
  epochs: number;
  seed: number;
  testAccuracy: number;
  trainSeconds: number;
  wallSeconds: number;
}

function options() {
  const { values } = parseArgs({
    options: {
      'train-samples': { type: 'string', default: '6000' },
      'test-samples': { type: 'string', default: '10000' },
      epochs: { type: 'string', default: '5' },
      seed: { type: 'string', default: '0' },
      arch: { type: 'string', default: 'mnist-cnn,ds-cnn' },
      data: { type: 'string', default: FASHION_MNIST_DIR },
      json: { type: 'boolean', default: false },
    },
  });
  const int = (flag: string, v: string, max: number) => parseNumber(flag, v, { min: 1, max, integer: true });
  const archs = values.arch.split(',').map((a) => a.trim());
  const unknown = archs.find((a) => !(ARCHITECTURES as readonly string[]).includes(a) || a === 'mlp' || a === 'cnn');
  if (unknown !== undefined) throw new UserError(`--arch: '${unknown}' is not one of mnist-cnn, ds-cnn`);
  return {
    trainSamples: int('--train-samples', values['train-samples'], 60_000),
    testSamples: int('--test-samples', values['test-samples'], 10_000),
    epochs: int('--epochs', values.epochs, 1000),
    seed: parseNumber('--seed', values.seed, { min: 0, max: 0xffffffff, integer: true }),
    archs: archs as Architecture[],
    dir: values.data,
    json: values.json,
  };
}

async function run(arch: Architecture, o: ReturnType<typeof options>, data: ReturnType<typeof loadFashionMnist>): Promise<Row> {
  const started = performance.now();
  const { train, test } = data;
  const normalize = inputStatistics(arch, train.features, train.count, train.featureShape);
  const initial = buildArchitecture(arch, { sampleShape: train.featureShape, classes: train.classes, normalize, seed: o.seed });
  const trainer = createGraphTrainer(fitToModel(train, initial), { seed: o.seed, learningRate: LEARNING_RATE, batchSize: BATCH_SIZE });
  try {
    const t0 = performance.now();
    const trained = await trainer.fineTune(initial, undefined, o.epochs);
    const trainSeconds = (performance.now() - t0) / 1000;
    const testAccuracy = await trainer.score(trained, fitToModel(test, trained));
    const stats = modelStats(trained).totals;
    return {
      arch, macs: stats.macs, params: stats.params, trainSamples: train.count, testSamples: test.count, epochs: o.epochs, seed: o.seed,
      testAccuracy, trainSeconds, wallSeconds: (performance.now() - started) / 1000,
    };
  } finally {
    trainer.dispose();
  }
}

async function main(): Promise<void> {
  const o = options();
  const data = loadFashionMnist({ trainSamples: o.trainSamples, testSamples: o.testSamples, seed: o.seed, dir: o.dir });
  const rows: Row[] = [];
  for (const arch of o.archs) {
    const row = await run(arch, o, data);
    rows.push(row);
    if (!o.json) {
      console.log(`${arch}: ${row.macs.toLocaleString('en-US')} MACs, ${row.params.toLocaleString('en-US')} parameters · ${row.trainSamples.toLocaleString('en-US')} training samples, ${row.epochs} epoch${row.epochs === 1 ? '' : 's'}, seed ${row.seed} · test accuracy ${(row.testAccuracy * 100).toFixed(2)}% on ${row.testSamples.toLocaleString('en-US')} t10k images · training ${row.trainSeconds.toFixed(1)} s, wall ${row.wallSeconds.toFixed(1)} s`);
    }
  }
  const runtime = trainingRuntime();
  if (o.json) console.log(JSON.stringify({ data: o.dir, backend: runtime?.tfBackend ?? null, rows }, null, 2));
  else console.log(`(TF.js backend: ${runtime?.tfBackend ?? 'unknown'}; data: ${o.dir})`);
}

try {
  await main();
} catch (e) {
  if (!(e instanceof UserError)) throw e;
  process.stderr.write(`fashion-mnist: ${e.message}${e.hint ? `\n  ${e.hint}` : ''}\n`);
  process.exitCode = 2;
}
