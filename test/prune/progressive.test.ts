// The progressive loop with a scripted trainer: schedules, acceptance, rollback with halved steps, records.
import { describe, expect, it } from 'vitest';
import type { Dataset } from '../../src/data/dataset.js';
import type { Graph } from '../../src/ir/graph.js';
import { mnistLikeCnn, digitsMlp } from '../../src/models/sample-models.js';
import { pruneProgressively, stepSize, type ProgressiveOptions } from '../../src/prune/progressive.js';
import type { Trainer } from '../../src/prune/trainer.js';
import { weightSparsity } from '../../src/prune/weight-masks.js';
import { modelStats } from '../../src/analysis/model-stats.js';
import { UserError } from '../../src/errors.js';

const emptySet = (n: number, shape: number[]): Dataset => ({
  features: new Float32Array(n * shape.reduce((a, b) => a * b, 1)), labels: new Int32Array(n), count: n, featureShape: shape, classes: 10, source: 'test',
});

/** Accuracy falls once the model loses more than `tolerated` of its weights or MACs: 1 point per extra percent. */
function scriptedTrainer(denseMacs: number, tolerated: { sparsity: number; macs: number }, calls: string[] = []): Trainer {
  return {
    canTrain: () => ({ ok: true }),
    fineTune: async (g: Graph, masks, epochs) => {
      calls.push(`fineTune ${epochs} ${masks ? masks.size : 0}`);
      return g;
    },
    score: async (g: Graph) => {
      const over = Math.max(0, weightSparsity(g) - tolerated.sparsity) + Math.max(0, 1 - modelStats(g).totals.macs / denseMacs - tolerated.macs);
      return 0.95 - over;
    },
    gradients: async () => new Map(),
    batchGradients: async () => [],
    dispose: () => {},
  };
}

const options = (o: Partial<ProgressiveOptions>): ProgressiveOptions => ({
  sparsity: 0, structured: 0, criterion: 'l1', schedule: 'steps', steps: 4, maxDrop: 1, epochs: 2, finalEpochs: 0,
  scope: 'global', alpha: 1, order: 'structured-first', retries: 2, recoveryRounds: 0, seed: 0, ...o,
});

