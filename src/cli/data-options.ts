// Shared data-set flags of train/eval/prune: the file, its labels, the seeded split, and which part to use.

import type { Command } from 'commander';
import type { Dataset } from '../data/dataset.js';
import { loadDataset } from '../data/load-dataset.js';
import { splitDataset, type DatasetSplit } from '../data/split.js';
import { fractionOption, parseIntOption, SEED_RANGE } from './options.js';

export interface DataOptions {
  labels?: string;
  seed: number;
  validation: number;
  test: number;
}

export function addDataOptions(cmd: Command): Command {
  return cmd
    .option('--labels <file>', 'labels file for .npy features (default: y.npy beside x.npy)')
    .option('--seed <n>', 'seed of the train/validation/test split and of training', parseIntOption('--seed', SEED_RANGE.min, SEED_RANGE.max), 0)
    .option('--validation <fraction>', 'fraction of the data held out for validation (decisions)', fractionOption('--validation'), 0.15)
    .option('--test <fraction>', 'fraction of the data held out for testing (reported accuracy)', fractionOption('--test'), 0.2);
}

export function loadSplit(file: string, o: DataOptions): DatasetSplit {
  return splitDataset(loadDataset(file, { labels: o.labels }), { validation: o.validation, test: o.test }, o.seed);
}

export type SplitName = 'all' | 'train' | 'validation' | 'test';

export function pickSplit(file: string, o: DataOptions, which: SplitName): Dataset {
  const all = loadDataset(file, { labels: o.labels });
  if (which === 'all') return all;
  return splitDataset(all, { validation: o.validation, test: o.test }, o.seed)[which];
}
