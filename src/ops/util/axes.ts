// Axis normalization (negative axes count from the end) with errors that name the node.

import { nodeError } from '../../errors.js';
import type { Node } from '../../ir/graph.js';

/** Map an axis in [-rank, rank) to [0, rank). */
export function normalizeAxis(axis: number, rank: number, node: Node, what = 'axis'): number {
  if (axis < -rank || axis >= rank) throw nodeError(node, `${what} ${axis} is out of range for rank ${rank}`);
  return axis < 0 ? axis + rank : axis;
}

/** Normalize a list of axes, rejecting duplicates. */
export function normalizeAxes(axes: readonly number[], rank: number, node: Node, what = 'axes'): number[] {
  const out = axes.map((a) => normalizeAxis(a, rank, node, what));
  if (new Set(out).size !== out.length) throw nodeError(node, `${what} [${axes.join(', ')}] repeat an axis`);
  return out;
}
