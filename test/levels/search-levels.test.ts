// searchLevels on the digits CNN (one short joint fine-tune, seeded): nested levels meeting their instruction
// fractions, the smallest level improved by the joint step, the same bytes for the same seed; bad input refused.
import { beforeAll, describe, expect, it } from 'vitest';
import { bindCostModel } from '../../src/build/cost-binding.js';
import type { BoundCostModel } from '../../src/build/build.js';
import { loadFittedSplit } from '../../src/cli/data-options.js';
import { createFineTuner } from '../../src/cli/training-options.js';
import { UserError } from '../../src/errors.js';
import { GraphBuilder } from '../../src/ir/builder.js';
import { checkNested, levelGraph } from '../../src/levels/nested-levels.js';
import { searchLevels, type SearchLevelsOptions, type SearchLevelsResult } from '../../src/levels/search-levels.js';
import { loadOnnx } from '../../src/onnx/load-onnx.js';
import { exportOnnx } from '../../src/onnx/export.js';
import type { ProgressiveData } from '../../src/prune/progressive.js';
import { findMcuTarget } from '../../src/targets/load-targets.js';
import { repoPath } from '../../src/util/package-root.js';

const model = loadOnnx(repoPath('examples/models/digits-cnn.onnx'));
const o = { seed: 0, validation: 0.15, batchSize: 32, lr: 1e-3, distill: true };
const data: ProgressiveData = loadFittedSplit(repoPath('examples/digits/digits.csv.gz'), o, model);
const FRACTIONS = [1, 0.6, 0.35];
let cost: BoundCostModel;

/** One search with a fresh fine-tuner (the dense model its teacher, as the build makes it). */
async function search(seed: number, epochs: number, extra: Partial<SearchLevelsOptions> = {}): Promise<SearchLevelsResult> {
  const trainer = await createFineTuner({ ...o, seed }, data.train, model);
  try {
    return await searchLevels(model, data, { fractions: FRACTIONS, cost: cost.costs, trainer, epochs, seed, ...extra });
  } finally {
    trainer.dispose();
  }
}

beforeAll(async () => {
  cost = await bindCostModel(findMcuTarget('stm32f405', 'build'));
});

describe('searchLevels', () => {
  let first: SearchLevelsResult;
  beforeAll(async () => {
    first = await search(3, 1);
  });

  it('returns nested levels, each predicted within its fraction of the dense instructions', () => {
    checkNested(first.levels);
    expect(first.perLevel.map((l) => l.fraction)).toEqual(FRACTIONS);
    for (const l of first.perLevel) {
      expect(l.instructions).toBe(cost.costs(levelGraph(first.levels, l.level)).instructions);
      expect(l.instructions).toBeLessThanOrEqual(l.fraction * first.dense.instructions);
      expect(l.keep).toEqual(first.levels.keep[l.level]);
      expect(l.uncertainty.test.samples).toBe(data.test.count);
      expect(l.uncertainty.test.standardError).toBeGreaterThanOrEqual(0);
    }
    expect(first.perLevel[2].instructions).toBeLessThan(first.perLevel[1].instructions);
    expect(first.perLevel[1].instructions).toBeLessThan(first.perLevel[0].instructions);
  });

  it('the joint fine-tune makes the smallest level more accurate than the same slice of the ordered, untuned model', async () => {
    const trainer = await createFineTuner({ ...o, seed: 3 }, data.train, model);
    const smallest = first.perLevel.length - 1;
    const untuned = levelGraph(first.ordered, smallest);
    const untunedTest = await trainer.score(untuned, data.test);
    const untunedValidation = await trainer.score(untuned, data.validation);
    trainer.dispose();
    expect(first.perLevel[smallest].test).toBeGreaterThan(untunedTest + 0.05);
    expect(first.perLevel[smallest].validation).toBeGreaterThan(untunedValidation + 0.05);
    // The weights are shared: the largest level is the full model, not a separate copy.
    expect(exportOnnx(levelGraph(first.levels, 0))).toEqual(exportOnnx(first.levels.full));
  });

  it('applies the fractions to the worst-case prediction when asked', async () => {
    // A cost model whose worst case grows faster than the typical count: (typical / dense)² of the dense worst case.
    const dense = cost.costs(model);
    const convex = (g: Parameters<BoundCostModel['costs']>[0]) => {
      const c = cost.costs(g);
      return { ...c, instructionsWorstCase: dense.instructionsWorstCase * (c.instructions / dense.instructions) ** 2 };
    };
    const fractions = [1, 0.6];
    const worst = await search(0, 0, { fractions, cost: convex, measure: 'instructionsWorstCase' });
    for (const l of worst.perLevel) expect(l.instructionsWorstCase).toBeLessThanOrEqual(l.fraction * worst.dense.instructionsWorstCase);
    // Met on the worst case, the 0.6 level keeps more channels than when met on the typical count (the first search).
    const total = (keep: Readonly<Record<string, number>>) => Object.values(keep).reduce((a, b) => a + b);
    expect(total(worst.levels.keep[1])).toBeGreaterThan(total(first.levels.keep[1]));
    // epochs 0: the ordered weights as they are.
    expect(exportOnnx(worst.levels.full)).toEqual(exportOnnx(worst.ordered.full));
  });

  it('is deterministic: the same seed gives the same bytes', async () => {
    const again = await search(3, 1);
    expect(again.levels.keep).toEqual(first.levels.keep);
    expect(Buffer.from(exportOnnx(again.levels.full)).equals(Buffer.from(exportOnnx(first.levels.full)))).toBe(true);
    expect(again.perLevel.map((l) => l.test)).toEqual(first.perLevel.map((l) => l.test));
    expect(Buffer.from(exportOnnx(again.levels.full)).equals(Buffer.from(exportOnnx(first.ordered.full)))).toBe(false);
  });
});

