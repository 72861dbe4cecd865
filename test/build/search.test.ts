// The budget search (searchUnderBudget): real cost model and trainer on a small MLP, and scripted trainers for the stop reasons and the dense reference.
import { beforeAll, describe, expect, it } from 'vitest';
import { modelStats } from '../../src/analysis/model-stats.js';
import { worstRatio, type Budget, type Costs } from '../../src/build/budgets.js';
import { bindCostModel } from '../../src/build/cost-binding.js';
import { breaksHeldBudget, chooseByWorstBudget, gapClosed, searchUnderBudget, type CostPredictor, type SearchIteration, type SearchOptions } from '../../src/build/search.js';
import { readCsvDataset } from '../../src/data/csv.js';
import { subset, type Dataset } from '../../src/data/dataset.js';
import { splitDataset } from '../../src/data/split.js';
import type { Graph } from '../../src/ir/graph.js';
import { digitsMlp } from '../../src/models/sample-models.js';
import type { ProgressiveData } from '../../src/prune/progressive.js';
import type { Trainer } from '../../src/prune/trainer.js';
import { weightSparsity } from '../../src/prune/weight-masks.js';
import { findMcuTarget } from '../../src/targets/load-targets.js';
import { UserError } from '../../src/errors.js';
import { createGraphTrainer } from '../../src/train/index.js';

const target = findMcuTarget('stm32f405');

/** A deterministic stand-in for the cost model: instructions from MACs, RAM from activations, flash from non-zero weights. */
const fakeCosts: CostPredictor = (g) => {
  const t = modelStats(g).totals;
  return { instructions: 2 * t.macs + 100, instructionsWorstCase: 2 * t.macs + 100, ramBytes: t.peakActivationBytes, flashBytes: 4 * (t.weights - t.zeroWeights) + 256 };
};

const emptySet = (n: number): Dataset => ({ features: new Float32Array(n * 64), labels: new Int32Array(n), count: n, featureShape: [64], classes: 10, source: 'none' });
const noData: ProgressiveData = { train: emptySet(4), validation: emptySet(4), test: emptySet(4) };

/** A trainer that never trains (fineTune returns the graph as is) and scores with `score`; records its calls (a cosine schedule too). */
function scriptedTrainer(score: (g: Graph) => number, calls: string[] = [], canTrain = true): Trainer {
  return {
    canTrain: () => (canTrain ? { ok: true } : { ok: false, reason: 'scripted: no training' }),
    fineTune: async (g, masks, epochs, _progress, _seed, schedule) => {
      calls.push(`fineTune ${epochs}${schedule === 'cosine' ? ' cosine' : ''}`);
      return g;
    },
    score: async (g, ds) => {
      calls.push(`score ${ds.source}`);
      return score(g);
    },
    gradients: async () => new Map(),
    batchGradients: async () => [],
    dispose: () => {},
  };
}

const options = (budgets: Budget[], o: Partial<SearchOptions> = {}): SearchOptions => ({
  budgets, maxDrop: 100, proposalEpochs: 1, finalEpochs: 0, recoveryRounds: 0, recoveryEpochs: 0, repeats: 1, maxIterations: 50, criterion: 'l1', weightProposals: false, ...o,
});

const budget = (name: Budget['name'], limit: number): Budget => ({ name, limit, givenAs: `test ${name} ${limit}` });

/** Each iteration's costs before it ran: the dense costs, then the previous iteration's. */
const costsBefore = (dense: Costs, its: SearchIteration[]) => its.map((_, i) => (i === 0 ? dense : its[i - 1].costs));

