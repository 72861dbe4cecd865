// permuteChannels: reordering the channels of every prune group keeps the function (digits CNN and MLP, an NHWC flatten
// after a conv); leaving any one parameter slice unpermuted changes it; bad orders are refused.
import { describe, expect, it } from 'vitest';
import { maxAbsDiff } from '../../../src/conformance/compare.js';
import { UserError } from '../../../src/errors.js';
import type { Graph } from '../../../src/ir/graph.js';
import { loadOnnx } from '../../../src/onnx/load-onnx.js';
import { analyzePruneGroups, permuteChannels, type PruneAnalysis } from '../../../src/prune/structure/index.js';
import { repoPath } from '../../../src/util/package-root.js';
import { Random } from '../../../src/util/random.js';
import { nhwcFlattenCnn, outputsOf, randomFeeds } from './models.js';

/** A seeded shuffle of 0..size-1 that moves every channel (a rotation after the shuffle if one stayed). */
function shuffled(size: number, seed: number): number[] {
  const rng = new Random(seed);
  const order = Array.from({ length: size }, (_, i) => i);
  for (let i = size - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order.some((c, i) => c === i) ? order.map((c) => (c + 1) % size) : order;
}

function largestDiff(a: Graph, b: Graph): number {
  let worst = 0;
  for (let seed = 1; seed <= 3; seed++) {
    const feeds = randomFeeds(a, seed);
    const want = outputsOf(a, feeds);
    outputsOf(b, feeds).forEach((got, i) => (worst = Math.max(worst, maxAbsDiff(got, want[i]))));
  }
  return worst;
}

const models: [string, () => Graph][] = [
  ['the digits CNN (a Flatten after conv and pool)', () => loadOnnx(repoPath('examples/models/digits-cnn.onnx'))],
  ['the digits MLP', () => loadOnnx(repoPath('examples/models/digits-mlp.onnx'))],
  ['a CNN with an NHWC flatten (Transpose, channels-last bias Add, Reshape, MatMul)', () => nhwcFlattenCnn()],
];

describe('permuteChannels', () => {
  for (const [name, make] of models) {
    it(`keeps the outputs of ${name}, and fails when one slice is left unpermuted`, () => {
      const g = make();
      const analysis = analyzePruneGroups(g);
      expect(analysis.groups.length).toBeGreaterThan(0);
      const orders = new Map(analysis.groups.map((grp, k) => [grp.id, shuffled(grp.size, 7 + k)]));
      const permuted = permuteChannels(g, orders, analysis);
      expect(largestDiff(g, permuted)).toBeLessThanOrEqual(1e-4);
      // The weights did move.
      const moved = [...g.initializers].filter(([n, t]) => permuted.initializers.get(n)!.data.some((v, i) => v !== t.data[i]));
      expect(moved.length).toBeGreaterThan(0);
      // Every touch matters: permuting all but one slice of one group changes the outputs.
      for (const grp of analysis.groups) {
        for (const skipped of grp.params) {
          const partial: PruneAnalysis = { ...analysis, groups: analysis.groups.map((x) => (x === grp ? { ...x, params: x.params.filter((t) => t !== skipped) } : x)) };
          const wrong = permuteChannels(g, orders, partial);
          expect(largestDiff(g, wrong), `${grp.id} without ${skipped.tensor} axis ${skipped.axis}`).toBeGreaterThan(1e-3);
        }
      }
    });
  }

  it('the identity order changes nothing and a partial map permutes only the groups named', () => {
    const g = loadOnnx(repoPath('examples/models/digits-cnn.onnx'));
    const analysis = analyzePruneGroups(g);
    const same = permuteChannels(g, Object.fromEntries(analysis.groups.map((grp) => [grp.id, Array.from({ length: grp.size }, (_, i) => i)])), analysis);
    for (const [n, t] of g.initializers) expect(same.initializers.get(n)!.data).toEqual(t.data);
    const first = analysis.groups[0];
    const one = permuteChannels(g, { [first.id]: shuffled(first.size, 3) }, analysis);
    const touched = new Set(first.params.map((t) => t.tensor));
    for (const [n, t] of g.initializers) if (!touched.has(n)) expect(one.initializers.get(n)!.data).toEqual(t.data);
    expect(largestDiff(g, one)).toBeLessThanOrEqual(1e-4);
  });

  it('refuses an unknown group and orders that are not permutations of the group\'s channels', () => {
    const g = loadOnnx(repoPath('examples/models/digits-cnn.onnx'));
    const grp = analyzePruneGroups(g).groups[0];
    const bad = [
      { nope: [0] },
      { [grp.id]: Array.from({ length: grp.size - 1 }, (_, i) => i) },
      { [grp.id]: Array.from({ length: grp.size }, () => 0) },
      { [grp.id]: Array.from({ length: grp.size }, (_, i) => i + 1) },
    ];
    for (const orders of bad) expect(() => permuteChannels(g, orders)).toThrow(UserError);
  });
});