describe('searchLevels refuses bad input before any training', () => {
  const cases: [string, Partial<SearchLevelsOptions>, RegExp][] = [
    ['no level', { fractions: [] }, /no levels given/],
    ['a fraction above 1', { fractions: [1.2, 0.5] }, /must be in \(0, 1\], got 1.2/],
    ['a fraction of 0', { fractions: [1, 0] }, /must be in \(0, 1\], got 0/],
    ['a fraction that is not a number', { fractions: [1, Number.NaN] }, /must be in \(0, 1\], got NaN/],
    ['fractions that do not decrease', { fractions: [1, 0.4, 0.6] }, /must decrease: level 2 \(0.6\) is not below level 1 \(0.4\)/],
    ['a repeated fraction', { fractions: [1, 0.5, 0.5] }, /must decrease: level 2/],
    ['a level the model cannot reach', { fractions: [1, 0.001] }, /level 1 \(0.001 of the dense model's .* cannot be reached/],
    ['a level the model cannot reach at worst', { fractions: [1, 0.001], measure: 'instructionsWorstCase' }, /level 1 \(0.001 of the dense model's [\d,]+ predicted worst-case instructions\) cannot be reached/],
    ['the training set cut into 0 parts', { interleave: { parts: 0, trainerOn: () => { throw new Error('not reached'); } } }, /cannot be cut into 0 parts/],
    ['negative epochs', { epochs: -1 }, /epochs must be a whole number/],
  ];
  for (const [what, options, message] of cases) {
    it(`refuses ${what}`, async () => {
      const trainer = { canTrain: () => ({ ok: true }) } as unknown as SearchLevelsOptions['trainer'];
      const error = await searchLevels(model, data, { fractions: FRACTIONS, cost: cost.costs, trainer, epochs: 1, seed: 0, ...options }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UserError);
      expect((error as UserError).message).toMatch(message);
    });
  }

  it('refuses a model without a prunable group', async () => {
    const b = new GraphBuilder('no_groups');
    const x = b.input('input', 'float32', [1, 64]);
    b.output(b.op('Relu', [x]));
    const trainer = { canTrain: () => ({ ok: true }) } as unknown as SearchLevelsOptions['trainer'];
    await expect(searchLevels(b.build(), data, { fractions: FRACTIONS, cost: cost.costs, trainer, epochs: 1, seed: 0 })).rejects.toThrow(/no prunable channel group/);
  });
});