describe('searchUnderBudget with the stm32f405 cost model and a real trainer', () => {
  let data: ProgressiveData;
  let predict: CostPredictor;
  let start: Graph;
  let trainer: Trainer;

  beforeAll(async () => {
    const ds = readCsvDataset('examples/digits/digits.csv.gz');
    for (let i = 0; i < ds.features.length; i++) ds.features[i] /= 16;
    const split = splitDataset(ds, { validation: 0.2, test: 0.2 }, 3);
    const first = (d: Dataset, n: number) => subset(d, Array.from({ length: Math.min(n, d.count) }, (_, i) => i));
    data = { train: first(split.train, 400), validation: first(split.validation, 150), test: first(split.test, 150) };
    predict = (await bindCostModel(target)).costs;
    trainer = createGraphTrainer(data.train, { seed: 1, learningRate: 3e-3 });
    start = await trainer.fineTune(digitsMlp(), undefined, 8);
  });

  it('prunes until the instruction and RAM budgets hold, recording every iteration and its chosen proposal', async () => {
    const dense = predict(start);
    const budgets = [budget('instructions', Math.round(dense.instructions * 0.8)), budget('ramBytes', Math.round(dense.ramBytes * 0.9))];
    const seen: SearchIteration[] = [];
    const proposed: string[] = [];
    const r = await searchUnderBudget(start, trainer, data, predict, options(budgets, { maxDrop: 10, recoveryRounds: 1, finalEpochs: 1 }), {
      onIteration: (it) => void seen.push(it),
      onProposal: (d) => void proposed.push(d),
    });

    expect(r.met).toBe(true);
    expect(r.stoppedBecause).toBeNull();
    // The result's predicted costs are within every limit, and are what the report will show.
    const final = predict(r.graph);
    expect(r.final.costs).toEqual(final);
    for (const b of budgets) expect(final[b.name]).toBeLessThanOrEqual(b.limit);
    expect(r.dense.costs).toEqual(dense);
    expect(r.dense.validation).toBe(await trainer.score(start, data.validation));
    // The trainer gives the loss with the score in one pass (the search ranks proposals by it).
    const assessed = await trainer.assess!(start, data.validation);
    expect(assessed.score).toBe(r.dense.validation);
    expect(assessed.loss).toBeGreaterThan(0);
    expect(Number.isFinite(assessed.loss)).toBe(true);
    expect(r.final.test).toBe(await trainer.score(r.graph, data.test));
    expect(r.dense.validation - r.final.validation).toBeLessThanOrEqual(0.1);
    expect(modelStats(r.graph).totals.macs).toBeLessThan(modelStats(start).totals.macs);

    // Every iteration: numbered in order, a chosen proposal among those tried, the constrained cost lowered by its step.
    expect(r.iterations.length).toBeGreaterThan(1);
    expect(seen).toEqual(r.iterations);
    expect(r.iterations.map((it) => it.iteration)).toEqual(r.iterations.map((_, i) => i + 1));
    // Every proposal tried was announced (the record lists them most accurate first).
    let next = 0;
    for (const it of r.iterations) {
      const announced = proposed.slice(next, (next += it.proposals.length));
      expect(announced.sort()).toEqual(it.proposals.map((p) => p.description).sort());
    }
    expect(next).toBe(proposed.length);
    const before = costsBefore(dense, r.iterations);
    r.iterations.forEach((it, i) => {
      expect(it.chosen).not.toBeNull();
      const chosen = it.proposals.find((p) => p.description === it.chosen);
      expect(chosen).toBeDefined();
      expect(chosen!.costs).toEqual(it.costs);
      // Chosen by points per fraction of the worst budget's gap closed (chooseByWorstBudget), not by accuracy alone.
      expect(it.validation).toBe(chosen!.validation);
      expect(it.recovery).toBeNull();
      expect(before[i][it.constrained] - it.costs[it.constrained]).toBeGreaterThanOrEqual(it.step - 1e-9);
      expect(it.step).toBeGreaterThan(0);
      // One layer's neurons, or the same share of every layer's (the every-layer proposal).
      expect(it.chosen).toMatch(/^(fc[12]: \d+ of \d+ |every layer \d+% \(fc1 \d+ of 64, fc2 \d+ of 32\))/);
    });
    // Each iteration lowers the most violated budget (instructions at 1.25× its limit first, RAM at 1.11×); the
    // other unmet budget gets structural proposals of its own in the same iteration.
    expect(r.iterations[0].constrained).toBe('instructions');
    r.iterations.forEach((it, i) => expect(it.constrained).toBe(worstRatio(budgets, before[i]).budget.name));
    // The last iteration's costs are the result's (the final fine-tune keeps the structure and the zeros).
    expect(r.iterations.at(-1)!.costs).toEqual(r.final.costs);
  });
});

