// scatterLevelWeights, the inverse of slicing a level: scatter then slice gives the level back, slice then scatter
// gives the full model back, and only the level's positions change.
import { describe, expect, it } from 'vitest';
import { cloneGraph, type Graph } from '../../src/ir/graph.js';
import { Tensor } from '../../src/ir/tensor.js';
import { levelGraph, type NestedLevels } from '../../src/levels/nested-levels.js';
import { levelSlices, scatterLevelWeights } from '../../src/levels/scatter-level-weights.js';
import { loadOnnx } from '../../src/onnx/load-onnx.js';
import { analyzePruneGroups } from '../../src/prune/structure/index.js';
import { repoPath } from '../../src/util/package-root.js';
import { nhwcFlattenCnn } from '../prune/structure/models.js';

/** Every float parameter of `g` with `delta` added (a stand-in for fine-tuning). */
function shifted(g: Graph, delta: number): Graph {
  const out = cloneGraph(g);
  for (const [n, t] of g.initializers) if (t.dtype === 'float32') out.initializers.set(n, new Tensor('float32', t.shape, (t.data as Float32Array).map((v) => v + delta)));
  return out;
}

function levelsOf(full: Graph): NestedLevels {
  const groups = analyzePruneGroups(full).groups;
  return { full, keep: [{}, Object.fromEntries(groups.map((g) => [g.id, Math.ceil(g.size / 2)])), Object.fromEntries(groups.map((g) => [g.id, 1]))] };
}

const models: [string, () => Graph][] = [
  ['the digits CNN', () => loadOnnx(repoPath('examples/models/digits-cnn.onnx'))],
  ['a CNN with an NHWC flatten (its Reshape target rewritten by the slicing)', () => nhwcFlattenCnn()],
];

describe('scatterLevelWeights', () => {
  for (const [name, make] of models) {
    it(`round-trips every level of ${name}`, () => {
      const levels = levelsOf(make());
      const analysis = analyzePruneGroups(levels.full);
      levels.keep.forEach((_, k) => {
        // slice, then scatter: the full model, bit for bit
        const back = scatterLevelWeights(levels, k, levelGraph(levels, k, analysis), analysis);
        for (const [n, t] of levels.full.initializers) expect(back.initializers.get(n)!.data, `level ${k}: ${n}`).toEqual(t.data);
        // scatter changed weights, then slice: the changed level, bit for bit
        const tuned = shifted(levelGraph(levels, k, analysis), 0.5);
        const merged = scatterLevelWeights(levels, k, tuned, analysis);
        const again = levelGraph({ ...levels, full: merged }, k, analysis);
        for (const [n, t] of tuned.initializers) if (t.dtype === 'float32') expect(again.initializers.get(n)!.data, `level ${k}: ${n}`).toEqual(t.data);
        // and nothing outside the level's slices moved: as many changed elements as the level has
        let changed = 0;
        let levelSize = 0;
        for (const [n, t] of levels.full.initializers) {
          if (t.dtype !== 'float32') continue;
          changed += merged.initializers.get(n)!.data.filter((v, i) => v !== t.data[i]).length;
          levelSize += tuned.initializers.get(n)!.size;
        }
        expect(changed).toBe(levelSize);
      });
    });
  }

  it('levelSlices lists the kept positions of each cut axis, in order', () => {
    const full = loadOnnx(repoPath('examples/models/digits-cnn.onnx'));
    const slices = levelSlices({ full, keep: [{ conv2: 2 }] }, 0);
    expect(slices.get('conv2.weight')!.get(0)).toEqual([0, 1]);
    // fc1 reads conv2's channels flattened (16 positions each)
    expect(slices.get('fc1.weight')!.get(1)).toEqual(Array.from({ length: 32 }, (_, i) => i));
  });

  it('refuses a level whose weights are not the level\'s shapes', () => {
    const levels = levelsOf(loadOnnx(repoPath('examples/models/digits-cnn.onnx')));
    expect(() => scatterLevelWeights(levels, 2, levelGraph(levels, 1))).toThrow(/slices/);
    const missing = levelGraph(levels, 1);
    missing.initializers.delete('fc1.bias');
    expect(() => scatterLevelWeights(levels, 1, missing)).toThrow(/no initializer 'fc1.bias'/);
  });
});
