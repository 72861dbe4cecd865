// Shared data-set flags of train/eval/prune: the file, its labels, the seeded split, and which part to use.

import type { Command } from 'commander';
import { UserError } from '../errors.js';
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

/** A part the command needs must hold samples: a fraction of 0 leaves it empty. */
function requirePart(split: DatasetSplit, part: keyof DatasetSplit): void {
  if (split[part].count > 0) return;
  // Non-zero fractions that leave a part empty are refused by splitDataset with the counts.
  throw new UserError(`--${part} 0 leaves no ${part} samples, and this command needs them`, `give --${part} a fraction above 0 (default ${part === 'validation' ? 0.15 : 0.2})`);
}

/** The seeded split; every part must hold samples (train, eval on a part, prune and build use all three). */
export function loadSplit(file: string, o: DataOptions): DatasetSplit {
  const split = splitDataset(loadDataset(file, { labels: o.labels }), { validation: o.validation, test: o.test }, o.seed);
  for (const part of ['train', 'validation', 'test'] as const) requirePart(split, part);
  return split;
}

export type SplitName = 'all' | 'train' | 'validation' | 'test';

export function pickSplit(file: string, o: DataOptions, which: SplitName): Dataset {
  const all = loadDataset(file, { labels: o.labels });
  if (which === 'all') return all;
  const split = splitDataset(all, { validation: o.validation, test: o.test }, o.seed);
  requirePart(split, which);
  return split[which];
}
