// verify's --data: the model's ONNX test data, or a data set in any format --data takes elsewhere, split as build and
// eval split it (default: the test split; an IDX folder's test split is its t10k files), capped by --vectors.

import type { Graph } from '../ir/graph.js';
import { UserError } from '../errors.js';
import { loadVectors, DEFAULT_RANDOM_VECTORS, type VectorSet } from '../verify/vectors.js';
import { pickSplit, type DataOptions, type SplitName } from './data-options.js';

export interface VerifyDataOptions extends DataOptions {
  data?: string;
  /** --vectors: at most this many (undefined: see `loadVerifyVectors`). */
  vectors?: number;
  split: SplitName;
}

export const SPLITS: readonly SplitName[] = ['all', 'train', 'validation', 'test'];

/**
 * The vectors verify runs. Without --vectors: every vector of --data's split on an MCU target (`allOfData`), else
 * DEFAULT_RANDOM_VECTORS (random vectors; an FPGA simulation, slower per vector).
 */
export function loadVerifyVectors(g: Graph, o: VerifyDataOptions, allOfData: boolean): VectorSet {
  if (!SPLITS.includes(o.split)) throw new UserError(`--split must be ${SPLITS.join(', ')}, got '${o.split}'`);
  const count = o.vectors ?? (o.data && allOfData ? undefined : DEFAULT_RANDOM_VECTORS);
  return loadVectors(g, { data: o.data, count, seed: o.seed, pickData: (file) => pickSplit(file, o, o.split) });
}
