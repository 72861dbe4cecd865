// The 'redundancy' channel criterion: how badly the group would miss a channel that the others (or nothing) stand in for.
//
// Each channel c of a group is the vector f_c of its producers' weight slices, concatenated (the filters or neurons
// that make c, depthwise filters included; biases not counted, as for 'l1' and 'l2'). A channel is replaceable when
// another kept channel is close to it (a near duplicate: the next layer can take its share from that one in
// fine-tuning) or when it is close to zero (nothing is lost). Its redundancy distance among a set R of channels is
//
//   d(c, R) = min( ‖f_c‖, min_{j ∈ R, j ≠ c} ‖f_c − f_j‖ )      (Euclidean)
//
// Scores come from a greedy elimination, so that of a pair of duplicates only one is cheap: start with R = every
// channel; repeatedly take the channel of R with the smallest d(c, R) (ties: the lower channel index), give it that
// distance as its score, and remove it from R. Removing a channel can only raise the others' distances, so the
// scores are non-decreasing along the elimination order and ranking by score (higher = keep) follows that order.
// Of two exact duplicates the first scores 0 and the second its distance to the rest, however large both norms are.
// For filters that are not correlated (‖f_c − f_j‖ > ‖f_c‖ for every j) the score is the filter's L2 norm.
//
// Weights only: data-free, deterministic, usable by both `prune` and `build`. This is pairwise (nearest neighbour)
// similarity of filter weights, in the spirit of FPGM (He et al. 2019: the filters nearest the layer's geometric
// median are the most replaceable), with exact duplicates handled first and a weak filter still counted as weak.

import type { Graph } from '../../ir/graph.js';
import { shapeSize } from '../../ir/tensor.js';
import { spanPositions, type PruneGroup } from './types.js';

/** The concatenated producing weight slices of every channel of a group (one vector per channel). */
export function producerVectors(g: Graph, grp: PruneGroup): Float64Array[] {
  const touches = grp.params.filter((t) => t.side === 'out' && t.role === 'weight');
  const parts: number[][][] = Array.from({ length: grp.size }, () => []);
  for (const t of touches) {
    const w = g.initializers.get(t.tensor);
    if (!w) throw new Error(`initializer '${t.tensor}' of prune group '${grp.id}' is missing`);
    const outer = shapeSize(w.shape.slice(0, t.axis));
    const len = w.shape[t.axis];
    const inner = shapeSize(w.shape.slice(t.axis + 1));
    for (let c = 0; c < grp.size; c++) {
      const v: number[] = [];
      for (let o = 0; o < outer; o++) {
        for (const p of spanPositions(t, c)) {
          const base = (o * len + p) * inner;
          for (let k = 0; k < inner; k++) v.push(w.at(base + k));
        }
      }
      parts[c].push(v);
    }
  }
  return parts.map((ps) => Float64Array.from(ps.flat()));
}

function distance(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i] - b[i];
    s += d * d;
  }
  return Math.sqrt(s);
}

/** Redundancy scores of a group's channels (see the header): higher = less replaceable = keep. */
export function redundancyScores(g: Graph, grp: PruneGroup): number[] {
  const f = producerVectors(g, grp);
  const n = f.length;
  const norm = f.map((v) => Math.sqrt(v.reduce((s, x) => s + x * x, 0)));
  const dist: number[][] = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) dist[i][j] = dist[j][i] = distance(f[i], f[j]);
  }
  const alive = new Array<boolean>(n).fill(true);
  const scores = new Array<number>(n).fill(0);
  const replaceability = (c: number) => {
    let d = norm[c];
    for (let j = 0; j < n; j++) if (alive[j] && j !== c && dist[c][j] < d) d = dist[c][j];
    return d;
  };
  for (let step = 0; step < n; step++) {
    let best = -1;
    let bestD = Infinity;
    for (let c = 0; c < n; c++) {
      if (!alive[c]) continue;
      const d = replaceability(c);
      if (best < 0 || d < bestD) {
        best = c;
        bestD = d;
      }
    }
    scores[best] = bestD;
    alive[best] = false;
  }
  return scores;
}
