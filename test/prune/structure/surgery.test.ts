// Channel surgery: removing dead channels leaves every output unchanged; the pruned graphs verify, export and run in onnxruntime.
import { describe, expect, it } from 'vitest';
import { modelStats } from '../../../src/analysis/model-stats.js';
import { maxAbsDiff } from '../../../src/conformance/compare.js';
import { attr, GraphBuilder } from '../../../src/ir/builder.js';
import type { Graph } from '../../../src/ir/graph.js';
import { Tensor } from '../../../src/ir/tensor.js';
import { verifyProblems } from '../../../src/ir/verify.js';
import { digitsMlp, mnistLikeCnn, residualCnn } from '../../../src/models/sample-models.js';
import { exportOnnx } from '../../../src/onnx/export.js';
import { analyzePruneGroups, findPruneGroups, pruneChannels } from '../../../src/prune/structure/index.js';
import { loadOnnxBytes } from '../../../src/onnx/load-onnx.js';
import { cntkMnist, kerasCnn, pytorchMlp } from '../../support/exporter-style-models.js';
import { runOnnxruntime } from '../../support/ort.js';
import { concatCnn, depthwiseCnn, killChannels, nhwcFlattenCnn, outputsOf, randomFeeds, residualConcatCnn, someChannels } from './models.js';

/** Kill some channels of every group, prune exactly those, and compare outputs on a few inputs. */
function pruneDeadChannels(g: Graph): { dead: Graph; pruned: Graph; removals: Map<string, number[]> } {
  const groups = findPruneGroups(g);
  expect(groups.length).toBeGreaterThan(0);
  let dead = g;
  const removals = new Map<string, number[]>();
  for (const grp of groups) {
    const channels = someChannels(grp.size);
    dead = killChannels(dead, grp, channels);
    removals.set(grp.id, channels);
  }
  const pruned = pruneChannels(dead, removals);
  return { dead, pruned, removals };
}

const models: [string, () => Graph][] = [
  ['mnistLikeCnn', () => mnistLikeCnn()],
  ['residualCnn (BN + residual Add)', () => residualCnn()],
  ['a CNN with Concat', () => concatCnn()],
  ['a CNN with a depthwise Conv (multiplier 2)', () => depthwiseCnn()],
  ['a CNN with residual Add, Concat, depthwise Conv and a flattening Reshape', () => residualConcatCnn()],
  ['the digits MLP', () => digitsMlp()],
  ['a CNN with an NHWC flatten (Transpose, channels-last bias Add, Reshape, MatMul)', () => nhwcFlattenCnn()],
];

