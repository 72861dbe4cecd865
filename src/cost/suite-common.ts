// What every part of the calibration suite shares: the case type and the seeded tensors its cases are made of.

import type { Graph } from '../ir/graph.js';
import { shapeSize, Tensor } from '../ir/tensor.js';
import { Random } from '../util/random.js';
import type { SparseMode } from '../emit/c/sparse-choice.js';

export interface SuiteCase {
  name: string;
  graph: Graph;
  /** Dense or weight-sparse kernels for pruned layers (compileToC's option; default 'auto'). */
  sparse?: SparseMode;
  /** Input vectors; default: seeded uniform [-1, 1]. */
  inputs?: Tensor[][];
}

export const rng = () => new Random(20240611);

export function tensor(r: Random, shape: number[], f: () => number): Tensor {
  return Tensor.fromNumbers('float32', shape, Array.from({ length: shapeSize(shape) }, f));
}

export const uniform = (r: Random, shape: number[], s = 0.5) => tensor(r, shape, () => r.uniform(-s, s));
