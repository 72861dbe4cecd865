// Importance of every channel of every prune group; higher score = more important = keep.
//
// Criteria (per channel c of a group, summed over the group's producing slices: the filters or
// neurons that make channel c, i.e. its 'out' weight touches, depthwise filters included; biases
// are not counted):
// - 'l1':     Σ_producers Σ |w|             over the producer's slice for c
// - 'l2':     Σ_producers sqrt(Σ w²)        (the L2 norm of each producing filter, summed)
// - 'taylor': Σ_producers Σ |w · ∂L/∂w|     first-order Taylor; gradients come from the caller by
//                                           initializer name (the training bridge computes them)
// - 'taylor-activation': Σ_batches Σ_producers |Σ_{batch, positions} z_c · ∂L/∂z_c|, first-order Taylor on the
//             producer's output z_c (Molchanov et al. 2017), computed exactly from the per-batch weight and
//             bias gradients: Σ_{w ∈ filter c} w·∂L/∂w + b_c·∂L/∂b_c = Σ z_c·∂L/∂z_c (z_c = Σ w·x + b_c)
// - 'redundancy': how replaceable channel c is by the group's other channels or by nothing: a greedy elimination
//             by the distance of its producers' concatenated weight slices to the nearest other channel's, or to
//             zero (redundancy.ts); an exact duplicate of another channel scores 0 whatever its norm
// - 'apoz':   1 − APoZ, APoZ = fraction of exact zeros in channel c's activations over the samples
//             (so a channel that is never active scores 0)
// - 'mean-activation': mean |a| of channel c's activations over the samples.
// Activations are the group's values produced by an activation op (Relu, Clip, LeakyRelu, ...), or,
// when the group has none, its producers' outputs; they come from the reference interpreter
// (runGraph with keepIntermediates) on the caller's samples.
//
// Normalization (so that scores of different groups compare, as in Torch-Pruning's group
// importance): 'mean' (the default) divides a group's scores by their mean, so each group averages
// 1 and a global threshold removes channels that are weak relative to their own group; 'max' divides
// by the group's largest score; 'none' keeps raw values. A group whose scores are all 0 stays 0.

import type { Graph } from '../../ir/graph.js';
import { runGraph } from '../../ir/interpreter.js';
import { shapeSize, type Tensor } from '../../ir/tensor.js';
import { redundancyScores } from './redundancy.js';
import { spanPositions, type ChannelSpan, type PruneGroup } from './types.js';

export type Criterion =
  | { kind: 'l1' }
  | { kind: 'l2' }
  | { kind: 'redundancy' }
  | { kind: 'taylor'; gradients: ReadonlyMap<string, Tensor> }
  | { kind: 'taylor-activation'; batches: readonly ReadonlyMap<string, Tensor>[] }
  | { kind: 'apoz'; samples: readonly Record<string, Tensor>[] }
  | { kind: 'mean-activation'; samples: readonly Record<string, Tensor>[] };

export type CriterionKind = Criterion['kind'];
export type Normalization = 'mean' | 'max' | 'none';

export interface GroupScores {
  group: string;
  /** Criterion values before normalization, one per channel. */
  raw: number[];
  /** Normalized scores, one per channel: higher = keep. */
  scores: number[];
}

/** Ops whose output is the activation a channel's statistics are taken on. */
const ACTIVATIONS = new Set(['Relu', 'Clip', 'LeakyRelu', 'PRelu', 'Sigmoid', 'Tanh', 'HardSigmoid', 'HardSwish', 'Elu', 'Selu', 'Gelu', 'Softplus']);

/** Call fn(flat index) for every element of channel c of a span along `axis`. */
function forChannel(shape: readonly number[], axis: number, span: ChannelSpan, c: number, fn: (i: number) => void): void {
  const outer = shapeSize(shape.slice(0, axis));
  const len = shape[axis];
  const inner = shapeSize(shape.slice(axis + 1));
  const positions = spanPositions(span, c);
  for (let o = 0; o < outer; o++) {
    for (const p of positions) {
      const base = (o * len + p) * inner;
      for (let k = 0; k < inner; k++) fn(base + k);
    }
  }
}

function weightScores(g: Graph, grp: PruneGroup, criterion: Exclude<Criterion, { kind: 'redundancy' }>): number[] {
  const scores = new Array<number>(grp.size).fill(0);
  const producing = grp.params.filter((t) => t.side === 'out' && t.role === 'weight');
  for (const t of producing) {
    const w = g.initializers.get(t.tensor);
    if (!w) throw new Error(`initializer '${t.tensor}' of prune group '${grp.id}' is missing`);
    let grad: Tensor | undefined;
    if (criterion.kind === 'taylor') {
      grad = criterion.gradients.get(t.tensor);
      if (!grad) throw new Error(`taylor criterion: no gradient for '${t.tensor}' (prune group '${grp.id}')`);
      if (grad.size !== w.size) throw new Error(`taylor criterion: gradient of '${t.tensor}' has ${grad.size} elements, the weight ${w.size}`);
    }
    for (let c = 0; c < grp.size; c++) {
      let s = 0;
      if (criterion.kind === 'l1') forChannel(w.shape, t.axis, t, c, (i) => (s += Math.abs(w.at(i))));
      else if (criterion.kind === 'l2') forChannel(w.shape, t.axis, t, c, (i) => (s += w.at(i) * w.at(i)));
      else forChannel(w.shape, t.axis, t, c, (i) => (s += Math.abs(w.at(i) * grad!.at(i))));
      scores[c] += criterion.kind === 'l2' ? Math.sqrt(s) : s;
    }
  }
  return scores;
}

