// build's --final-on-validation in the search: once the final fine-tune and the contender are decided on validation,
// the fine-tune that made the returned model runs again (same start, seed, epochs) on train + validation; the held-out
// figures stay those of the model as decided, and a tuner that cannot train on validation refits nothing (a warning).
// The refit may start before the decision (same start and seed whatever is decided): on a tuner with a slot for each of
// the batch and its refits, all at once; on one that runs follow-ups side by side, the likely refit when a slot frees and
// the decided one once known. The outcome is that of one after the other.
import { describe, expect, it } from 'vitest';
import { modelStats } from '../../src/analysis/model-stats.js';
import type { Budget } from '../../src/build/budgets.js';
import type { FineTuner, TuneRequest, TuneResult } from '../../src/build/fine-tuner.js';
import { sideBySideTuner } from '../../src/build/side-by-side-tuner.js';
import { searchUnderBudget, type CostPredictor, type SearchOptions } from '../../src/build/search.js';
import type { Dataset } from '../../src/data/dataset.js';
import type { Graph } from '../../src/ir/graph.js';
import { digitsMlp } from '../../src/models/sample-models.js';
import type { ProgressiveData } from '../../src/prune/progressive.js';
import type { Trainer } from '../../src/prune/trainer.js';

const costs: CostPredictor = (g) => {
  const t = modelStats(g).totals;
  return { instructions: 2 * t.macs + 100, instructionsWorstCase: 2 * t.macs + 100, ramBytes: t.peakActivationBytes, flashBytes: 4 * (t.weights - t.zeroWeights) + 256 };
};
const set = (n: number, source: string): Dataset => ({ features: new Float32Array(n * 64), labels: new Int32Array(n), count: n, featureShape: [64], classes: 10, source });
const data: ProgressiveData = { train: set(40, 'train'), validation: set(10, 'validation'), test: set(10, 'test') };
const start = digitsMlp();
const limit = Math.round(costs(start).instructions * 0.8);
const budgets: Budget[] = [{ name: 'instructions', limit, givenAs: 'test' }];

/** Scores: what `scores` says of a graph (0.9 by default); the trainer only scores (the tuner below trains). */
function scorer(scores: WeakMap<Graph, number>): Trainer {
  return {
    canTrain: () => ({ ok: true }),
    fineTune: async () => {
      throw new Error('the search fine-tunes through its tuner here');
    },
    score: async (g) => scores.get(g) ?? 0.9,
    gradients: async () => new Map(),
    batchGradients: async () => [],
    dispose: () => {},
  };
}

/** A tuner that records its requests and returns a new graph object per request, scored by `validationOf`. */
function recordingTuner(scores: WeakMap<Graph, number>, validationOf: (r: TuneRequest) => number, trainsOnValidation = true, slots?: number) {
  const requests: TuneRequest[] = [];
  const batches: TuneRequest[][] = [];
  const made = new Map<TuneRequest, Graph>();
  const tuner: FineTuner = {
    description: 'a recording tuner',
    ...(trainsOnValidation ? { trainsOnValidation: true } : {}),
    ...(slots !== undefined ? { slots } : {}),
    async tuneMany(list) {
      batches.push(list);
      return list.map((r): TuneResult => {
        requests.push(r);
        const graph: Graph = { ...r.graph };
        made.set(r, graph);
        const validation = validationOf(r);
        scores.set(graph, validation);
        return { graph, validation };
      });
    },
  };
  return { tuner, requests, made, batches };
}

const search = (tuner: FineTuner, scores: WeakMap<Graph, number>, o: Partial<SearchOptions> = {}, warnings: string[] = []) =>
  searchUnderBudget(start, scorer(scores), data, costs, {
    budgets, maxDrop: 100, proposalEpochs: 1, finalEpochs: 3, recoveryRounds: 0, recoveryEpochs: 0, repeats: 1, maxIterations: 50, criterion: 'l1', weightProposals: false, tuner, seed: 5, ...o,
  }, { onWarning: (w) => warnings.push(w) });

