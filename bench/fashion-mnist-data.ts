// Fashion-MNIST as Debian's dataset-fashion-mnist installs it, for the benches: a seeded stratified subset of the train and t10k files.

import fs from 'node:fs';
import path from 'node:path';
import type { Dataset } from '../src/data/dataset.js';
import { loadData } from '../src/data/load-dataset.js';
import { limitSamples } from '../src/data/split.js';
import { UserError } from '../src/errors.js';

/** Where the Debian package `dataset-fashion-mnist` puts the four IDX files (MIT licence). */
export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

export interface FashionMnist {
  /** Up to `trainSamples` of the 60,000 training images. */
  train: Dataset;
  /** Up to `testSamples` of the 10,000 t10k images. */
  test: Dataset;
}

/**
 * The train and t10k sets of `dir`, each cut to a seeded subset stratified by class (as `--limit` does). A UserError
 * saying how to install the data set when the folder or its files are missing.
 */
export function loadFashionMnist(o: { trainSamples: number; testSamples: number; seed: number; dir?: string }): FashionMnist {
  const dir = o.dir ?? FASHION_MNIST_DIR;
  const missing = ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', 't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'].filter((f) => !fs.existsSync(path.join(dir, f)));
  if (missing.length > 0) {
    throw new UserError(
      `Fashion-MNIST is not installed: ${missing.map((f) => path.join(dir, f)).join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing`,
      `run make setup as root (it installs Debian's dataset-fashion-mnist), or apt-get install dataset-fashion-mnist, or give --data <folder holding the four files>`,
    );
  }
  const { data, test } = loadData(dir);
  return { train: limitSamples(data, o.trainSamples, o.seed), test: limitSamples(test!, o.testSamples, o.seed) };
}
