// Shared data-set flags of train/eval/prune/build/quantize: the file, its labels, a sample limit, the seeded split, and which part to use.

import type { Command } from 'commander';
import { UserError } from '../errors.js';
import { concatDatasets, type Dataset } from '../data/dataset.js';
import { loadData, type LoadedData } from '../data/load-dataset.js';
import { limitSamples, splitDataset, type DatasetSplit } from '../data/split.js';
import { fractionOption, parseIntOption, SEED_RANGE } from './options.js';
import { fitToModel } from '../data/fit-model.js';
import type { Graph } from '../ir/graph.js';
import type { ProgressiveData } from '../prune/progressive.js';

export interface DataOptions {
  labels?: string;
  seed: number;
  validation: number;
  /** Fraction held out for testing; default 0.2. Refused with a data set that brings its own test set (an IDX folder). */
  test?: number;
  /** Use at most this many samples of the data set, and of its fixed test set (seeded, stratified by class). */
  limit?: number;
}

const DEFAULT_TEST = 0.2;

/** What --data (or a data argument) takes, for --help. */
export const DATA_HELP = '.csv/.csv.gz (features, label), .npy (+ labels), an IDX images file (train-images-idx3-ubyte.gz, labels beside it), or a folder of x.npy/y.npy, of the four MNIST IDX files (train-* the data, t10k-* the test set) or of ONNX test_data_set_* folders';

/** The shared flags; `seedUse` says what else --seed seeds in this command (default: training). */
export function addDataOptions(cmd: Command, seedUse = 'of training'): Command {
  return cmd
    .option('--labels <file>', 'labels file for .npy features (default: y.npy beside x.npy) or IDX images (default: the labels file beside them, images → labels and idx3 → idx1 in the name)')
    .option('--seed <n>', `seed of the train/validation/test split, of --limit and ${seedUse}`, parseIntOption('--seed', SEED_RANGE.min, SEED_RANGE.max), 0)
    .option('--validation <fraction>', 'fraction of the data held out for validation (decisions)', fractionOption('--validation'), 0.15)
    .option('--test <fraction>', `fraction of the data held out for testing (reported accuracy; default ${DEFAULT_TEST}); not with a folder of IDX files, whose t10k files are the test set`, fractionOption('--test'))
    .option('--limit <n>', 'use at most n samples of the data (and at most n of an IDX folder\'s t10k test set): a subset stratified by class, chosen with --seed, taken before the split', parseIntOption('--limit', 1, 2 ** 31 - 1));
}

/** A part the command needs must hold samples: a fraction of 0 leaves it empty. */
function requirePart(split: DatasetSplit, part: keyof DatasetSplit): void {
  if (split[part].count > 0) return;
  // Non-zero fractions that leave a part empty are refused by splitDataset with the counts.
  throw new UserError(`--${part} 0 leaves no ${part} samples, and this command needs them`, `give --${part} a fraction above 0 (default ${part === 'validation' ? 0.15 : DEFAULT_TEST})`);
}

/** The data and its fixed test set, each cut to --limit samples. */
function loadLimited(file: string, o: DataOptions): LoadedData {
  const { data, test } = loadData(file, { labels: o.labels });
  if (test && o.test !== undefined) {
    throw new UserError(`--test ${o.test}: data '${file}' brings its own test set (${test.source}), so no test part is split off`, '--validation still sets the validation part of the train files; drop --test');
  }
  if (o.limit === undefined) return { data, test };
  return { data: limitSamples(data, o.limit, o.seed), test: test && limitSamples(test, o.limit, o.seed) };
}

/**
 * The seeded split; every part must hold samples (train, eval on a part, prune and build use all three). With a fixed
 * test set (an IDX folder's t10k files) the data splits into train and validation only, and the test part is that set.
 */
export function loadSplit(file: string, o: DataOptions): DatasetSplit {
  const split = splitOf(loadLimited(file, o), o);
  for (const part of ['train', 'validation', 'test'] as const) requirePart(split, part);
  return split;
}

function splitOf({ data, test }: LoadedData, o: DataOptions): DatasetSplit {
  const split = splitDataset(data, { validation: o.validation, test: test ? 0 : o.test ?? DEFAULT_TEST }, o.seed);
  return test ? { ...split, test } : split;
}

export type SplitName = 'all' | 'train' | 'validation' | 'test';

/** One part of the split, or 'all': every sample (with a fixed test set, the data's and the test set's). */
export function pickSplit(file: string, o: DataOptions, which: SplitName): Dataset {
  const loaded = loadLimited(file, o);
  if (which === 'all') return loaded.test ? concatDatasets(loaded.data, loaded.test) : loaded.data;
  const split = splitOf(loaded, o);
  requirePart(split, which);
  return split[which];
}

/** The seeded split, each part fitted to the model's input (prune and build). */
export function loadFittedSplit(file: string, o: DataOptions, g: Graph): ProgressiveData {
  const split = loadSplit(file, o);
  return { train: fitToModel(split.train, g), validation: fitToModel(split.validation, g), test: fitToModel(split.test, g) };
}
