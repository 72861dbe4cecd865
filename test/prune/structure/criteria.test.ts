// Channel importance: weight norms, first-order Taylor with given gradients, APoZ and mean activation from the interpreter.
import { describe, expect, it } from 'vitest';
import { attr, GraphBuilder } from '../../../src/ir/builder.js';
import { cloneGraph, type Graph } from '../../../src/ir/graph.js';
import { Tensor } from '../../../src/ir/tensor.js';
import { mnistLikeCnn, residualCnn } from '../../../src/models/sample-models.js';
import { activationValues, findPruneGroups, rankChannels, scoreChannels } from '../../../src/prune/structure/index.js';
import { randomFeeds } from './models.js';

/** A copy of g with conv1's filter `c` scaled by `k`. */
function scaleFilter(g: Graph, name: string, c: number, k: number): Graph {
  const out = cloneGraph(g);
  const w = out.initializers.get(name)!.clone();
  const per = w.size / w.shape[0];
  const data = w.data as Float32Array;
  for (let i = c * per; i < (c + 1) * per; i++) data[i] *= k;
  out.initializers.set(name, w);
  return out;
}

function setBias(g: Graph, name: string, values: Record<number, number>): Graph {
  const out = cloneGraph(g);
  const b = out.initializers.get(name)!.clone();
  for (const [c, v] of Object.entries(values)) (b.data as Float32Array)[Number(c)] = v;
  out.initializers.set(name, b);
  return out;
}

const argmin = (xs: number[]) => xs.indexOf(Math.min(...xs));

