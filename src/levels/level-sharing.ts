// What each level of a levels library reads from level 0's arrays in flash and what it stores of its own: its own
// weights (a layer whose inputs the level narrowed) apart from its per-level parameters (int8: biases in int32,
// requantization multipliers and shifts; the activation scales and zero points are constants in the code).

import type { Graph } from '../ir/graph.js';
import type { LevelsLibrary } from './compile-levels.js';

export interface LevelSharing {
  level: number;
  /** Bytes of the level's arrays that are level 0's (whole, a prefix, or its rows' leading blocks): stored once. */
  sharedBytes: number;
  /** Weight arrays (conv and dense weights) the level stores of its own. */
  ownWeightBytes: number;
  /** Every other array the level stores of its own (biases, requantization multipliers and shifts). */
  ownParameterBytes: number;
}

/** The weight operand of each layer op that has one: where its weight tensor is among the node's inputs. */
const WEIGHT_INPUT: Readonly<Record<string, number>> = { Int8Gemm: 3, Int8Conv: 3, Gemm: 1, Conv: 1, MatMul: 1 };

/** The names of the conv and dense weight tensors of `g` (what their C arrays' keys start with). */
export function weightKeys(g: Graph): Set<string> {
  const keys = new Set<string>();
  for (const n of g.nodes) {
    const at = WEIGHT_INPUT[n.opType];
    const name = at === undefined ? undefined : n.inputs[at];
    if (name && g.initializers.has(name)) keys.add(name);
  }
  return keys;
}

/** A C array holds a layer's weights: its key is the weight tensor's name, or that name and a transform (`w:T`). */
function isWeight(key: string, weights: ReadonlySet<string>): boolean {
  if (weights.has(key)) return true;
  for (const w of weights) if (key.startsWith(`${w}:`)) return true;
  return false;
}

/** Per level, the bytes shared with level 0 and its own (level 0's arrays all count as its own). */
export function levelSharing(lib: Pick<LevelsLibrary, 'levels'>): LevelSharing[] {
  return lib.levels.map((l, level) => {
    const weights = weightKeys(l.graph);
    const out: LevelSharing = { level, sharedBytes: 0, ownWeightBytes: 0, ownParameterBytes: 0 };
    for (const w of l.weights) {
      if (level > 0 && w.kind !== 'copy') out.sharedBytes += w.bytes;
      else if (isWeight(w.key, weights)) out.ownWeightBytes += w.bytes;
      else out.ownParameterBytes += w.bytes;
    }
    return out;
  });
}