describe('searchUnderBudget stop reasons (scripted trainers)', () => {
  const start = digitsMlp();
  const denseMacs = modelStats(start).totals.macs;
  /** Accuracy proportional to the MACs kept: every structural reduction costs accuracy. */
  const fragile = (g: Graph) => 0.9 * (modelStats(g).totals.macs / denseMacs);

  it('an impossible budget: prunes to the smallest model, then stops naming the budget (met = false)', async () => {
    const predict = (await bindCostModel(target)).costs;
    const r = await searchUnderBudget(start, scriptedTrainer(() => 0.9), noData, predict, options([budget('instructions', 10)]));
    expect(r.met).toBe(false);
    expect(r.stoppedBecause).toMatch(/^no structural or weight reduction lowers instructions further \(at [\d,]+, limit 10\)$/);
    expect(r.iterations.length).toBeGreaterThan(0);
    expect(r.iterations.every((it) => it.chosen !== null && it.constrained === 'instructions')).toBe(true);
    expect(r.final.costs.instructions).toBeGreaterThan(10);
    expect(r.final.costs.instructions).toBeLessThan(r.dense.costs.instructions);
    expect(r.stoppedBecause).toContain(r.final.costs.instructions.toLocaleString('en-US'));
    // The smallest cost any candidate reached is the final model's here (every step was accepted).
    expect(r.smallestSeen.instructions!.cost).toBe(r.final.costs.instructions);
    expect(r.smallestSeen.instructions!.description).not.toBe('the start model');
  });

  it('stops on the iteration limit when the budget needs more iterations', async () => {
    const dense = fakeCosts(start);
    const r = await searchUnderBudget(start, scriptedTrainer(() => 0.9), noData, fakeCosts, options([budget('instructions', Math.round(dense.instructions / 2))], { maxIterations: 1 }));
    expect(r.met).toBe(false);
    expect(r.iterations).toHaveLength(1);
    expect(r.stoppedBecause).toBe('the search used its 1 iterations');
  });

  it('stops on the accuracy limit when no proposal keeps the accuracy and fine-tuning cannot recover it', async () => {
    const calls: string[] = [];
    const dense = fakeCosts(start);
    const o = options([budget('instructions', Math.round(dense.instructions * 0.8))], { maxDrop: 0.001, recoveryRounds: 2, finalEpochs: 3 });
    const r = await searchUnderBudget(start, scriptedTrainer(fragile, calls), noData, fakeCosts, o);
    expect(r.met).toBe(false);
    // Recovery was tried in order, and the message says so: more fine-tuning of the best proposal, then smaller steps.
    expect(r.stoppedBecause).toMatch(/^the best reduction of instructions \((fc[12]: \d+ of \d+ neurons)\) drops \d+\.\d\d points, more than the allowed 0\.001; tried 2 more fine-tuning rounds of the best proposal, steps down to 1\/8 of the step; the best drop reached was \d+\.\d\d points \(fc[12]: \d+ of \d+ neurons\)$/);
    // The rejected iteration is recorded, with nothing chosen and the model left as it was.
    expect(r.iterations).toHaveLength(1);
    const [it] = r.iterations;
    expect(it.chosen).toBeNull();
    expect(it.proposals.length).toBeGreaterThan(0);
    expect(it.proposals.every((p) => p.validation < r.dense.validation)).toBe(true);
    expect(it.costs).toEqual(dense);
    expect(r.stoppedBecause).toContain(it.proposals.reduce((a, b) => (b.validation > a.validation ? b : a)).description);
    expect(r.graph).toBe(start);
    expect(r.final).toEqual({ validation: r.dense.validation, test: r.dense.test, costs: dense });
    // One fine-tune per proposal (the smaller steps' included), and the recovery rounds on the best one; no final fine-tune (the budget does not hold).
    expect(calls.filter((c) => c.startsWith('fineTune'))).toEqual(Array(it.proposals.length + 2).fill('fineTune 1'));
    // The tally: every epoch counted, none on the path of the model returned (the start model).
    expect(r.fineTuning).toEqual({ epochs: it.proposals.length + 2, keptEpochs: 0 });
  });

  it('offers the same share of every layer as one proposal, lowering the cost by the step', async () => {
    const dense = fakeCosts(start);
    const r = await searchUnderBudget(start, scriptedTrainer(fragile), noData, fakeCosts, options([budget('instructions', Math.round(dense.instructions * 0.8))], { maxIterations: 1 }));
    const [it] = r.iterations;
    const every = it.proposals.filter((p) => p.description.startsWith('every layer'));
    expect(every).toHaveLength(1);
    expect(every[0].description).toMatch(/^every layer \d+% \(fc1 \d+ of 64, fc2 \d+ of 32\)$/);
    expect(dense.instructions - every[0].costs.instructions).toBeGreaterThanOrEqual(it.step - 1e-9);
  });

  it('with a drop reserve, accepts within the allowance less the reserve until no proposal stays within it, then within the whole allowance', async () => {
    const dense = fakeCosts(start);
    const o = options([budget('instructions', Math.round(dense.instructions * 0.88))], { maxDrop: 12, dropReserve: 0.5, halvings: 1 });
    const r = await searchUnderBudget(start, scriptedTrainer(fragile), noData, fakeCosts, o);
    expect(r.met).toBe(true);
    const points = (v: number) => (r.dense.validation - v) * 100;
    const at = r.iterations.findIndex((it) => it.recovery?.startsWith('beyond 6 points (the allowance less its reserve)'));
    expect(at).toBeGreaterThan(0);
    for (const it of r.iterations.slice(0, at)) expect(points(it.validation)).toBeLessThanOrEqual(6 + 1e-9);
    expect(points(r.iterations[at].validation)).toBeGreaterThan(6);
    for (const it of r.iterations) expect(points(it.validation)).toBeLessThanOrEqual(12 + 1e-9);
    // Without the reserve, the same search never needs it.
    const plain = await searchUnderBudget(start, scriptedTrainer(fragile), noData, fakeCosts, { ...o, dropReserve: 0 });
    expect(plain.met).toBe(true);
    expect(plain.iterations.some((it) => it.recovery?.startsWith('beyond'))).toBe(false);
  });

  it('with a drop reserve, a proposal within the whole allowance only after its recovery rounds is the one chosen', async () => {
    // Each fine-tune of a pruned model wins back 0.8 points: 2.0 points down after the first, 1.2 after the second.
    const tunes = new WeakMap<Graph, number>();
    const trainer: Trainer = {
      ...scriptedTrainer(() => 0.9),
      fineTune: async (g) => {
        const copy = { ...g };
        tunes.set(copy, (tunes.get(g) ?? 0) + 1);
        return copy;
      },
      score: async (g) => (g === start ? 0.9 : 0.9 - (2.8 - 0.8 * (tunes.get(g) ?? 0)) / 100),
    };
    const dense = fakeCosts(start);
    const o = options([budget('instructions', Math.round(dense.instructions * 0.97))], { maxDrop: 1.5, dropReserve: 0.5, recoveryRounds: 1, halvings: 0, maxIterations: 1 });
    const r = await searchUnderBudget(start, trainer, noData, fakeCosts, o);
    const [it] = r.iterations;
    expect(it.chosen).not.toBeNull();
    expect(it.recovery).toMatch(/^beyond 0\.75 points \(the allowance less its reserve\)/);
    expect((r.dense.validation - it.validation) * 100).toBeCloseTo(1.2, 6);
  });

  it('the same search meets the budget when pruning costs no accuracy (the accuracy limit was the reason)', async () => {
    const calls: string[] = [];
    const dense = fakeCosts(start);
    const o = options([budget('instructions', Math.round(dense.instructions * 0.8))], { maxDrop: 0, recoveryRounds: 2, finalEpochs: 3 });
    const r = await searchUnderBudget(start, scriptedTrainer(() => 0.9, calls), noData, fakeCosts, o);
    expect(r.met).toBe(true);
    expect(r.stoppedBecause).toBeNull();
    expect(r.final.costs.instructions).toBeLessThanOrEqual(o.budgets[0].limit);
    // No recovery rounds were needed; the final fine-tune ran once, with finalEpochs.
    const tunes = calls.filter((c) => c.startsWith('fineTune'));
    expect(tunes.at(-1)).toBe('fineTune 3');
    expect(tunes.slice(0, -1)).toEqual(Array(r.iterations.reduce((n, it) => n + it.proposals.length, 0)).fill('fineTune 1'));
    // Every epoch in the tally; on the kept path one proposal epoch per iteration and the final fine-tune.
    expect(r.fineTuning).toEqual({ epochs: tunes.length - 1 + 3, keptEpochs: r.iterations.length + 3 });
  });

  it('--anneal: none keeps every fine-tune at the constant rate; long anneals the final and the contender\'s; all anneals the proposals\' too', async () => {
    const dense = fakeCosts(start);
    const run = async (anneal?: SearchOptions['anneal']) => {
      const calls: string[] = [];
      const o = options([budget('instructions', Math.round(dense.instructions * 0.8))], { finalEpochs: 3, uniformContender: true, anneal });
      const r = await searchUnderBudget(start, scriptedTrainer(() => 0.9, calls), noData, fakeCosts, o);
      expect(r.met).toBe(true);
      expect(r.contender?.description).toMatch(/^every layer/);
      return calls.filter((c) => c.startsWith('fineTune'));
    };
    const none = await run();
    expect(none.every((c) => !c.endsWith('cosine'))).toBe(true);
    expect(await run('none')).toEqual(none);
    const long = await run('long');
    // The same fine-tunes (the scripted trainer does not train): the last two, the final model's (3 epochs) and the contender's, anneal.
    expect(long.length).toBe(none.length);
    expect(long.slice(0, -2)).toEqual(none.slice(0, -2));
    expect(long.at(-2)).toBe('fineTune 3 cosine');
    expect(long.at(-1)).toMatch(/^fineTune \d+ cosine$/);
    const all = await run('all');
    expect(all).toEqual(none.map((c) => `${c} cosine`));
  });

  it('offers weight-pruning proposals, and keeps their masks, when they are the most accurate', async () => {
    const dense = fakeCosts(start);
    const limit = Math.round(dense.flashBytes * 0.6);
    const r = await searchUnderBudget(start, scriptedTrainer(fragile), noData, fakeCosts, options([budget('flashBytes', limit)], { maxDrop: 0.001, weightProposals: true }));
    expect(r.met).toBe(true);
    expect(r.final.costs.flashBytes).toBeLessThanOrEqual(limit);
    expect(r.iterations.length).toBeGreaterThan(0);
    for (const it of r.iterations) {
      expect(it.chosen).toMatch(/^fc[123]\.weight: weights to \d+% zeros$/);
      expect(it.proposals.some((p) => /neurons$/.test(p.description))).toBe(true);
    }
    expect(modelStats(r.graph).totals.macs).toBe(denseMacs);
    expect(weightSparsity(r.graph)).toBeGreaterThan(0.3);
    // The masks returned are the zeros of the result.
    let masked = 0;
    for (const [name, mask] of r.masks) {
      const w = r.graph.initializers.get(name)!.data as Float32Array;
      mask.forEach((keep, i) => {
        if (!keep) {
          masked++;
          expect(w[i]).toBe(0);
        }
      });
    }
    expect(masked).toBe(modelStats(r.graph).totals.zeroWeights);
  });

  it('leaves out proposals that break a budget that holds while others remain; offers them when none remain', async () => {
    // Weight proposals are the most accurate (fragile scores structural cuts down) but, as a sparse kernel's scratch
    // might, each pushes RAM over its limit, which holds at the start: they are left out.
    const sparseScratch: CostPredictor = (g) => ({ ...fakeCosts(g), ramBytes: fakeCosts(g).ramBytes + (modelStats(g).totals.zeroWeights > 0 ? 64 : 0) });
    const dense = sparseScratch(start);
    const budgets = [budget('flashBytes', Math.round(dense.flashBytes * 0.6)), budget('ramBytes', dense.ramBytes)];
    const r = await searchUnderBudget(start, scriptedTrainer(fragile), noData, sparseScratch, options(budgets, { maxDrop: 100, weightProposals: true }));
    expect(r.iterations.length).toBeGreaterThan(0);
    expect(r.iterations[0].proposals.some((p) => /weights to/.test(p.description))).toBe(false);
    for (const it of r.iterations) {
      // A weight proposal is offered only where its scratch still fits (after cuts that shrank the activations).
      expect(it.proposals.filter((p) => /weights to/.test(p.description) && p.costs.ramBytes > dense.ramBytes)).toEqual([]);
      expect(it.costs.ramBytes).toBeLessThanOrEqual(dense.ramBytes);
    }
    expect(r.met).toBe(true);
    // Only weight proposals lower flash here: they are offered after all (a later step might win the RAM back).
    const weightOnly: CostPredictor = (g) => ({ ...sparseScratch(g), flashBytes: 4 * (modelStats(start).totals.weights - modelStats(g).totals.zeroWeights) });
    const only = await searchUnderBudget(start, scriptedTrainer(() => 0.9), noData, weightOnly, options([budget('flashBytes', 10), budget('ramBytes', dense.ramBytes)], { weightProposals: true, maxIterations: 1 }));
    expect(only.iterations[0].proposals.length).toBeGreaterThan(0);
    expect(only.iterations[0].proposals.every((p) => /weights to/.test(p.description))).toBe(true);
    expect(only.iterations[0].chosen).toMatch(/weights to/);
  });

  it('a longer fine-tune of the current model is kept when its validation loss fell, even one sample lower in accuracy', async () => {
    // Every proposal drops 10 points until the current model has been recovered (the 5-epoch fine-tune); after it
    // they drop nothing. The recovered model scores one sample lower (0.895) at a lower or a higher loss.
    const schedules: string[] = [];
    const run = async (recoveredLoss: number, anneal?: SearchOptions['anneal']) => {
      let recovered = false;
      schedules.length = 0;
      const dense = modelStats(start).totals.macs;
      const trainer: Trainer = {
        ...scriptedTrainer(() => 0),
        fineTune: async (g, _m, epochs, _progress, _seed, schedule) => {
          schedules.push(`${epochs} ${schedule ?? 'constant'}`);
          if (epochs === 5) return { ...g, recoveredCopy: true } as unknown as Graph;
          return g;
        },
        assess: async (g) => {
          const full = modelStats(g).totals.macs === dense;
          if ((g as unknown as { recoveredCopy?: boolean }).recoveredCopy) return { score: 0.895, loss: recoveredLoss };
          if (full) return { score: 0.9, loss: 0.3 };
          return recovered ? { score: 0.9, loss: 0.3 } : { score: 0.8, loss: 0.9 };
        },
      };
      trainer.score = async (g, ds) => (await trainer.assess!(g, ds)).score;
      const o = options([budget('instructions', Math.round(fakeCosts(start).instructions * 0.9))], { maxDrop: 1, recoveryRounds: 0, recoveryEpochs: 5, halvings: 0, anneal });
      // The recovered copy becomes the current model when kept: from then on proposals are made from it.
      const wrapped: Trainer = { ...trainer, assess: async (g, ds) => { const a = await trainer.assess!(g, ds); if ((g as unknown as { recoveredCopy?: boolean }).recoveredCopy && a.loss < 0.3) recovered = true; return a; } };
      return searchUnderBudget(start, wrapped, noData, fakeCosts, o);
    };
    const kept = await run(0.25);
    expect(kept.met).toBe(true);
    expect(kept.iterations[0].recovery).toBe('after more fine-tuning of the current model (validation from 90.00%)');
    expect(kept.fineTuning.keptEpochs).toBe(5 + kept.iterations.length); // the recovery, then one proposal epoch per step
    expect(schedules).toContain('5 constant');
    const dropped = await run(0.35);
    expect(dropped.met).toBe(false);
    expect(dropped.stoppedBecause).toContain('5 more epochs of the current model (did not help: validation 90.00% → 89.50%; the previous weights kept)');
    // --anneal long: the recovery of the current model anneals, the proposals' fine-tunes do not.
    const annealed = await run(0.25, 'long');
    expect(annealed.met).toBe(true);
    expect(schedules.filter((s) => s.startsWith('5 '))).toEqual(['5 cosine']);
    expect(schedules.filter((s) => s.startsWith('1 ')).every((s) => s === '1 constant')).toBe(true);
  });

  it('ranks proposals without fine-tuning (and warns) when the model cannot be trained', async () => {
    const calls: string[] = [];
    const warnings: string[] = [];
    const dense = fakeCosts(start);
    const r = await searchUnderBudget(start, scriptedTrainer(() => 0.9, calls, false), noData, fakeCosts,
      options([budget('instructions', Math.round(dense.instructions * 0.8))], { finalEpochs: 2 }), { onWarning: (w) => void warnings.push(w) });
    expect(r.met).toBe(true);
    expect(warnings).toEqual(['the model cannot be fine-tuned (scripted: no training); proposals are ranked without fine-tuning']);
    expect(calls.filter((c) => c.startsWith('fineTune'))).toEqual([]);
  });

  it('warns when the start model scores near chance (an untrained model), and not otherwise', async () => {
    const dense = fakeCosts(start);
    const warn = async (score: number) => {
      const warnings: string[] = [];
      await searchUnderBudget(start, scriptedTrainer(() => score), noData, fakeCosts, options([budget('ramBytes', dense.ramBytes)]), { onWarning: (w) => void warnings.push(w) });
      return warnings;
    };
    expect(await warn(0.11)).toEqual([expect.stringMatching(/scores 11\.0% on the validation split, near chance for 10 classes \(10\.0%\): is it trained\?/)]);
    expect(await warn(0.9)).toEqual([]);
  });

  it('returns at once when the budgets already hold', async () => {
    const dense = fakeCosts(start);
    const r = await searchUnderBudget(start, scriptedTrainer(() => 0.9), noData, fakeCosts, options([budget('ramBytes', dense.ramBytes)]));
    expect(r).toMatchObject({ met: true, stoppedBecause: null, iterations: [], graph: start });
    expect(r.final.costs).toEqual(dense);
  });
});