/** The values a group's activation statistics are taken on. */
export function activationValues(g: Graph, grp: PruneGroup): PruneGroup['values'] {
  const producerOf = new Map(g.nodes.flatMap((n) => n.outputs.map((o) => [o, n] as const)));
  const activated = grp.values.filter((v) => ACTIVATIONS.has(producerOf.get(v.value)?.opType ?? ''));
  if (activated.length > 0) return activated;
  const producers = new Set(grp.producers.map((p) => p.node));
  return grp.values.filter((v) => producers.has(producerOf.get(v.value)?.name ?? ''));
}

function activationScores(g: Graph, groups: readonly PruneGroup[], kind: 'apoz' | 'mean-activation', samples: readonly Record<string, Tensor>[]): number[][] {
  if (samples.length === 0) throw new Error(`${kind} criterion: needs at least one input sample`);
  const watched = groups.map((grp) => activationValues(g, grp));
  const zeros = groups.map((grp) => new Array<number>(grp.size).fill(0));
  const sums = groups.map((grp) => new Array<number>(grp.size).fill(0));
  const counts = groups.map((grp) => new Array<number>(grp.size).fill(0));
  for (const feeds of samples) {
    const env = runGraph(g, feeds, { keepIntermediates: true });
    groups.forEach((grp, k) => {
      for (const v of watched[k]) {
        const a = env.get(v.value);
        if (!a) throw new Error(`value '${v.value}' was not computed`);
        for (let c = 0; c < grp.size; c++) {
          forChannel(a.shape, v.axis, v, c, (i) => {
            const x = a.at(i);
            if (x === 0) zeros[k][c]++;
            sums[k][c] += Math.abs(x);
            counts[k][c]++;
          });
        }
      }
    });
  }
  return groups.map((grp, k) =>
    Array.from({ length: grp.size }, (_, c) => {
      const n = counts[k][c];
      if (n === 0) return 0;
      return kind === 'apoz' ? 1 - zeros[k][c] / n : sums[k][c] / n;
    }),
  );
}

/** Taylor on each producer's output, from per-batch gradients of its weight and bias (see the header). */
function activationTaylorScores(g: Graph, grp: PruneGroup, batches: readonly ReadonlyMap<string, Tensor>[]): number[] {
  if (batches.length === 0) throw new Error('taylor-activation criterion: needs the gradients of at least one batch');
  const scores = new Array<number>(grp.size).fill(0);
  for (const producer of grp.producers) {
    const touches = grp.params.filter((t) => t.side === 'out' && t.node === producer.node && (t.tensor === producer.weight || t.tensor === producer.bias));
    for (const batch of batches) {
      const dots = new Array<number>(grp.size).fill(0);
      for (const t of touches) {
        const w = g.initializers.get(t.tensor);
        const grad = batch.get(t.tensor);
        if (!w) throw new Error(`initializer '${t.tensor}' of prune group '${grp.id}' is missing`);
        if (!grad || grad.size !== w.size) throw new Error(`taylor-activation criterion: no gradient of the size of '${t.tensor}' (prune group '${grp.id}')`);
        for (let c = 0; c < grp.size; c++) forChannel(w.shape, t.axis, t, c, (i) => (dots[c] += w.at(i) * grad.at(i)));
      }
      for (let c = 0; c < grp.size; c++) scores[c] += Math.abs(dots[c]);
    }
  }
  return scores;
}

export function normalizeScores(raw: readonly number[], how: Normalization): number[] {
  if (how === 'none' || raw.length === 0) return [...raw];
  const d = how === 'mean' ? raw.reduce((a, b) => a + b, 0) / raw.length : Math.max(...raw);
  return d > 0 ? raw.map((s) => s / d) : raw.map(() => 0);
}

/** Score every channel of every group (in the order of `groups`). */
export function scoreChannels(
  g: Graph,
  groups: readonly PruneGroup[],
  criterion: Criterion,
  options: { normalize?: Normalization } = {},
): GroupScores[] {
  const normalize = options.normalize ?? 'mean';
  const raw =
    criterion.kind === 'apoz' || criterion.kind === 'mean-activation'
      ? activationScores(g, groups, criterion.kind, criterion.samples)
      : criterion.kind === 'taylor-activation'
        ? groups.map((grp) => activationTaylorScores(g, grp, criterion.batches))
        : criterion.kind === 'redundancy'
          ? groups.map((grp) => redundancyScores(g, grp))
          : groups.map((grp) => weightScores(g, grp, criterion));
  return groups.map((grp, k) => ({ group: grp.id, raw: raw[k], scores: normalizeScores(raw[k], normalize) }));
}

export interface RankedChannel {
  group: string;
  channel: number;
  score: number;
}

/** Every channel of every group, least important first (ties: group order, then channel). */
export function rankChannels(scores: readonly GroupScores[]): RankedChannel[] {
  const all = scores.flatMap((s) => s.scores.map((score, channel) => ({ group: s.group, channel, score })));
  return all.sort((a, b) => a.score - b.score);
}