describe('searchUnderBudget with finalOnValidation', () => {
  it('refits the decided final fine-tune on train + validation (same start, seed, epochs) and keeps the held-out figure of the model as decided', async () => {
    const scores = new WeakMap<Graph, number>();
    // The refit scores 1 on validation (it trained on it): that figure must not become the final validation.
    const { tuner, requests, made } = recordingTuner(scores, (r) => (r.withValidation ? 1 : r.what === 'the final model' ? 0.95 : 0.9));
    const r = await search(tuner, scores, { finalOnValidation: true });
    expect(r.met).toBe(true);
    const final = requests.find((q) => q.what === 'the final model')!;
    const refit = requests.at(-1)!;
    expect(refit.withValidation).toBe(true);
    expect(requests.filter((q) => q.withValidation)).toEqual([refit]);
    expect({ ...refit, what: final.what, withValidation: undefined }).toEqual({ ...final, withValidation: undefined });
    expect(refit.what).toBe('the final model, refit on train + validation');
    expect(r.graph).toBe(made.get(refit));
    expect(r.refit).toEqual({ what: 'the final fine-tune', epochs: 3, samples: 50, decidedOnSamples: 40, decided: made.get(final) });
    expect(r.final.validation).toBe(0.95);
    // The refit's epochs are counted among those run; the kept path is as long as without it.
    const plain = await search(recordingTuner(new WeakMap(), () => 0.9).tuner, new WeakMap());
    expect(r.fineTuning.keptEpochs).toBe(plain.fineTuning.keptEpochs);
    expect(r.fineTuning.epochs).toBe(plain.fineTuning.epochs + 3);
  });

  it('refits the uniform contender (its whole fine-tune) when it won', async () => {
    const scores = new WeakMap<Graph, number>();
    const { tuner, requests, made } = recordingTuner(scores, (r) => (r.what.startsWith('the uniform contender') ? 0.97 : 0.9));
    const r = await search(tuner, scores, { finalOnValidation: true, uniformContender: true });
    expect(r.contender?.chosen).toBe(true);
    const rival = requests.find((q) => q.what.startsWith('the uniform contender') && !q.withValidation)!;
    const refit = requests.at(-1)!;
    expect(refit).toEqual({ ...rival, what: `${rival.what}, refit on train + validation`, withValidation: true });
    expect(r.refit?.what).toBe('the uniform contender');
    expect(r.refit?.epochs).toBe(rival.epochs);
    expect(r.refit?.decided).toBe(made.get(rival));
    expect(r.graph).toBe(made.get(refit));
    expect(r.final.validation).toBe(0.97);
  });

  it('without the flag, or when the long fine-tune hurt and was dropped, nothing trains on validation', async () => {
    const off = recordingTuner(new WeakMap(), () => 0.9);
    const r = await search(off.tuner, new WeakMap());
    expect(off.requests.some((q) => q.withValidation)).toBe(false);
    expect(r.refit).toBeUndefined();
    const scores = new WeakMap<Graph, number>();
    const hurt = recordingTuner(scores, (q) => (q.what === 'the final model' ? 0.5 : 0.9));
    const dropped = await search(hurt.tuner, scores, { finalOnValidation: true });
    expect(hurt.requests.some((q) => q.withValidation)).toBe(false);
    expect(dropped.refit).toBeUndefined();
  });

  it('records the averaging of the fine-tune that made the returned model, and none when the long fine-tune hurt and was dropped', async () => {
    const kept = await search(recordingTuner(new WeakMap(), () => 0.9).tuner, new WeakMap(), { averageLastEpochs: 2 });
    expect(kept.averaging).toEqual({ lastEpochs: 2, of: 'the final fine-tune' });
    const scores = new WeakMap<Graph, number>();
    const won = await search(recordingTuner(scores, (r) => (r.what.startsWith('the uniform contender') ? 0.97 : 0.9)).tuner, scores, { averageLastEpochs: 2, uniformContender: true });
    expect(won.averaging).toEqual({ lastEpochs: 2, of: 'the uniform contender' });
    const hurt = new WeakMap<Graph, number>();
    const dropped = await search(recordingTuner(hurt, (q) => (q.what === 'the final model' ? 0.5 : 0.9)).tuner, hurt, { averageLastEpochs: 2 });
    expect(dropped.averaging).toBeUndefined();
    expect((await search(recordingTuner(new WeakMap(), () => 0.9).tuner, new WeakMap())).averaging).toBeUndefined();
  });

  it('a tuner that trains on the training split only refits nothing, with a warning', async () => {
    const { tuner, requests } = recordingTuner(new WeakMap(), () => 0.9, false);
    const warnings: string[] = [];
    const r = await search(tuner, new WeakMap(), { finalOnValidation: true }, warnings);
    expect(requests.some((q) => q.withValidation)).toBe(false);
    expect(r.refit).toBeUndefined();
    expect(warnings.join('\n')).toMatch(/not refit on train \+ validation: the fine-tunes run a recording tuner/);
  });

  /** Tuned graphs carry what made them (the request's fields), so that two runs' models compare by content. */
  const run = async (tuner: (t: ReturnType<typeof recordingTuner>) => FineTuner, scores: WeakMap<Graph, number>, t: ReturnType<typeof recordingTuner>) => {
    const r = await search(tuner(t), scores, { finalOnValidation: true, uniformContender: true });
    const origin = (g: Graph | undefined) => [...t.made.entries()].find(([, m]) => m === g)?.[0];
    const strip = (q: TuneRequest | undefined) => q && { what: q.what, seed: q.seed, epochs: q.epochs, withValidation: q.withValidation === true };
    return { final: r.final, fineTuning: r.fineTuning, contender: r.contender?.chosen, refit: r.refit && { ...r.refit, decided: strip(origin(r.refit.decided)) }, graph: strip(origin(r.graph)) };
  };
  const cases = [
    { contenderWins: false, finalHurts: false },
    { contenderWins: true, finalHurts: false },
    { contenderWins: false, finalHurts: true },
  ];
  const recording = (scores: WeakMap<Graph, number>, c: (typeof cases)[number], slots?: number) =>
    recordingTuner(scores, (r) => (r.withValidation ? 1 : r.what.startsWith('the uniform contender') ? (c.contenderWins ? 0.97 : 0.8) : r.what === 'the final model' ? (c.finalHurts ? 0.5 : 0.95) : 0.9), true, slots);
  /** Records each start, then takes 2 ms per epoch, so that the shorter final fine-tune ends before the contender. */
  const timed = (t: ReturnType<typeof recordingTuner>, name: string, log: string[]): FineTuner => ({
    ...t.tuner,
    async tuneMany(list) {
      log.push(...list.map((r) => `${name}: ${r.what.replace(/ \(.*\)/, '')}`));
      await new Promise((resolve) => setTimeout(resolve, 2 * list.reduce((n, r) => n + r.epochs, 0)));
      return t.tuner.tuneMany(list);
    },
  });

  it('with a slot for each fine-tune and refit, both refits join the batch of the final fine-tune and the contender: the same model, figures and tallies', async () => {
    for (const c of cases) {
      const scores = new WeakMap<Graph, number>();
      const alone = await run((t) => t.tuner, scores, recording(scores, c));
      const wide = recording(scores, c, 4);
      expect(await run((t) => t.tuner, scores, wide)).toEqual(alone);
      const last = wide.batches.at(-1)!;
      expect(last.map((q) => q.withValidation === true)).toEqual([false, false, true, true]);
      expect(last[2]).toEqual({ ...last[0], what: 'the final model, refit on train + validation', withValidation: true });
      expect(last[3]).toEqual({ ...last[1], what: `${last[1].what}, refit on train + validation`, withValidation: true });
    }
  });

  it('with fewer slots than that and no follow-ups side by side, the refit (when one is needed) is a batch of its own after the decision', async () => {
    for (const c of cases) {
      const scores = new WeakMap<Graph, number>();
      const alone = recording(scores, c);
      const outcome = await run((t) => t.tuner, scores, alone);
      const two = recording(scores, c, 2);
      expect(await run((t) => t.tuner, scores, two)).toEqual(outcome);
      for (const t of [alone, two]) {
        expect(t.batches.at(-1)!.map((q) => q.withValidation === true)).toEqual(c.finalHurts ? [false, false] : [true]);
        expect(t.batches.at(c.finalHurts ? -1 : -2)!.map((q) => q.what.replace(/ \(.*\)/, ''))).toEqual(['the final model', 'the uniform contender']);
      }
    }
  });

  it('side by side with follow-ups, the final fine-tune\'s refit starts when it ends (unless it hurt), the decided one once the contender ends: the same outcome', async () => {
    for (const c of cases) {
      const scores = new WeakMap<Graph, number>();
      const outcome = await run((t) => t.tuner, scores, recording(scores, c));
      const log: string[] = [];
      const side = recording(scores, c);
      expect(await run((t) => sideBySideTuner(timed(t, 'here', log), timed(t, 'there', log)), scores, side)).toEqual(outcome);
      const final = log.slice(log.lastIndexOf('there: the uniform contender'));
      // The worker takes the contender (longest), this process the final fine-tune, then the guessed refit when that
      // ends; the decided refit starts when the contender ends, if the guess was not it.
      const ran = c.finalHurts
        ? ['there: the uniform contender', 'here: the final model', 'here: the uniform contender, refit on train + validation']
        : c.contenderWins
          ? ['there: the uniform contender', 'here: the final model', 'here: the final model, refit on train + validation', 'there: the uniform contender, refit on train + validation']
          : ['there: the uniform contender', 'here: the final model', 'here: the final model, refit on train + validation'];
      expect(final).toEqual(ran);
    }
  });

  it('side by side without a contender, the final fine-tune and its refit start together (the refit is the only one it may need)', async () => {
    const scores = new WeakMap<Graph, number>();
    const alone = recordingTuner(scores, (r) => (r.withValidation ? 1 : r.what === 'the final model' ? 0.95 : 0.9));
    const outcome = await search(alone.tuner, scores, { finalOnValidation: true });
    const log: string[] = [];
    const side = recordingTuner(scores, (r) => (r.withValidation ? 1 : r.what === 'the final model' ? 0.95 : 0.9));
    const r = await search(sideBySideTuner(timed(side, 'here', log), timed(side, 'there', log)), scores, { finalOnValidation: true });
    expect(r.fineTuning).toEqual(outcome.fineTuning);
    expect(r.final).toEqual(outcome.final);
    expect(r.refit?.what).toBe('the final fine-tune');
    expect(log.slice(log.lastIndexOf('there: the final model'))).toEqual(['there: the final model', 'here: the final model, refit on train + validation']);
  });
});