describe('searchUnderBudget with a dense reference (a later round of the build)', () => {
  const start = digitsMlp();
  const costs = fakeCosts(start);
  const o = (extra: Partial<SearchOptions> = {}) => options([budget('instructions', Math.round(costs.instructions * 0.8))], { maxDrop: 2, ...extra });

  it('measures drops from the reference scores, not from the start model', async () => {
    // The start model scores 0.9; the reference (the original dense model) scored 0.95: already 5 points down.
    const reference = { validation: 0.95, test: 0.96, costs };
    const withRef = await searchUnderBudget(start, scriptedTrainer(() => 0.9), noData, fakeCosts, o({ reference }));
    expect(withRef.dense).toEqual(reference);
    expect(withRef.met).toBe(false);
    expect(withRef.stoppedBecause).toMatch(/drops 5\.00 points, more than the allowed 2; /);
    // The iteration starts from the start model's own score.
    expect(withRef.iterations[0].validation).toBe(0.9);
    expect(withRef.final.validation).toBe(0.9);

    // Without the reference the same search measures from 0.9 and meets the budget.
    const without = await searchUnderBudget(start, scriptedTrainer(() => 0.9), noData, fakeCosts, o());
    expect(without.met).toBe(true);
    expect(without.dense).toEqual({ validation: 0.9, test: 0.9, costs });
  });

  it('takes the step size from the reference costs and does not score the start on the test split up front', async () => {
    const reference = { validation: 0.9, test: 0.91, costs: { instructions: costs.instructions * 4, instructionsWorstCase: costs.instructions * 4, ramBytes: costs.ramBytes, flashBytes: costs.flashBytes } };
    const calls: string[] = [];
    const trainer = scriptedTrainer(() => 0.9, calls);
    const r = await searchUnderBudget(start, trainer, { ...noData, test: { ...emptySet(4), source: 'test-split' } }, fakeCosts, o({ reference }));
    expect(r.met).toBe(true);
    expect(r.dense).toEqual(reference);
    const gap = costs.instructions - Math.round(costs.instructions * 0.8);
    // A twentieth of the reference's instructions (larger than a sixth of the gap), capped by the gap.
    expect(r.iterations[0].step).toBe(Math.min(gap, Math.max(reference.costs.instructions * 0.05, gap / 6)));
    expect(r.iterations[0].step).not.toBe(Math.min(gap, Math.max(costs.instructions * 0.05, gap / 6)));
    // The test split is scored once, for the final model only.
    expect(calls.filter((c) => c === 'score test-split')).toHaveLength(1);
  });

  it('with the budgets already met, reports the reference as dense and the start model as final', async () => {
    const reference = { validation: 0.97, test: 0.96, costs: { instructions: 1e6, instructionsWorstCase: 1e6, ramBytes: 1e4, flashBytes: 1e6 } };
    const r = await searchUnderBudget(start, scriptedTrainer(() => 0.93), noData, fakeCosts, options([budget('instructions', costs.instructions)], { reference }));
    expect(r.met).toBe(true);
    expect(r.iterations).toEqual([]);
    expect(r.dense).toEqual(reference);
    expect(r.final).toEqual({ validation: 0.93, test: 0.93, costs });
  });
});

