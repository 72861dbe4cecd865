// Dependency groups: what couples (residual Add, Concat, depthwise, Flatten), what blocks, and the cost of one channel.
import { describe, expect, it } from 'vitest';
import { modelStats } from '../../../src/analysis/model-stats.js';
import { attr, GraphBuilder } from '../../../src/ir/builder.js';
import type { Graph } from '../../../src/ir/graph.js';
import { Tensor } from '../../../src/ir/tensor.js';
import { digitsMlp, mnistLikeCnn, residualCnn } from '../../../src/models/sample-models.js';
import { analyzePruneGroups, channelCost, findPruneGroups, groupCosts, pruneChannels } from '../../../src/prune/structure/index.js';
import { Random } from '../../../src/util/random.js';
import { concatCnn, depthwiseCnn, nhwcFlattenCnn, residualConcatCnn } from './models.js';

function weights(rng: Random, shape: number[]): Tensor {
  return Tensor.fromNumbers('float32', shape, Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal() * 0.3));
}

/** x → conv (4 ch) → relu → [something] ; a small harness for blocking cases. */
function convThen(build: (b: GraphBuilder, y: string, rng: Random) => void): Graph {
  const rng = new Random(5);
  const b = new GraphBuilder('block_case');
  const x = b.input('x', 'float32', [1, 2, 6, 6]);
  const w = b.initializer('conv.weight', weights(rng, [4, 2, 3, 3]));
  const bias = b.initializer('conv.bias', weights(rng, [4]));
  const y = b.op('Relu', [b.op('Conv', [x, w, bias], { pads: attr.ints([1, 1, 1, 1]) }, 'conv')]);
  build(b, y, rng);
  return b.build();
}

function reasonsOf(g: Graph, id: string): string[] {
  const blocked = analyzePruneGroups(g).blocked.find((b) => b.id === id);
  expect(blocked, `group ${id} should be blocked`).toBeDefined();
  return blocked!.reasons;
}

