// The build's uniform contender: the smallest uniform cut meeting the budgets, and the search keeping whichever of it
// and its own final model scores higher on validation (scripted fine-tunes, a deterministic stand-in cost model).
import { describe, expect, it } from 'vitest';
import { modelStats } from '../../src/analysis/model-stats.js';
import { allHold, type Budget } from '../../src/build/budgets.js';
import type { FineTuner, TuneRequest } from '../../src/build/fine-tuner.js';
import { searchUnderBudget, type CostPredictor, type SearchOptions } from '../../src/build/search.js';
import { uniformContender } from '../../src/build/uniform-contender.js';
import type { Dataset } from '../../src/data/dataset.js';
import type { Graph } from '../../src/ir/graph.js';
import { digitsMlp } from '../../src/models/sample-models.js';
import type { ProgressiveData } from '../../src/prune/progressive.js';
import { analyzePruneGroups, pruneChannels, uniformRemovals } from '../../src/prune/structure/index.js';
import type { Trainer } from '../../src/prune/trainer.js';

const fakeCosts: CostPredictor = (g) => {
  const t = modelStats(g).totals;
  return { instructions: 2 * t.macs + 100, instructionsWorstCase: 2 * t.macs + 100, ramBytes: t.peakActivationBytes, flashBytes: 4 * (t.weights - t.zeroWeights) + 256 };
};
const budget = (name: Budget['name'], limit: number): Budget => ({ name, limit, givenAs: `test ${name} ${limit}` });
const shapes = (g: Graph) => [...g.initializers].map(([name, t]) => `${name}:${t.shape.join('x')}`).sort().join(' ');

describe('uniformContender', () => {
  const model = digitsMlp();
  const dense = fakeCosts(model).instructions;

  it('cuts every layer at the smallest 1% level whose predicted costs meet the budgets', () => {
    const budgets = [budget('instructions', Math.round(dense * 0.6))];
    const c = uniformContender(model, fakeCosts, budgets, { kind: 'l1' });
    if (!('graph' in c)) throw new Error(`skipped: ${c.skipped}`);
    expect(allHold(budgets, c.costs)).toBe(true);
    const level = Number(/^every layer (\d+)%/.exec(c.description)![1]);
    const analysis = analyzePruneGroups(model);
    const below = pruneChannels(model, uniformRemovals(model, analysis, (level - 1) / 100), analysis);
    expect(allHold(budgets, fakeCosts(below))).toBe(false);
    for (const g of analysis.groups) expect(c.description).toContain(g.id);
  });

  it('says why there is none when even a 99% cut of every layer misses a budget', () => {
    const c = uniformContender(model, fakeCosts, [budget('instructions', 10)], { kind: 'l1' });
    expect('skipped' in c && c.skipped).toMatch(/no uniform cut of every layer \(up to 99%\) meets the budgets/);
  });
});

describe('searchUnderBudget with the uniform contender', () => {
  const emptySet = (n: number): Dataset => ({ features: new Float32Array(n * 64), labels: new Int32Array(n), count: n, featureShape: [64], classes: 10, source: 'none' });
  const data: ProgressiveData = { train: emptySet(4), validation: emptySet(4), test: emptySet(4) };
  const trainer: Trainer = {
    canTrain: () => ({ ok: true }), fineTune: async (g) => g, score: async () => 0.95,
    gradients: async () => new Map(), batchGradients: async () => [], dispose: () => {},
  };
  /**
   * Every fine-tune scores 0.95 on validation (loss `loss`, when given) but the contender's, which scores `rival` (loss
   * `rivalLoss`); the requests are kept.
   */
  const tuner = (rival: number, requests: TuneRequest[], losses: { loss?: number; rivalLoss?: number } = {}): FineTuner => ({
    description: 'scripted',
    tuneMany: async (list) => {
      requests.push(...list);
      return list.map((r) => (r.what.startsWith('the uniform contender') ? { graph: r.graph, validation: rival, loss: losses.rivalLoss } : { graph: r.graph, validation: 0.95, loss: losses.loss }));
    },
  });
  const budgets = [budget('instructions', Math.round(fakeCosts(digitsMlp()).instructions * 0.6))];
  const options = (t: FineTuner, uniform: boolean): SearchOptions => ({
    budgets, maxDrop: 100, proposalEpochs: 1, finalEpochs: 3, recoveryRounds: 0, recoveryEpochs: 0, repeats: 1, maxIterations: 50, criterion: 'l1', weightProposals: false, tuner: t, uniformContender: uniform,
  });

  it('keeps the contender when it scores higher, fine-tuned as long as the search\'s model was in all', async () => {
    const requests: TuneRequest[] = [];
    const r = await searchUnderBudget(digitsMlp(), trainer, data, fakeCosts, options(tuner(0.97, requests), true));
    const contender = uniformContender(digitsMlp(), fakeCosts, budgets, { kind: 'l1' });
    if (!('graph' in contender)) throw new Error('no contender');
    expect(r.met).toBe(true);
    expect(r.contender).toMatchObject({ description: contender.description, chosen: true, validation: 0.97, searchValidation: 0.95 });
    expect(shapes(r.graph)).toBe(shapes(contender.graph));
    expect(r.final.validation).toBe(0.97);
    // The search's path: one epoch per accepted iteration, then the final fine-tune; the contender gets as many.
    const searchEpochs = r.iterations.length * 1 + 3;
    const rivalRequest = requests.find((q) => q.what.startsWith('the uniform contender'))!;
    expect(rivalRequest.epochs).toBe(searchEpochs);
    expect(r.contender!.epochs).toBe(searchEpochs);
    expect(r.fineTuning.keptEpochs).toBe(searchEpochs);
    // It ran in the same batch as the final fine-tune (beside it on a pool of workers).
    const finalAt = requests.findIndex((q) => q.what === 'the final model');
    expect(requests.indexOf(rivalRequest)).toBe(finalAt + 1);
  });

  it('keeps the search\'s model on a tie, and says the contender was not kept', async () => {
    const r = await searchUnderBudget(digitsMlp(), trainer, data, fakeCosts, options(tuner(0.95, []), true));
    const alone = await searchUnderBudget(digitsMlp(), trainer, data, fakeCosts, options(tuner(0.95, []), false));
    expect(r.contender).toMatchObject({ chosen: false, validation: 0.95 });
    expect(shapes(r.graph)).toBe(shapes(alone.graph));
    expect(alone.contender).toBeUndefined();
  });

  it('decides a tie of the scores by the validation loss', async () => {
    const lower = await searchUnderBudget(digitsMlp(), trainer, data, fakeCosts, options(tuner(0.95, [], { loss: 0.30, rivalLoss: 0.25 }), true));
    expect(lower.contender).toMatchObject({ chosen: true, loss: 0.25, searchLoss: 0.30 });
    const higher = await searchUnderBudget(digitsMlp(), trainer, data, fakeCosts, options(tuner(0.95, [], { loss: 0.30, rivalLoss: 0.35 }), true));
    expect(higher.contender).toMatchObject({ chosen: false, loss: 0.35, searchLoss: 0.30 });
  });
});
