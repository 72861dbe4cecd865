// `edgeprune train <data> --arch mlp|cnn|mnist-cnn|ds-cnn --out model.onnx`: train a small model from scratch (so examples need no file).

import type { Command } from 'commander';
import { fitToModel } from '../../data/fit-model.js';
import { UserError } from '../../errors.js';
import { checkModelOut, writeModel } from '../../export/write-model.js';
import { ARCHITECTURES, buildArchitecture, inputStatistics, takesHidden, type Architecture } from '../../models/architectures.js';
import { addDataOptions, DATA_HELP, loadSplit, type DataOptions } from '../data-options.js';
import { parseIntOption, parseNumber } from '../options.js';
import { progressReporter } from '../progress.js';
import { addTrainingOptions, type TrainingCliOptions } from '../training-options.js';
import { terminalJson } from '../../util/escape.js';

interface TrainCliOptions extends DataOptions, TrainingCliOptions {
  arch: string;
  hidden?: string;
  epochs: number;
  out: string;
  normalize: boolean;
  force?: boolean;
  json?: boolean;
}

function parseHidden(text: string | undefined): number[] | undefined {
  if (text === undefined) return undefined;
  return text.split(',').map((s) => parseNumber('--hidden', s.trim(), { min: 1, max: 65_536, integer: true }));
}

export function registerTrain(program: Command): void {
  const cmd = program
    .command('train')
    .description('train a small MLP or CNN from scratch on a data set and write it as ONNX (or a TF.js layers model)')
    .argument('<data>', `data: ${DATA_HELP}`)
    .requiredOption('--arch <name>', 'mlp, cnn (two 3x3 convs, pool, dense), mnist-cnn (mnist-8: conv 5x5 8, pool 2, conv 5x5 16, pool 3, dense; 786,560 MACs on 28x28) or ds-cnn (conv 3x3 stride 2, three depthwise-separable blocks, global average pool, dense)')
    .requiredOption('--out <file>', 'output model: a .onnx file, or a folder / model.json for a TF.js layers model')
    .option('--hidden <sizes>', 'hidden layer sizes, e.g. 64,32 (mlp) or 32 (cnn\'s dense layer); mnist-cnn and ds-cnn are fixed')
    .option('--epochs <n>', 'training epochs', parseIntOption('--epochs', 1, 100_000), 30)
    .option('--no-normalize', 'do not standardize the inputs inside the model (by default an input BatchNormalization holds the training data\'s mean and variance, so the model takes raw values)')
    .option('--force', 'replace an existing output')
    .option('--json', 'print one JSON object');
  addTrainingOptions(addDataOptions(cmd), 3e-3).action(async (data: string, o: TrainCliOptions) => {
    if (!(ARCHITECTURES as readonly string[]).includes(o.arch)) throw new UserError(`unknown --arch '${o.arch}'; known: ${ARCHITECTURES.join(', ')}`);
    if (o.hidden !== undefined && !takesHidden(o.arch as Architecture)) throw new UserError(`--hidden: --arch ${o.arch} has a fixed layout`, 'drop --hidden, or use --arch mlp or cnn');
    checkModelOut(o.out, o.force, [data]);
    const split = loadSplit(data, o);
    if (split.train.targets) throw new UserError(`data '${data}' holds float targets (regression); train builds classifiers`, 'give integer class labels (an integer labels column or y.npy of an integer dtype)');
    if (split.train.classes < 2) throw new UserError(`data '${data}' has ${split.train.classes} class(es); training a classifier needs at least 2`);
    const hidden = parseHidden(o.hidden);
    const arch = o.arch as Architecture;
    const normalize = o.normalize ? inputStatistics(arch, split.train.features, split.train.count, split.train.featureShape) : undefined;
    const initial = buildArchitecture(arch, { sampleShape: split.train.featureShape, classes: split.train.classes, hidden, normalize, seed: o.seed });
    const fit = (ds: typeof split.train) => fitToModel(ds, initial);
    const { createGraphTrainer } = await import('../../train/index.js');
    const trainer = createGraphTrainer(fit(split.train), { backend: o.backend, seed: o.seed, batchSize: o.batchSize, learningRate: o.lr });
    const progress = progressReporter(o.json);
    const started = performance.now();
    try {
      progress.begin(`training ${o.arch}`, o.epochs);
      const trained = await trainer.fineTune(initial, undefined, o.epochs, (p) => {
        if (p.batch === p.batches - 1) progress.update(p.epoch + 1, { epoch: `${p.epoch + 1}/${o.epochs}`, loss: p.loss.toFixed(4) });
      });
      const validation = await trainer.score(trained, fit(split.validation));
      const test = await trainer.score(trained, fit(split.test));
      const seconds = (performance.now() - started) / 1000;
      progress.end(`trained ${o.epochs} epochs in ${seconds.toFixed(1)} s`);
      const files = await writeModel(trained, o.out);
      const summary = { out: o.out, files, arch: o.arch, epochs: o.epochs, samples: { train: split.train.count, validation: split.validation.count, test: split.test.count }, validationAccuracy: validation, testAccuracy: test, seconds };
      if (o.json) console.log(terminalJson(summary));
      else console.log(`wrote ${o.out}: ${o.arch}, test accuracy ${(test * 100).toFixed(2)}% (validation ${(validation * 100).toFixed(2)}%), ${split.train.count} training samples, ${o.epochs} epochs, ${seconds.toFixed(1)} s`);
    } finally {
      trainer.dispose();
    }
  });
}
