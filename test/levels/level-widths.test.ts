// Level widths from the stm32f405 cost model: every level meets its fraction of the dense instructions with the
// smallest 1% step that does, the levels are nested, and a fraction no width reaches is refused naming the floor.
import { beforeAll, describe, expect, it } from 'vitest';
import { bindCostModel } from '../../src/build/cost-binding.js';
import type { BoundCostModel } from '../../src/build/build.js';
import { UserError } from '../../src/errors.js';
import type { Graph } from '../../src/ir/graph.js';
import { orderByImportance } from '../../src/levels/importance-order.js';
import { chooseLevelWidths, uniformKeep } from '../../src/levels/level-widths.js';
import { checkNested, levelGraph } from '../../src/levels/nested-levels.js';
import { loadOnnx } from '../../src/onnx/load-onnx.js';
import { analyzePruneGroups, scoreChannels } from '../../src/prune/structure/index.js';
import { findMcuTarget } from '../../src/targets/load-targets.js';
import { repoPath } from '../../src/util/package-root.js';

let cost: BoundCostModel;
const model = loadOnnx(repoPath('examples/models/digits-cnn.onnx'));
beforeAll(async () => {
  cost = await bindCostModel(findMcuTarget('stm32f405', 'build'));
});
const instructions = (g: Graph) => cost.costs(g).instructions;

describe('orderByImportance', () => {
  it('puts every group\'s channels in decreasing L1 order and keeps the outputs\' function (same costs)', () => {
    const ordered = orderByImportance(model);
    const analysis = analyzePruneGroups(ordered);
    for (const s of scoreChannels(ordered, analysis.groups, { kind: 'l1' }, { normalize: 'none' })) {
      for (let c = 1; c < s.raw.length; c++) expect(s.raw[c]).toBeLessThanOrEqual(s.raw[c - 1]);
    }
    const before = scoreChannels(model, analyzePruneGroups(model).groups, { kind: 'l1' }, { normalize: 'none' });
    expect(before.some((s) => s.raw.some((v, c) => c > 0 && v > s.raw[c - 1]))).toBe(true);
  });
});

describe('chooseLevelWidths', () => {
  it('gives each level the smallest step meeting fraction × dense, nested, on the stm32f405 cost model', () => {
    const full = orderByImportance(model);
    const analysis = analyzePruneGroups(full);
    const fractions = [1, 0.6, 0.35];
    const { dense, levels } = chooseLevelWidths(full, analysis, fractions, instructions);
    expect(dense).toBe(instructions(full));
    expect(levels[0].step).toBe(0);
    checkNested({ full, keep: levels.map((l) => l.keep) }, analysis);
    levels.forEach((l, k) => {
      const g = levelGraph({ full, keep: [l.keep] }, 0, analysis);
      expect(l.instructions).toBe(instructions(g));
      expect(l.instructions).toBeLessThanOrEqual(fractions[k] * dense);
      // One step less (where the level above allows it) would miss the fraction.
      const lessStep = Math.round(l.step * 100 - 1) / 100;
      if (k > 0 && lessStep >= levels[k - 1].step) {
        expect(instructions(levelGraph({ full, keep: [uniformKeep(analysis, lessStep)] }, 0, analysis))).toBeGreaterThan(fractions[k] * dense);
      }
    });
    expect(levels[2].instructions).toBeLessThan(levels[1].instructions);
    expect(Object.values(levels[2].keep).every((c, i) => c < Object.values(levels[1].keep)[i])).toBe(true);
  });

  it('uniformKeep removes round(step × size) of each group and always leaves one channel', () => {
    const analysis = analyzePruneGroups(model);
    expect(uniformKeep(analysis, 0)).toEqual({ conv1: 8, conv2: 16, fc1: 32 });
    expect(uniformKeep(analysis, 0.25)).toEqual({ conv1: 6, conv2: 12, fc1: 24 });
    expect(uniformKeep(analysis, 0.99)).toEqual({ conv1: 1, conv2: 1, fc1: 1 });
  });

  it('refuses a fraction no width reaches, naming the level and the smallest fraction reachable', () => {
    const full = orderByImportance(model);
    const analysis = analyzePruneGroups(full);
    let error: unknown;
    try {
      chooseLevelWidths(full, analysis, [1, 0.5, 0.005], instructions);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toMatch(/^level 2 \(0\.005 of the dense model's [\d,]+ predicted instructions\) cannot be reached/);
    expect((error as UserError).hint).toMatch(/give fractions of at least 0\.\d\d/);
  });

  it('takes explicit budgets as the limits: the smallest step within each, and one below every step refused naming the floor', () => {
    // A cheap measure (the weights' element count) stands in for the cost model: the choice is the same arithmetic.
    const params = (g: Graph) => [...g.initializers.values()].reduce((s, t) => s + t.data.length, 0);
    const full = orderByImportance(model);
    const analysis = analyzePruneGroups(full);
    const dense = params(full);
    const budgets = [dense + 100, Math.round(dense * 0.5), Math.round(dense * 0.2)];
    const { levels } = chooseLevelWidths(full, analysis, { instructions: budgets }, params, 'weights');
    expect(levels[0].step).toBe(0);
    levels.forEach((l, k) => {
      expect(l.limit).toBe(budgets[k]);
      expect(l.instructions).toBeLessThanOrEqual(budgets[k]);
      if (l.step > 0) expect(params(levelGraph({ full, keep: [uniformKeep(analysis, Math.round(l.step * 100 - 1) / 100)] }, 0, analysis))).toBeGreaterThan(budgets[k]);
    });
    expect(() => chooseLevelWidths(full, analysis, { instructions: [dense, 3] }, params, 'weights')).toThrow(/^level 1 \(3 weights; dense: [\d,]+\) cannot be reached: .* predicted at [\d,]+ at best/);
  });
});