describe('searchUnderBudget never accepts a NaN score', () => {
  const start = digitsMlp();
  const denseRows = start.initializers.get('fc1.weight')!.shape[0];

  it('a proposal scoring NaN is never chosen, whatever the allowed drop: the search stops instead', async () => {
    const r = await searchUnderBudget(start, scriptedTrainer((g) => (g === start ? 0.9 : NaN)), noData, fakeCosts, options([budget('instructions', 10)], { maxDrop: 100 }));
    expect(r.iterations).toHaveLength(1);
    expect(r.iterations[0].chosen).toBeNull();
    expect(r.stoppedBecause).toMatch(/drops Infinity points, more than the allowed 100; /);
    expect(r.graph).toBe(start);
    expect(r.met).toBe(false);
  });

  it('ranks NaN proposals last: a finite proposal wins even when it scores lower than the dense model', async () => {
    const score = (g: Graph) => (g === start ? 0.9 : g.initializers.get('fc1.weight')!.shape[0] < denseRows ? NaN : 0.5);
    const r = await searchUnderBudget(start, scriptedTrainer(score), noData, fakeCosts, options([budget('instructions', Math.round(fakeCosts(start).instructions * 0.97))], { maxDrop: 100 }));
    expect(r.iterations[0].proposals.some((p) => Number.isNaN(p.validation))).toBe(true);
    expect(r.iterations[0].chosen).toMatch(/^fc2: /);
    expect(r.iterations[0].validation).toBe(0.5);
  });

  it('a final fine-tune that scores NaN is not kept', async () => {
    const tuned = new Set<Graph>();
    const trainer: Trainer = {
      ...scriptedTrainer((g) => (tuned.has(g) ? NaN : 0.9)),
      fineTune: async (g, _masks, epochs) => {
        if (epochs !== 7) return g;
        const copy = { ...g };
        tuned.add(copy);
        return copy;
      },
    };
    const r = await searchUnderBudget(start, trainer, noData, fakeCosts, options([budget('instructions', Math.round(fakeCosts(start).instructions * 0.97))], { finalEpochs: 7 }));
    expect(r.met).toBe(true);
    expect(tuned.size).toBe(1);
    expect(tuned.has(r.graph)).toBe(false);
    expect(r.final.validation).toBe(0.9);
  });

  it('refuses a start model whose weights hold NaN, and one whose validation score is NaN', async () => {
    const bad = { ...start, initializers: new Map(start.initializers) };
    const w = start.initializers.get('fc2.weight')!.clone();
    (w.data as Float32Array)[3] = NaN;
    bad.initializers.set('fc2.weight', w);
    await expect(searchUnderBudget(bad, scriptedTrainer(() => 0.9), noData, fakeCosts, options([budget('instructions', 10)]))).rejects.toThrow(/node 'fc2' \(Gemm\): its weight 'fc2\.weight' holds NaN \(1 of 2048 values are not finite\)/);
    await expect(searchUnderBudget(start, scriptedTrainer(() => NaN), noData, fakeCosts, options([budget('instructions', 10)]))).rejects.toThrow(/the model gives NaN or infinite outputs on the 4 samples of the validation split/);
  });

  it('a proposal whose fine-tune diverges stops the search, naming the proposal', async () => {
    const trainer: Trainer = {
      ...scriptedTrainer(() => 0.9),
      fineTune: async () => {
        throw new UserError('training diverged in epoch 1 of 1: the weights of layer \'fc1\' ...', 'lower the learning rate');
      },
    };
    await expect(searchUnderBudget(start, trainer, noData, fakeCosts, options([budget('instructions', 10)]))).rejects.toThrow(/^fine-tuning proposal '.+' \(iteration 1\): training diverged in epoch 1 of 1/);
  });
});

