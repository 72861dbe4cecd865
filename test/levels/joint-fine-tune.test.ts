// fineTuneJointly with a stand-in trainer (adds 1 to every weight it tunes): each level's update lands in the full
// model's slices it reads, every level and part takes its turn in order, with its own seed; trainingParts.
import { describe, expect, it } from 'vitest';
import { cloneGraph, type Graph } from '../../src/ir/graph.js';
import { Tensor } from '../../src/ir/tensor.js';
import { fineTuneJointly, trainingParts } from '../../src/levels/joint-fine-tune.js';
import type { NestedLevels } from '../../src/levels/nested-levels.js';
import { loadOnnx } from '../../src/onnx/load-onnx.js';
import type { Trainer } from '../../src/prune/trainer.js';
import { readCsvDataset } from '../../src/data/csv.js';
import { repoPath } from '../../src/util/package-root.js';

interface Turn {
  trainer: number;
  filters: number;
  seed: number;
}

/** A trainer that adds 1 to every float weight of the graph it is given, and records the turn. */
function addingTrainer(id: number, turns: Turn[]): Trainer {
  return {
    canTrain: () => ({ ok: true }),
    fineTune: async (g: Graph, _masks: unknown, _epochs: number, _progress: unknown, seed?: number) => {
      turns.push({ trainer: id, filters: g.initializers.get('conv2.weight')!.shape[0], seed: seed! });
      const out = cloneGraph(g);
      for (const [n, t] of g.initializers) if (t.dtype === 'float32') out.initializers.set(n, new Tensor('float32', t.shape, (t.data as Float32Array).map((v) => v + 1)));
      return out;
    },
  } as unknown as Trainer;
}

const full = loadOnnx(repoPath('examples/models/digits-cnn.onnx'));
const levels: NestedLevels = { full, keep: [{}, { conv2: 12 }, { conv2: 4 }] };

describe('fineTuneJointly', () => {
  it('writes each level\'s update into the slices it reads: a filter gets one update per level that keeps it', async () => {
    const turns: Turn[] = [];
    const out = await fineTuneJointly(levels, [addingTrainer(0, turns)], { epochs: 2, seed: 5 });
    expect(turns.map((t) => t.filters)).toEqual([16, 12, 4, 16, 12, 4]);
    expect(new Set(turns.map((t) => t.seed)).size).toBe(6);
    const before = full.initializers.get('conv2.bias')!;
    const after = out.full.initializers.get('conv2.bias')!;
    for (let c = 0; c < 16; c++) {
      const updates = 2 * (c < 4 ? 3 : c < 12 ? 2 : 1);
      expect(after.at(c) - before.at(c)).toBeCloseTo(updates, 5);
    }
    // A weight every level keeps (conv1's) got an update from every level's turn.
    expect(out.full.initializers.get('conv1.bias')!.at(0) - full.initializers.get('conv1.bias')!.at(0)).toBeCloseTo(6, 5);
    expect(out.keep).toBe(levels.keep);
  });

  it('visits every part\'s trainer each epoch, the levels in order on each, smallest first when asked', async () => {
    const turns: Turn[] = [];
    await fineTuneJointly(levels, [addingTrainer(0, turns), addingTrainer(1, turns)], { epochs: 1, seed: 5, order: 'smallest-first' });
    expect(turns.map((t) => [t.trainer, t.filters])).toEqual([[0, 4], [0, 12], [0, 16], [1, 4], [1, 12], [1, 16]]);
    expect(new Set(turns.map((t) => t.seed)).size).toBe(6);
  });

  it('0 epochs leaves the weights as they are', async () => {
    const out = await fineTuneJointly(levels, [addingTrainer(0, [])], { epochs: 0, seed: 5 });
    for (const [n, t] of full.initializers) expect(out.full.initializers.get(n)!.data).toEqual(t.data);
  });
});

describe('trainingParts', () => {
  it('cuts the training set into disjoint parts that hold every sample once', () => {
    const ds = readCsvDataset(repoPath('examples/digits/digits.csv.gz'));
    const parts = trainingParts(ds, 3);
    expect(parts.map((p) => p.count).reduce((a, b) => a + b)).toBe(ds.count);
    expect(parts[1].labels[0]).toBe(ds.labels[1]);
    expect(Array.from(parts[2].features.subarray(0, 64))).toEqual(Array.from(ds.features.subarray(2 * 64, 3 * 64)));
    expect(parts[0].part).toMatch(/part 1\/3/);
  });
});
