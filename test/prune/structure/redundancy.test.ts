// The 'redundancy' criterion: a duplicate goes first whatever its norm, greedy elimination, coupled producers (residual, depthwise).
import { describe, expect, it } from 'vitest';
import { cloneGraph, type Graph } from '../../../src/ir/graph.js';
import { mnistLikeCnn, residualCnn } from '../../../src/models/sample-models.js';
import { findPruneGroups, rankChannels, scoreChannels } from '../../../src/prune/structure/index.js';
import { producerVectors } from '../../../src/prune/structure/redundancy.js';
import { depthwiseCnn } from './models.js';

/** A copy of g where, in each of `tensors` (output channels on axis 0, `block` rows per channel), channel `to` becomes channel `from` times k. */
function copyChannel(g: Graph, tensors: string[], from: number, to: number, k = 1, block = 1): Graph {
  const out = cloneGraph(g);
  for (const name of tensors) {
    const w = out.initializers.get(name)!.clone();
    const per = (w.size / w.shape[0]) * block;
    const data = w.data as Float32Array;
    for (let i = 0; i < per; i++) data[to * per + i] = data[from * per + i] * k;
    out.initializers.set(name, w);
  }
  return out;
}

function scaleChannel(g: Graph, name: string, c: number, k: number): Graph {
  return copyChannel(g, [name], c, c, k);
}

const dist = (a: Float64Array, b: Float64Array) => Math.sqrt(a.reduce((s, x, i) => s + (x - b[i]) ** 2, 0));
const norm = (a: Float64Array) => Math.sqrt(a.reduce((s, x) => s + x * x, 0));

/** The greedy elimination written out plainly: the reference the module is checked against. */
function reference(vectors: Float64Array[]): number[] {
  const alive = vectors.map(() => true);
  const scores = vectors.map(() => 0);
  const d = (c: number) => Math.min(norm(vectors[c]), ...vectors.map((v, j) => (alive[j] && j !== c ? dist(vectors[c], v) : Infinity)));
  for (let step = 0; step < vectors.length; step++) {
    const alives = vectors.map((_, c) => c).filter((c) => alive[c]);
    const ds = alives.map(d);
    const at = alives[ds.indexOf(Math.min(...ds))];
    scores[at] = Math.min(...ds);
    alive[at] = false;
  }
  return scores;
}

describe("criterion 'redundancy'", () => {
  it('removes one of an exact duplicate pair first although its L1 is the largest of the layer', () => {
    // conv1 filter 6 := filter 2, both scaled ×4: the two largest filters, and each a copy of the other.
    let g = copyChannel(mnistLikeCnn(), ['conv1.weight'], 2, 6);
    g = scaleChannel(scaleChannel(g, 'conv1.weight', 2, 4), 'conv1.weight', 6, 4);
    const groups = findPruneGroups(g);
    const l1 = rankChannels(scoreChannels(g, groups, { kind: 'l1' })).filter((r) => r.group === 'conv1').map((r) => r.channel);
    expect(l1.slice(-2).sort()).toEqual([2, 6]);
    const [conv1] = scoreChannels(g, groups, { kind: 'redundancy' }, { normalize: 'none' });
    const order = rankChannels(scoreChannels(g, groups, { kind: 'redundancy' })).filter((r) => r.group === 'conv1').map((r) => r.channel);
    expect(order[0]).toBe(2);
    expect(conv1.raw[2]).toBe(0);
    // The other of the pair is no longer redundant once its twin is gone: it ranks last, as its norm says.
    expect(conv1.raw[6]).toBeGreaterThan(0);
    expect(order.at(-1)).toBe(6);
  });

  it('matches the greedy elimination computed plainly, and its scores are non-decreasing along the ranking', () => {
    const g = copyChannel(mnistLikeCnn(), ['conv2.weight'], 1, 9, 1.05);
    const groups = findPruneGroups(g);
    const scores = scoreChannels(g, groups, { kind: 'redundancy' }, { normalize: 'none' });
    groups.forEach((grp, k) => {
      const expected = reference(producerVectors(g, grp));
      scores[k].raw.forEach((s, c) => expect(s).toBeCloseTo(expected[c], 9));
    });
    // conv2 filter 9 is 1.05 × filter 1: the nearer to zero of the two goes first, at their distance.
    const v = producerVectors(g, groups[1]);
    expect(scores[1].raw[1]).toBeCloseTo(dist(v[1], v[9]), 9);
    const raw = scores[1].raw;
    const sorted = [...raw].map((s, c) => ({ s, c })).sort((a, b) => a.s - b.s);
    expect(sorted[0].c).toBe(1);
    for (let i = 1; i < sorted.length; i++) expect(sorted[i].s).toBeGreaterThanOrEqual(sorted[i - 1].s);
  });

  it('is deterministic and normalizes like the other criteria', () => {
    const g = mnistLikeCnn();
    const groups = findPruneGroups(g);
    const a = scoreChannels(g, groups, { kind: 'redundancy' });
    const b = scoreChannels(cloneGraph(g), findPruneGroups(cloneGraph(g)), { kind: 'redundancy' });
    expect(a).toEqual(b);
    for (const s of a) expect(s.scores.reduce((x, y) => x + y, 0) / s.scores.length).toBeCloseTo(1, 10);
  });

  it('residual groups: a channel is a duplicate only when every producer of the group duplicates it', () => {
    const base = residualCnn();
    const [residual] = findPruneGroups(base);
    expect(residual.id).toBe('conv1+conv3');
    // Only conv1's filter copied: conv3's slices still differ, so no channel scores 0.
    const half = copyChannel(base, ['conv1.weight'], 0, 5);
    const [s1] = scoreChannels(half, [residual], { kind: 'redundancy' }, { normalize: 'none' });
    expect(Math.min(...s1.raw)).toBeGreaterThan(0);
    const v = producerVectors(half, residual);
    expect(v[0].length).toBe(9 + 72);
    expect(s1.raw).toEqual(reference(v).map((x) => expect.closeTo(x, 9)));
    // Both producers' slices copied: one of the pair scores 0.
    const both = copyChannel(base, ['conv1.weight', 'conv3.weight'], 0, 5);
    const [s2] = scoreChannels(both, [residual], { kind: 'redundancy' }, { normalize: 'none' });
    expect(s2.raw[0]).toBe(0);
    expect(s2.raw[5]).toBeGreaterThan(0);
  });

  it('depthwise: the filters of the depthwise conv the channel passes through count (multiplier 2: two per channel)', () => {
    const base = depthwiseCnn();
    const group = findPruneGroups(base).find((x) => x.id === 'conv1')!;
    expect(producerVectors(base, group)[0].length).toBe(27 + 18);
    const convOnly = copyChannel(base, ['conv1.weight'], 1, 4);
    expect(Math.min(...scoreChannels(convOnly, [group], { kind: 'redundancy' }, { normalize: 'none' })[0].raw)).toBeGreaterThan(0);
    const both = copyChannel(copyChannel(base, ['conv1.weight'], 1, 4), ['dw.weight'], 1, 4, 1, 2);
    const [s] = scoreChannels(both, [group], { kind: 'redundancy' }, { normalize: 'none' });
    expect(s.raw[1]).toBe(0);
    expect(s.raw[4]).toBeGreaterThan(0);
  });
});