describe('findPruneGroups', () => {
  it('couples the producers of a residual Add into one group (with both BatchNorms)', () => {
    const { groups, blocked } = analyzePruneGroups(residualCnn());
    expect(groups.map((g) => g.id)).toEqual(['conv1+conv3', 'conv2']);
    const residual = groups[0];
    expect(residual.kind).toBe('filters');
    expect(residual.size).toBe(8);
    expect(residual.producers.map((p) => [p.node, p.weight, p.bias])).toEqual([
      ['conv1', 'conv1.weight', 'conv1.bias'],
      ['conv3', 'conv3.weight', 'conv3.bias'],
    ]);
    const touched = residual.params.map((t) => `${t.tensor}@${t.axis}:${t.side}`);
    for (const p of ['bn1.scale', 'bn1.bias', 'bn1.mean', 'bn1.var', 'bn3.scale', 'bn3.var']) expect(touched).toContain(`${p}@0:channelwise`);
    expect(touched).toContain('conv2.weight@1:in');
    // After MaxPool 2 and AveragePool 2 on 8x8, each channel owns 4 features of the dense layer.
    expect(residual.params.find((t) => t.tensor === 'fc.weight')).toMatchObject({ axis: 1, side: 'in', offset: 0, block: 4 });
    expect(residual.values.map((v) => v.value)).toContain('residual_out');
    expect(blocked.map((b) => b.id)).toEqual(['fc']);
  });

  it('does not prune channels that reach a graph output or a Softmax over channels', () => {
    expect(reasonsOf(mnistLikeCnn(), 'fc')).toEqual(["channels reach the graph output 'fc_out'"]);
    expect(reasonsOf(digitsMlp(), 'fc3')).toEqual(["Softmax 'probabilities' normalizes over the channel axis"]);
    expect(findPruneGroups(digitsMlp()).map((g) => [g.id, g.kind, g.size])).toEqual([['fc1', 'neurons', 64], ['fc2', 'neurons', 32]]);
    // An intermediate value that is also a graph output blocks its group.
    const g = convThen((b, y) => {
      b.output(y);
      b.output(b.op('GlobalAveragePool', [y]));
    });
    expect(reasonsOf(g, 'conv')[0]).toMatch(/channels reach the graph output 'relu_1_out'/);
  });

  it('blocks channels read by ops it does not model, mixing reshapes, and non-prunable operands', () => {
    // A Reshape that puts two channels in one row.
    const mixing = convThen((b, y) => {
      b.output(b.op('Reshape', [y, b.initializer('s', Tensor.fromNumbers('int64', [3], [1, 2, 72]))], {}, 'pairs'));
    });
    expect(reasonsOf(mixing, 'conv')[0]).toMatch(/Reshape 'pairs' reshapes \[1,4,6,6\] to \[1,2,72\], which mixes channels/);
    const split = convThen((b, y) => {
      b.node('Split', [y, b.initializer('parts', Tensor.fromNumbers('int64', [2], [2, 2]))], { axis: attr.int(1) }, { name: 'split', outputs: 2 });
      b.output('split_out');
    });
    expect(reasonsOf(split, 'conv')[0]).toMatch(/read by Split 'split'/);
    const addInput = convThen((b, y) => {
      const z = b.input('z', 'float32', [1, 4, 6, 6]);
      b.output(b.op('ReduceSum', [b.op('Add', [y, z], {}, 'add')], { keepdims: attr.int(0) }));
    });
    expect(reasonsOf(addInput, 'conv')[0]).toMatch(/Add 'add' combines them with 'z', whose channels cannot be removed/);
  });

  it('passes channels through per-channel constants, PRelu, Transpose, Squeeze and spatial reductions', () => {
    const g = convThen((b, y, rng) => {
      let z = b.op('Mul', [y, b.initializer('scale', weights(rng, [4, 1, 1]))]);
      z = b.op('Add', [z, b.initializer('shift', weights(rng, [1]))]);
      z = b.op('PRelu', [z, b.initializer('slope', weights(rng, [4, 1, 1]))]);
      z = b.op('ReduceMean', [z, b.initializer('axes', Tensor.fromNumbers('int64', [2], [2, 3]))], { keepdims: attr.int(1) });
      z = b.op('Squeeze', [z, b.initializer('sq', Tensor.fromNumbers('int64', [2], [2, 3]))]);
      const fc = b.initializer('fc.weight', weights(rng, [4, 3]));
      b.output(b.op('MatMul', [z, fc], {}, 'fc'));
    });
    const [grp] = findPruneGroups(g);
    expect(grp.id).toBe('conv');
    expect(grp.params.map((t) => `${t.tensor}@${t.axis}`)).toEqual(['conv.weight@0', 'conv.bias@0', 'scale@0', 'slope@0', 'fc.weight@0']);
    const pruned = pruneChannels(g, { conv: [0, 2] });
    expect(pruned.initializers.get('slope')!.shape).toEqual([2, 1, 1]);
    expect(pruned.initializers.get('fc.weight')!.shape).toEqual([2, 3]);
  });

  it('maps Concat inputs to offset ranges and depthwise channels to blocks of the multiplier', () => {
    const cat = findPruneGroups(concatCnn());
    expect(cat.map((g) => g.id)).toEqual(['convA', 'convB', 'convC']);
    expect(cat[1].params.find((t) => t.tensor === 'convC.weight')).toMatchObject({ axis: 1, offset: 6, block: 1 });
    expect(cat[2].params.find((t) => t.tensor === 'fc.weight')).toMatchObject({ axis: 1, offset: 0, block: 36 });
    const dw = findPruneGroups(depthwiseCnn());
    expect(dw.map((g) => g.id)).toEqual(['conv1', 'pw']);
    expect(dw[0].params.filter((t) => t.node === 'dw').map((t) => [t.tensor, t.side, t.block])).toEqual([
      ['dw.weight', 'out', 2],
      ['dw.bias', 'out', 2],
    ]);
    expect(dw[0].params.find((t) => t.tensor === 'pw.weight')).toMatchObject({ axis: 1, side: 'in', block: 2 });
    const rc = findPruneGroups(residualConcatCnn());
    expect(rc.map((g) => g.id)).toEqual(['stem+conv2', 'conv3', 'pw']);
    expect(rc[1].params.find((t) => t.tensor === 'dw.weight')).toMatchObject({ axis: 0, offset: 8, block: 1 });
    expect(rc[2].params.find((t) => t.tensor === 'fc.weight')).toMatchObject({ axis: 0, side: 'in', block: 25 });
  });

  it('follows an NHWC flatten: channel c owns every C-th feature', () => {
    const groups = findPruneGroups(nhwcFlattenCnn());
    expect(groups.map((g) => g.id)).toEqual(['conv1', 'conv2']);
    const conv2 = groups[1];
    expect(conv2.params.find((t) => t.tensor === 'conv2.bias_nhwc')).toMatchObject({ axis: 0, side: 'channelwise', role: 'bias' });
    expect(conv2.params.find((t) => t.tensor === 'fc.weight')).toMatchObject({ axis: 0, side: 'in', offset: 0, block: 1, period: 6, repeat: 16 });
    expect(conv2.perChannel.macs).toBe(8 * 8 * 5 * 9 + 16 * 10);
  });

  it('counts the MACs and parameters of one channel on mnistLikeCnn', () => {
    const g = mnistLikeCnn();
    const [conv1, conv2] = findPruneGroups(g);
    // conv1: 28·28 outputs × 25 taps in conv1, plus its input plane in conv2 (14·14 outputs × 25 taps × 16 filters).
    expect(conv1.perChannel).toEqual({ macs: 28 * 28 * 25 + 14 * 14 * 25 * 16, params: 25 + 1 + 16 * 25 });
    // conv2: 14·14 × 8·25 in conv2, plus 4·4 features × 10 outputs in the dense layer.
    expect(conv2.perChannel).toEqual({ macs: 14 * 14 * 8 * 25 + 16 * 10, params: 8 * 25 + 1 + 16 * 10 });
    expect(channelCost(g, conv1)).toEqual(conv1.perChannel);
    expect(groupCosts(g, [conv1, conv2]).get('conv2')).toEqual(conv2.perChannel);
  });

  it('per-channel costs equal what model-stats loses when one channel goes, on every test model', () => {
    for (const g of [mnistLikeCnn(), residualCnn(), digitsMlp(), concatCnn(), depthwiseCnn(), residualConcatCnn(), nhwcFlattenCnn()]) {
      const before = modelStats(g).totals;
      for (const grp of findPruneGroups(g)) {
        const after = modelStats(pruneChannels(g, { [grp.id]: [0] })).totals;
        expect({ group: grp.id, macs: before.macs - after.macs, params: before.params - after.params }).toEqual({ group: grp.id, ...grp.perChannel });
      }
    }
  });
});