describe('pruneChannels', () => {
  for (const [name, make] of models) {
    it(`removing dead channels of every group keeps the outputs of ${name}`, () => {
      const g = make();
      const { dead, pruned, removals } = pruneDeadChannels(g);
      expect(verifyProblems(pruned)).toEqual([]);
      for (let seed = 1; seed <= 3; seed++) {
        const feeds = randomFeeds(g, seed);
        const want = outputsOf(dead, feeds);
        const got = outputsOf(pruned, feeds);
        want.forEach((w, i) => expect(maxAbsDiff(got[i], w)).toBeLessThanOrEqual(1e-5));
      }
      // The check has teeth: removing other (live) channels than the dead ones changes the outputs.
      const shifted = new Map([...removals].map(([id, ch]) => [id, ch.map((c) => c - 1)]));
      const wrong = pruneChannels(dead, shifted);
      const feeds = randomFeeds(g, 9);
      const diff = Math.max(...outputsOf(dead, feeds).map((w, i) => maxAbsDiff(outputsOf(wrong, feeds)[i], w)));
      expect(diff).toBeGreaterThan(1e-4);
      // Physically smaller, and the same groups are found again with fewer channels.
      expect(modelStats(pruned).totals.params).toBeLessThan(modelStats(g).totals.params);
      expect(modelStats(pruned).totals.macs).toBeLessThan(modelStats(g).totals.macs);
      const before = new Map(findPruneGroups(g).map((grp) => [grp.id, grp.size]));
      for (const grp of findPruneGroups(pruned)) expect(grp.size).toBe(before.get(grp.id)! - removals.get(grp.id)!.length);
      // The input graph is untouched.
      expect(findPruneGroups(g).map((grp) => grp.size)).toEqual([...before.values()]);
    });
  }

  it('shrinks a depthwise Conv with its channels (group attribute, filters, bias)', () => {
    const g = depthwiseCnn();
    const pruned = pruneChannels(g, new Map([['conv1', [1, 4]]]));
    const dw = pruned.nodes.find((n) => n.name === 'dw')!;
    expect(dw.attrs.group).toEqual(attr.int(4));
    expect(pruned.initializers.get('dw.weight')!.shape).toEqual([8, 1, 3, 3]);
    expect(pruned.initializers.get('dw.bias')!.shape).toEqual([8]);
    expect(pruned.initializers.get('pw.weight')!.shape).toEqual([8, 8, 1, 1]);
    expect(pruned.initializers.get('bn1.var')!.shape).toEqual([4]);
  });

  it('slices Concat inputs at their offsets and the Dense input blocks after a Reshape', () => {
    const g = residualConcatCnn();
    const pruned = pruneChannels(g, { conv3: [0, 3], pw: [2], 'stem+conv2': [7] });
    expect(pruned.values.get('concat_out')!.shape).toEqual([1, 7 + 2, 10, 10]);
    expect(pruned.initializers.get('dw.weight')!.shape).toEqual([9, 1, 3, 3]);
    expect(pruned.initializers.get('conv2.weight')!.shape).toEqual([7, 7, 3, 3]);
    expect(pruned.initializers.get('fc.weight')!.shape).toEqual([5 * 25, 10]);
    expect(pruned.initializers.get('flat_shape')!.toNumbers()).toEqual([1, -1]);
  });

  it('rewrites an explicit Reshape target and leaves a shared shape constant to its other users', () => {
    const b = new GraphBuilder('shared_shape');
    const x = b.input('x', 'float32', [1, 2, 4, 4]);
    const w = b.initializer('conv.weight', Tensor.fromNumbers('float32', [3, 2, 1, 1], [1, 2, 3, 4, 5, 6]));
    const shape = b.initializer('shape', Tensor.fromNumbers('int64', [2], [1, 48]));
    const y = b.op('Reshape', [b.op('Relu', [b.op('Conv', [x, w], {}, 'conv')]), shape], {}, 'flat');
    const fw = b.initializer('fc.weight', Tensor.fromNumbers('float32', [48, 2], Array.from({ length: 96 }, (_, i) => (i % 7) - 3)));
    b.output(b.op('MatMul', [y, fw], {}, 'fc'));
    const z = b.input('z', 'float32', [48]);
    b.output(b.op('Reshape', [z, shape], {}, 'other'));
    const g = b.build();
    expect(findPruneGroups(g).map((grp) => grp.id)).toEqual(['conv']);
    const pruned = pruneChannels(g, { conv: [1] });
    const flat = pruned.nodes.find((n) => n.name === 'flat')!;
    expect(pruned.initializers.get(flat.inputs[1])!.toNumbers()).toEqual([1, 32]);
    expect(pruned.initializers.get('shape')!.toNumbers()).toEqual([1, 48]);
    expect(pruned.initializers.get('fc.weight')!.shape).toEqual([32, 2]);
  });

  it('refuses unknown or blocked groups, bad, repeated and all indices', () => {
    const g = mnistLikeCnn();
    expect(() => pruneChannels(g, { nope: [0] })).toThrow(/no prune group 'nope'.*conv1, conv2/);
    expect(() => pruneChannels(g, { fc: [0] })).toThrow(/'fc' cannot be pruned: channels reach the graph output/);
    expect(() => pruneChannels(g, { conv1: [8] })).toThrow(/channels 0\.\.7; cannot remove 8/);
    expect(() => pruneChannels(g, { conv1: [-1, 1.5] })).toThrow(/cannot remove -1, 1\.5/);
    expect(() => pruneChannels(g, { conv1: [2, 2] })).toThrow(/repeats a channel/);
    expect(() => pruneChannels(g, { conv1: [0, 1, 2, 3, 4, 5, 6, 7] })).toThrow(/would leave none/);
    // Empty lists are no-ops.
    expect(modelStats(pruneChannels(g, { conv1: [] })).totals).toEqual(modelStats(g).totals);
  });

  it('the pruned residual + Concat CNN exports to ONNX and onnxruntime agrees with the interpreter', async () => {
    const g = residualConcatCnn();
    const analysis = analyzePruneGroups(g);
    // Live channels (not dead ones): the function changes, the structure must stay valid.
    const pruned = pruneChannels(g, { 'stem+conv2': [0, 5], conv3: [2], pw: [1, 4] }, analysis);
    const bytes = exportOnnx(pruned);
    for (let seed = 1; seed <= 2; seed++) {
      const feeds = randomFeeds(g, seed);
      const theirs = await runOnnxruntime(bytes, feeds);
      const ours = outputsOf(pruned, feeds);
      pruned.outputs.forEach((o, i) => {
        const t = theirs.get(o.name)!;
        expect(t.shape).toEqual(ours[i].shape);
        expect(maxAbsDiff(t, ours[i])).toBeLessThanOrEqual(1e-5);
      });
    }
    // And the dead-channel version of the same pruning is exact against the unpruned graph in onnxruntime too.
    const { dead, pruned: exact } = pruneDeadChannels(g);
    const feeds = randomFeeds(g, 7);
    const want = outputsOf(dead, feeds);
    const theirs = await runOnnxruntime(exportOnnx(exact), feeds);
    expect(maxAbsDiff(theirs.get(exact.outputs[0].name)!, want[0])).toBeLessThanOrEqual(1e-5);
  });

  it('prunes models imported as CNTK, PyTorch and keras2onnx export them, exactly and runnable in onnxruntime', async () => {
    const cases: { bytes: Uint8Array; shapes: Record<string, number[]>; groups: string[] }[] = [
      { bytes: cntkMnist(), shapes: {}, groups: ['Convolution28', 'Convolution110'] },
      { bytes: pytorchMlp(), shapes: { input: [1, 1, 8, 8] }, groups: ['Gemm_7'] },
      { bytes: kerasCnn(), shapes: { input_1: [1, 8, 8, 1] }, groups: ['Conv_1'] },
    ];
    for (const c of cases) {
      const g = loadOnnxBytes(c.bytes, 'model.onnx', { inputShapes: c.shapes });
      expect(findPruneGroups(g).map((grp) => grp.id)).toEqual(c.groups);
      const { dead, pruned } = pruneDeadChannels(g);
      const feeds = randomFeeds(g, 5);
      const want = outputsOf(dead, feeds);
      const ours = outputsOf(pruned, feeds);
      const theirs = await runOnnxruntime(exportOnnx(pruned), feeds);
      pruned.outputs.forEach((o, i) => {
        expect(maxAbsDiff(ours[i], want[i])).toBeLessThanOrEqual(1e-5);
        // onnxruntime sums in another order: a few float32 ulps of the largest output (the CNTK logits pass 128, where
        // one ulp is 1.5e-5).
        const scale = Math.max(1, ...Array.from(ours[i].data as ArrayLike<number>, Math.abs));
        expect(maxAbsDiff(theirs.get(o.name)!, ours[i])).toBeLessThanOrEqual(1e-5 * scale);
      });
    }
  });

  it('the pruned NHWC-flatten CNN runs in onnxruntime too', async () => {
    const g = nhwcFlattenCnn();
    const pruned = pruneChannels(g, { conv1: [1], conv2: [0, 4] });
    expect(pruned.initializers.get('fc.weight')!.shape).toEqual([4 * 16, 10]);
    const feeds = randomFeeds(g, 3);
    const theirs = await runOnnxruntime(exportOnnx(pruned), feeds);
    expect(maxAbsDiff(theirs.get(pruned.outputs[0].name)!, outputsOf(pruned, feeds)[0])).toBeLessThanOrEqual(1e-5);
  });
});