describe('progressive pruning loop', () => {
  const g = digitsMlp();
  const data = { train: emptySet(8, [64]), validation: emptySet(8, [64]), test: emptySet(8, [64]) };
  const macs = modelStats(g).totals.macs;

  it('reaches the target in accepted steps when nothing hurts, fine-tuning after each with the masks', async () => {
    const calls: string[] = [];
    const r = await pruneProgressively(g, scriptedTrainer(macs, { sparsity: 1, macs: 1 }, calls), data, options({ sparsity: 0.8 }));
    expect(r.steps.map((s) => s.kind)).toEqual(['dense', 'weight', 'weight', 'weight', 'weight']);
    expect(r.steps.every((s) => s.accepted)).toBe(true);
    expect(r.steps.slice(1).map((s) => +s.sparsity.toFixed(2))).toEqual([0.2, 0.4, 0.6, 0.8]);
    expect(r.final.sparsity).toBeCloseTo(0.8, 2);
    expect(calls).toEqual(['fineTune 2 3', 'fineTune 2 3', 'fineTune 2 3', 'fineTune 2 3']);
    expect(r.stoppedBecause).toBeNull();
  });

  it('rolls back a step that drops too much and retries half the increment', async () => {
    const r = await pruneProgressively(g, scriptedTrainer(macs, { sparsity: 0.5, macs: 1 }, []), data, options({ sparsity: 0.8, maxDrop: 1 }));
    const kinds = r.steps.map((s) => `${s.target === null ? '-' : s.target.toFixed(3)}:${s.accepted ? 'ok' : 'back'}`);
    // 0.2, 0.4 pass; 0.6 drops 10 points → back, half the step (0.5) passes; 0.6 again → back, 0.55 → back,
    // 0.525 → back: three failures in a row, stop.
    expect(kinds).toEqual(['-:ok', '0.200:ok', '0.400:ok', '0.600:back', '0.500:ok', '0.600:back', '0.550:back', '0.525:back']);
    expect(r.final.sparsity).toBeCloseTo(0.5, 2);
    expect(r.stoppedBecause).toMatch(/no weight step beyond 50\.0% was accepted within the 1-point drop/);
    // The rolled-back steps leave the model as it was.
    expect(weightSparsity(r.graph)).toBeCloseTo(0.5, 2);
  });

  it('sizes the next step from the last accepted one: no further after a step that passed only smaller', async () => {
    const r = await pruneProgressively(g, scriptedTrainer(macs, { sparsity: 0.5, macs: 1 }, []), data, options({ sparsity: 0.8, steps: 1, schedule: 'oneshot', maxDrop: 1 }));
    const tries = r.steps.map((s) => `${s.target === null ? '-' : s.target.toFixed(3)}:${s.accepted ? 'ok' : 'back'}`);
    // 0.8 fails, half of it (0.4) passes; the full rest fails, a quarter (0.5) passes; then the next step aims only
    // 0.1 further (0.6), not at 0.8 again: without the memory it would try 0.800, 0.650, 0.575.
    expect(tries).toEqual(['-:ok', '0.800:back', '0.400:ok', '0.800:back', '0.600:back', '0.500:ok', '0.600:back', '0.550:back', '0.525:back']);
    expect(r.steps.find((s) => s.target?.toFixed(3) === '0.600' && s.kind === 'weight')).toBeDefined();
  });

  it('stepSize: the full step at first, no more than the last increment after a smaller step, twice it after a first-try one', () => {
    expect(stepSize(0.3, undefined)).toBe(0.3);
    expect(stepSize(0.3, { increment: 0.1, firstTry: false })).toBeCloseTo(0.1, 12);
    expect(stepSize(0.3, { increment: 0.1, firstTry: true })).toBeCloseTo(0.2, 12);
    expect(stepSize(0.3, { increment: 0.2, firstTry: true })).toBe(0.3);
    expect(stepSize(0.3, { increment: 0.0001, firstTry: false })).toBe(0.0025);
  });

  it('a small structural step does not take a channel worth more than twice what it asks for', async () => {
    const cnn = mnistLikeCnn();
    const cnnData = { train: emptySet(4, [1, 28, 28]), validation: emptySet(4, [1, 28, 28]), test: emptySet(4, [1, 28, 28]) };
    const cnnMacs = modelStats(cnn).totals.macs;
    const r = await pruneProgressively(cnn, scriptedTrainer(cnnMacs, { sparsity: 1, macs: 1 }), cnnData, options({ structured: 0.03, steps: 1, schedule: 'oneshot' }));
    const removed = 1 - r.final.macs / cnnMacs;
    expect(removed).toBeGreaterThanOrEqual(0.03);
    expect(removed).toBeLessThanOrEqual(0.06);
  });

  it('judges a step within two validation samples of the limit on the mean of repeated fine-tunes (repeats), a clear one on one', async () => {
    // 100 validation samples (a point each); the scripted score is 0.95 − excess sparsity over 0.5.
    const hundred = { ...data, validation: emptySet(100, [64]) };
    const calls: string[] = [];
    // 0.2 and 0.4: lossless, far from the limit; 0.52: 2 points down, within 2 samples of --max-drop 1 → 3 fine-tunes.
    const r = await pruneProgressively(g, scriptedTrainer(macs, { sparsity: 0.5, macs: 1 }, calls), hundred, options({ sparsity: 0.52, steps: 1, schedule: 'oneshot', maxDrop: 1, repeats: 3, retries: 0 }));
    expect(calls).toHaveLength(3);
    expect(r.steps.filter((s) => s.kind === 'weight').map((s) => s.accepted)).toEqual([false]);
    const once: string[] = [];
    await pruneProgressively(g, scriptedTrainer(macs, { sparsity: 0.5, macs: 1 }, once), hundred, options({ sparsity: 0.52, steps: 1, schedule: 'oneshot', maxDrop: 1, retries: 0 }));
    expect(once).toHaveLength(1);
  });

  it('uses the polynomial schedule and one-shot', async () => {
    const poly = await pruneProgressively(g, scriptedTrainer(macs, { sparsity: 1, macs: 1 }), data, options({ sparsity: 0.8, schedule: 'polynomial' }));
    const targets = poly.steps.slice(1).map((s) => s.target!);
    expect(targets[0]).toBeGreaterThan(0.4);
    expect(targets.at(-1)).toBeCloseTo(0.8, 6);
    const once = await pruneProgressively(g, scriptedTrainer(macs, { sparsity: 1, macs: 1 }), data, options({ sparsity: 0.8, schedule: 'oneshot' }));
    expect(once.steps.map((s) => s.kind)).toEqual(['dense', 'weight']);
  });

  it('removes channels structurally until the MAC target, then prunes weights', async () => {
    const cnn = mnistLikeCnn();
    const cnnData = { train: emptySet(4, [1, 28, 28]), validation: emptySet(4, [1, 28, 28]), test: emptySet(4, [1, 28, 28]) };
    const cnnMacs = modelStats(cnn).totals.macs;
    const r = await pruneProgressively(cnn, scriptedTrainer(cnnMacs, { sparsity: 1, macs: 1 }), cnnData, options({ structured: 0.5, sparsity: 0.5, steps: 2 }));
    expect(r.steps.map((s) => s.kind)).toEqual(['dense', 'structured', 'structured', 'weight', 'weight']);
    expect(r.final.macs).toBeLessThanOrEqual(cnnMacs * 0.5);
    expect(r.final.sparsity).toBeCloseTo(0.5, 2);
    const channels = r.graph.nodes.filter((n) => n.opType === 'Conv').map((n) => r.graph.initializers.get(n.inputs[1])!.shape[0]);
    expect(channels[0] + channels[1]).toBeLessThan(8 + 16);
  });

  it('prunes without fine-tuning when the trainer cannot train the model, with a warning', async () => {
    const warnings: string[] = [];
    const trainer = { ...scriptedTrainer(macs, { sparsity: 1, macs: 1 }), canTrain: () => ({ ok: false as const, reason: 'node x (Foo): no layer' }) };
    const r = await pruneProgressively(g, trainer, data, options({ sparsity: 0.5, steps: 1 }), { onWarning: (w) => warnings.push(w) });
    expect(warnings[0]).toMatch(/cannot be fine-tuned \(node x \(Foo\): no layer\); pruning without fine-tuning/);
    expect(r.fineTuned).toBe(false);
    expect(r.final.sparsity).toBeCloseTo(0.5, 2);
  });
});

