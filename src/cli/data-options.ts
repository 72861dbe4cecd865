// Shared data-set flags of train/eval/prune: the file, its labels, the seeded split, and which part to use.

import type { Command } from 'commander';
import { UserError } from '../errors.js';
import type { Dataset } from '../data/dataset.js';
import { loadDataset } from '../data/load-dataset.js';
import { splitDataset, type DatasetSplit } from '../data/split.js';
import { parseIntOption } from './options.js';

export interface DataOptions {
  labels?: string;
  seed: number;
  validation: number;
  test: number;
}

export function addDataOptions(cmd: Command): Command {
  return cmd
    .option('--labels <file>', 'labels file for .npy features (default: y.npy beside x.npy)')
    .option('--seed <n>', 'seed of the train/validation/test split and of training', parseIntOption('--seed'), 0)
    .option('--validation <fraction>', 'fraction of the data held out for validation (decisions)', parseFraction('--validation'), 0.15)
    .option('--test <fraction>', 'fraction of the data held out for testing (reported accuracy)', parseFraction('--test'), 0.2);
}

function parseFraction(flag: string): (v: string) => number {
  return (v) => {
    const x = Number(v);
    if (!Number.isFinite(x) || x < 0 || x >= 1) throw new UserError(`${flag} must be a fraction in [0, 1), got '${v}'`);
    return x;
  };
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