describe('scoreChannels', () => {
  it('l1 and l2 rank a clearly weak filter last, with the raw norms of the producing filters', () => {
    const g = scaleFilter(mnistLikeCnn(), 'conv1.weight', 5, 0.01);
    const groups = findPruneGroups(g);
    for (const kind of ['l1', 'l2'] as const) {
      const [conv1] = scoreChannels(g, groups, { kind });
      expect(argmin(conv1.raw)).toBe(5);
      expect(rankChannels(scoreChannels(g, groups, { kind }))[0]).toMatchObject({ group: 'conv1', channel: 5 });
    }
    const w = g.initializers.get('conv1.weight')!;
    const filter0 = Array.from(w.data as Float32Array).slice(0, 25);
    const [l1] = scoreChannels(g, groups, { kind: 'l1' }, { normalize: 'none' });
    const [l2] = scoreChannels(g, groups, { kind: 'l2' }, { normalize: 'none' });
    expect(l1.raw[0]).toBeCloseTo(filter0.reduce((s, v) => s + Math.abs(v), 0), 5);
    expect(l2.raw[0]).toBeCloseTo(Math.sqrt(filter0.reduce((s, v) => s + v * v, 0)), 5);
  });

  it('sums over all producers of a coupled group (both convs of the residual)', () => {
    const g = residualCnn();
    const [residual] = findPruneGroups(g);
    const [s] = scoreChannels(g, [residual], { kind: 'l1' }, { normalize: 'none' });
    const l1 = (name: string, c: number) => {
      const w = g.initializers.get(name)!;
      const per = w.size / w.shape[0];
      return Array.from(w.data as Float32Array).slice(c * per, (c + 1) * per).reduce((a, v) => a + Math.abs(v), 0);
    };
    expect(s.raw[3]).toBeCloseTo(l1('conv1.weight', 3) + l1('conv3.weight', 3), 5);
  });

  it('normalizes each group by its mean (default) or max, so that groups compare', () => {
    const g = mnistLikeCnn();
    const groups = findPruneGroups(g);
    for (const s of scoreChannels(g, groups, { kind: 'l2' })) {
      expect(s.scores.reduce((a, b) => a + b, 0) / s.scores.length).toBeCloseTo(1, 10);
    }
    for (const s of scoreChannels(g, groups, { kind: 'l2' }, { normalize: 'max' })) expect(Math.max(...s.scores)).toBeCloseTo(1, 12);
  });

  it('taylor-activation: Σ_batches |Σ z·∂L/∂z| per neuron, exactly, from the weight and bias gradients of each batch', () => {
    // y = W x + b (3 neurons), loss ½‖y − t‖²: ∂L/∂y = y − t, ∂L/∂W = Σ (y − t) xᵀ, ∂L/∂b = Σ (y − t).
    const b = new GraphBuilder('taylor_act');
    const W = Tensor.fromNumbers('float32', [3, 4], [0.5, -1, 0.25, 2, 1.5, 0.5, -0.75, 0, -0.2, 0.1, 0.3, -0.4]);
    const bias = Tensor.fromNumbers('float32', [3], [0.1, -0.3, 0.2]);
    const y = b.op('Gemm', [b.input('x', 'float32', [1, 4]), b.initializer('fc.weight', W), b.initializer('fc.bias', bias)], { transB: attr.int(1) }, 'fc');
    b.output(b.op('Relu', [b.op('Gemm', [y, b.initializer('out.weight', Tensor.fromNumbers('float32', [2, 3], [1, 0, 1, 0, 1, 1])), b.initializer('out.bias', Tensor.fromNumbers('float32', [2], [0, 0]))], { transB: attr.int(1) }, 'out')]));
    const g = b.build();
    const samples = [[1, 2, 0, -1], [0.5, -0.5, 1, 2], [-1, 1, 1, 0], [2, 0, -2, 1]];
    const targets = [[1, 0, 2], [0, 1, -1], [0.5, 0.5, 0.5], [-1, 2, 0]];
    const zOf = (x: number[]) => [0, 1, 2].map((c) => bias.at(c) + x.reduce((s, v, k) => s + v * W.at(c * 4 + k), 0));
    const batches = [[0, 1], [2, 3]].map((idx) => {
      const gW = new Float32Array(12);
      const gb = new Float32Array(3);
      for (const i of idx) {
        const z = zOf(samples[i]);
        for (let c = 0; c < 3; c++) {
          const d = z[c] - targets[i][c];
          gb[c] += d;
          for (let k = 0; k < 4; k++) gW[c * 4 + k] += d * samples[i][k];
        }
      }
      return new Map([['fc.weight', new Tensor('float32', [3, 4], gW)], ['fc.bias', new Tensor('float32', [3], gb)]]);
    });
    const expected = [0, 1, 2].map((c) => [[0, 1], [2, 3]].reduce((s, idx) => s + Math.abs(idx.reduce((t, i) => t + zOf(samples[i])[c] * (zOf(samples[i])[c] - targets[i][c]), 0)), 0));
    const groups = findPruneGroups(g);
    const fc = groups.findIndex((grp) => grp.id === 'fc');
    const scores = scoreChannels(g, groups, { kind: 'taylor-activation', batches: batches.map((m) => new Map([...m, ['out.weight', new Tensor('float32', [2, 3])], ['out.bias', new Tensor('float32', [2])]])) }, { normalize: 'none' });
    scores[fc].raw.forEach((v, c) => expect(v).toBeCloseTo(expected[c], 5));
    // A missing gradient is named.
    expect(() => scoreChannels(g, groups, { kind: 'taylor-activation', batches: [new Map()] })).toThrow(/no gradient of the size of 'fc.weight'/);
  });

  it('taylor: Σ|w·g| over the producing weights, with the gradients the caller gives', () => {
    const g = mnistLikeCnn();
    const groups = findPruneGroups(g);
    const ones = (name: string) => {
      const w = g.initializers.get(name)!;
      return new Tensor('float32', w.shape, new Float32Array(w.size).fill(1));
    };
    const gradients = new Map([['conv1.weight', ones('conv1.weight')], ['conv2.weight', ones('conv2.weight')]]);
    // With unit gradients Taylor equals l1.
    const taylor = scoreChannels(g, groups, { kind: 'taylor', gradients }, { normalize: 'none' });
    const l1 = scoreChannels(g, groups, { kind: 'l1' }, { normalize: 'none' });
    taylor.forEach((t, k) => t.raw.forEach((v, c) => expect(v).toBeCloseTo(l1[k].raw[c], 4)));
    // A channel whose weights get no gradient does not matter to the loss.
    const grad = ones('conv2.weight');
    (grad.data as Float32Array).fill(0, 7 * 200, 8 * 200);
    gradients.set('conv2.weight', grad);
    const [, conv2] = scoreChannels(g, groups, { kind: 'taylor', gradients });
    expect(conv2.raw[7]).toBe(0);
    expect(argmin(conv2.scores)).toBe(7);
    expect(() => scoreChannels(g, groups, { kind: 'taylor', gradients: new Map() })).toThrow(/no gradient for 'conv1.weight'/);
  });

  it('apoz and mean-activation from the interpreter on random inputs', () => {
    // Channel 3 of conv1 never fires (bias −100), channel 4 always does (bias +100).
    const g = setBias(mnistLikeCnn(), 'conv1.bias', { 3: -100, 4: 100 });
    const groups = findPruneGroups(g);
    expect(activationValues(g, groups[0]).map((v) => v.value)).toEqual(['relu_1_out']);
    const samples = [1, 2, 3].map((seed) => randomFeeds(g, seed));
    const [apoz] = scoreChannels(g, groups, { kind: 'apoz', samples }, { normalize: 'none' });
    expect(apoz.raw[3]).toBe(0);
    expect(apoz.raw[4]).toBe(1);
    for (const [c, v] of apoz.raw.entries()) {
      if (c === 3 || c === 4) continue;
      expect(v).toBeGreaterThan(0);
      expect(v).toBeLessThan(1);
    }
    const [mean] = scoreChannels(g, groups, { kind: 'mean-activation', samples }, { normalize: 'none' });
    expect(mean.raw[3]).toBe(0);
    expect(mean.raw[4]).toBeGreaterThan(90);
    const ranked = rankChannels(scoreChannels(g, groups, { kind: 'apoz', samples }));
    expect(ranked[0]).toMatchObject({ group: 'conv1', channel: 3, score: 0 });
    expect(() => scoreChannels(g, groups, { kind: 'apoz', samples: [] })).toThrow(/at least one input sample/);
  });

  it('takes activation statistics over every activation of a coupled group', () => {
    const g = residualCnn();
    const [residual] = findPruneGroups(g);
    // The ReLU after bn1 (the skip) and the ReLU after the residual Add.
    expect(activationValues(g, residual).map((v) => v.value)).toEqual(['relu_2_out', 'relu_9_out']);
    const [s] = scoreChannels(g, [residual], { kind: 'apoz', samples: [randomFeeds(g, 4)] });
    expect(s.scores).toHaveLength(8);
  });
});