describe('the choice by the worst budget (chooseByWorstBudget)', () => {
  const budgets = [budget('instructions', 100), budget('ramBytes', 100)];
  const now = { instructions: 150, instructionsWorstCase: 150, ramBytes: 120, flashBytes: 0 };

  it('gapClosed: the fraction of the worst budget\'s excess a proposal removes, counting the budget that becomes the worst', () => {
    // Worst: instructions at 1.5× (gap 0.5). Down to 130: the worst is 1.3 (gap 0.3), 40% closed.
    expect(gapClosed(budgets, now, { ...now, instructions: 130 })).toBeCloseTo(0.4, 12);
    // Down to 100: RAM (1.2×) is the worst now, so 60% of the gap is closed, not 100%.
    expect(gapClosed(budgets, now, { ...now, instructions: 100 })).toBeCloseTo(0.6, 12);
    // Lowering RAM alone closes nothing of the worst gap; both within: all of it.
    expect(gapClosed(budgets, now, { ...now, ramBytes: 90 })).toBe(0);
    expect(gapClosed(budgets, now, { ...now, instructions: 90, instructionsWorstCase: 90, ramBytes: 90 })).toBe(1);
  });

  it('prefers fewer points lost per fraction of the gap closed over the most accurate proposal', () => {
    const a = { name: 'accurate, small step', validation: 0.95, costs: { ...now, instructions: 140 } }; // 0 lost, 20% closed
    const b = { name: 'lossy, big step', validation: 0.945, costs: { ...now, instructions: 110, instructionsWorstCase: 110, ramBytes: 100 } }; // 0.5 lost, 80% closed
    const c = { name: 'RAM only', validation: 0.96, costs: { ...now, ramBytes: 90 } }; // closes nothing
    // 200 samples: half a sample is 0.25 points. a: 0.25 / 0.2 = 1.25; b: 0.75 / 0.8 = 0.94 → b.
    expect(chooseByWorstBudget([a, b, c], budgets, now, 0.95, (x) => x.costs, 200).name).toBe('lossy, big step');
    // With 20 samples half a sample is 2.5 points: a: 2.5 / 0.2 = 12.5; b: 3 / 0.8 = 3.75 → still b; when b loses 5 points: 7.5 / 0.8 = 9.4 → b.
    expect(chooseByWorstBudget([a, { ...b, validation: 0.9 }], budgets, now, 0.95, (x) => x.costs, 20).name).toBe('lossy, big step');
    // When b loses 2 points with 200 samples: 2.25 / 0.8 = 2.8 > 1.25 → a.
    expect(chooseByWorstBudget([a, { ...b, validation: 0.93 }], budgets, now, 0.95, (x) => x.costs, 200).name).toBe('accurate, small step');
    // A proposal that closes nothing of the worst gap comes last, however accurate.
    expect(chooseByWorstBudget([c, a], budgets, now, 0.95, (x) => x.costs, 200).name).toBe('accurate, small step');
    expect(chooseByWorstBudget([c], budgets, now, 0.95, (x) => x.costs, 200).name).toBe('RAM only');
  });

  it('ranks by the validation loss increase when every candidate has a loss, so one lucky sample does not decide', () => {
    // Same accuracy (the split cannot tell them apart), but a's loss barely moved and b's rose by 0.1 nats.
    const a = { name: 'kept the function', validation: 0.95, loss: 0.101, costs: { ...now, instructions: 130 } }; // 40% closed
    const b = { name: 'lucky sample', validation: 0.955, loss: 0.2, costs: { ...now, instructions: 110 } }; // 80% closed
    const ranking = { current: 0.1, of: (x: { loss?: number }) => x.loss };
    // By loss (floor 0.5 / 200 = 0.0025 nats): a (0.001 + 0.0025) / 0.4 = 0.009; b (0.1 + 0.0025) / 0.8 = 0.13 → a.
    expect(chooseByWorstBudget([a, b], budgets, now, 0.95, (x) => x.costs, 200, ranking).name).toBe('kept the function');
    // By accuracy, b gains half a point and closes twice the gap → b.
    expect(chooseByWorstBudget([a, b], budgets, now, 0.95, (x) => x.costs, 200).name).toBe('lucky sample');
    // A candidate without a loss (or a NaN loss) sends the whole choice back to accuracy.
    expect(chooseByWorstBudget([a, { ...b, loss: undefined }], budgets, now, 0.95, (x) => x.costs, 200, ranking).name).toBe('lucky sample');
    expect(chooseByWorstBudget([a, b], budgets, now, 0.95, (x) => x.costs, 200, { current: NaN, of: ranking.of }).name).toBe('lucky sample');
  });

  it('breaksHeldBudget: a budget that holds must still hold; an unmet one may stay unmet', () => {
    const held = { instructions: 150, instructionsWorstCase: 150, ramBytes: 100, flashBytes: 0 }; // RAM exactly at its limit holds
    expect(breaksHeldBudget(budgets, held, { ...held, instructions: 120, instructionsWorstCase: 120, ramBytes: 108 })).toBe(true);
    expect(breaksHeldBudget(budgets, held, { ...held, instructions: 120 })).toBe(false);
    // RAM already over its limit: going further over breaks nothing that held (the worst-budget choice prices it).
    expect(breaksHeldBudget(budgets, now, { ...now, instructions: 120, instructionsWorstCase: 120, ramBytes: 130 })).toBe(false);
  });
});