describe('progressive pruning never accepts a NaN score', () => {
  const g = digitsMlp();
  const data = { train: emptySet(8, [64]), validation: emptySet(8, [64]), test: emptySet(8, [64]) };
  const scripted = (score: (g: Graph) => number, fineTune?: Trainer['fineTune']): Trainer => ({
    ...scriptedTrainer(modelStats(g).totals.macs, { sparsity: 1, macs: 1 }),
    score: async (x: Graph) => score(x),
    ...(fineTune ? { fineTune } : {}),
  });

  it('rolls back every step that scores NaN, whatever the allowed drop', async () => {
    const r = await pruneProgressively(g, scripted((x) => (weightSparsity(x) > 0 ? NaN : 0.9)), data, options({ sparsity: 0.8, maxDrop: 100, retries: 1 }));
    expect(r.steps.slice(1).every((s) => !s.accepted)).toBe(true);
    expect(r.final.sparsity).toBe(0);
    expect(r.graph).toBe(g);
    expect(r.steps[1].note).toMatch(/drop Infinity points > 100: rolled back/);
  });

  it('refuses a start model whose weights are NaN, and one whose validation score is NaN', async () => {
    const bad = { ...g, initializers: new Map(g.initializers) };
    const w = g.initializers.get('fc1.weight')!.clone();
    (w.data as Float32Array).fill(Infinity);
    bad.initializers.set('fc1.weight', w);
    await expect(pruneProgressively(bad, scripted(() => 0.9), data, options({ sparsity: 0.5 }))).rejects.toThrow(/node 'fc1' \(Gemm\): its weight 'fc1\.weight' holds Infinity \(4096 of 4096 values are not finite\)/);
    await expect(pruneProgressively(g, scripted(() => NaN), data, options({ sparsity: 0.5 }))).rejects.toThrow(/gives NaN or infinite outputs on the 8 samples of the validation split of 'test'/);
  });

  it('a fine-tune that diverges stops the loop, naming the step', async () => {
    const diverging: Trainer['fineTune'] = async () => {
      throw new UserError("training diverged in epoch 2 of 2: the weights of layer 'fc1' ...", 'lower the learning rate (--lr, now 10)');
    };
    const error = await pruneProgressively(g, scripted(() => 0.9, diverging), data, options({ sparsity: 0.5 })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toBe("pruning step 1 (weight): training diverged in epoch 2 of 2: the weights of layer 'fc1' ...");
    expect((error as UserError).hint).toBe('lower the learning rate (--lr, now 10)');
  });
});