describe('repeated estimates for borderline decisions on a small validation split', () => {
  const start = digitsMlp();
  const val = (n: number): Dataset => ({ ...emptySet(n), source: 'validation' });

  it('a proposal within two samples of the limit is fine-tuned 3 times and judged on the mean; a clear one once', async () => {
    // 100 validation samples: one is a point; the band is ±2 points around --max-drop 1.5.
    let tunes = 0;
    const scores = [0.88, 0.9, 0.9]; // one unlucky fine-tune (3 points down), two lossless ones: mean 0.8933, 1.67 points down
    // The n-th fine-tune of a proposal scores scores[n] (the search tunes a batch's proposals, then their repeats).
    const tunesOf = new Map<Graph, number>();
    const trainer: Trainer = {
      ...scriptedTrainer(() => 0),
      fineTune: async (g) => {
        const n = tunesOf.get(g) ?? 0;
        tunesOf.set(g, n + 1);
        tunes++;
        return { ...g, tune: n } as unknown as Graph;
      },
      score: async (g) => (g === start ? 0.91 : scores[((g as unknown as { tune: number }).tune) % 3]),
    };
    const data = { ...noData, validation: val(100) };
    const dense = fakeCosts(start);
    const r = await searchUnderBudget(start, trainer, data, fakeCosts, options([budget('instructions', Math.round(dense.instructions * 0.97))], { maxDrop: 3, repeats: 3, maxIterations: 1 }));
    const it = r.iterations[0];
    // Every proposal of this iteration was borderline (drop 3 points on its first fine-tune, limit 3): 3 fine-tunes each.
    expect(it.repeated).toBe(it.proposals.length);
    expect(tunes).toBe(3 * it.proposals.length);
    for (const p of it.proposals) expect(p.validation).toBeCloseTo((0.88 + 0.9 + 0.9) / 3, 12);
    expect(it.chosen).not.toBeNull();

    // With --max-drop 10 the same first estimate (3 points) is far from the limit: one fine-tune each.
    tunes = 0;
    const clear = await searchUnderBudget(start, trainer, data, fakeCosts, options([budget('instructions', Math.round(dense.instructions * 0.97))], { maxDrop: 10, repeats: 3, maxIterations: 1 }));
    expect(clear.iterations[0].repeated).toBe(0);
    expect(tunes).toBe(clear.iterations[0].proposals.length);
  });
});
