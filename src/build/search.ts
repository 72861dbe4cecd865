// The NetAdapt-style budget search: each iteration proposes, per layer or channel group, the smallest structural
// or weight reduction that lowers the constrained cost by a step; fine-tunes each briefly; keeps the most accurate.

import { byScoreDescending, dropInPoints } from '../data/metrics.js';
import type { Graph } from '../ir/graph.js';
import { checkFiniteParameters } from '../prune/finite-weights.js';
import { nonFiniteStartError, type ProgressiveData } from '../prune/progressive.js';
import { modelStats } from '../analysis/model-stats.js';
import { assessOn, type Trainer } from '../prune/trainer.js';
import { masksFromZeros, weightSparsity, type Masks } from '../prune/weight-masks.js';
import { borderline, repeatedEstimate } from '../prune/uncertainty.js';
import { proposeWithRecovery, recoveryHelped, scaleText, type RecoveryStage, type Tried } from '../prune/recovery.js';
import { allHold, worstRatio, type Budget, type BudgetName, type Costs } from './budgets.js';
import { structuredProposals, weightProposals, type CostPredictor, type Proposal } from './proposals.js';
import { finalStage, type AveragingRecord, type ContenderRecord, type RefitRecord } from './final-stage.js';
import type { LearningRateSchedule } from '../train/train.js';

export type { CostPredictor, Proposal } from './proposals.js';
export type { AveragingRecord, ContenderRecord, RefitRecord } from './final-stage.js';
import { fineTuneSeed, trainerTuner, tuneFollowed, type FineTuner, type FollowUp, type TuneRequest, type TuneResult } from './fine-tuner.js';


export interface SearchOptions<N extends string = BudgetName> {
  budgets: Budget<N>[];
  /** Largest accuracy drop accepted, in points of the dense validation score. */
  maxDrop: number;
  /**
   * The share of `maxDrop` held in reserve (default 0): proposals are accepted within (1 − reserve) × maxDrop, and
   * beyond it only in an iteration where recovery, smaller steps and joint proposals all failed to stay within it;
   * from then on within maxDrop. The search otherwise spends the whole allowance on budgets it could meet for less.
   */
  dropReserve?: number;
  /** Fine-tuning epochs of each proposal. */
  proposalEpochs: number;
  /** Fine-tuning epochs once the budgets hold. */
  finalEpochs: number;
  /** Recovery (a): extra rounds of `proposalEpochs` the best proposal gets when every proposal drops too much. */
  recoveryRounds: number;
  /** Recovery (a): epochs the current model is fine-tuned before proposing again (0 or absent: not tried). */
  recoveryEpochs?: number;
  /** Recovery (b): times the step is halved before joint proposals are tried (default 3). */
  halvings?: number;
  /**
   * Fine-tunes per proposal whose drop is within two validation samples of --max-drop when the validation split has
   * fewer than 1,000 samples: the decision is made on their mean (default 3; 1: one estimate each).
   */
  repeats?: number;
  maxIterations: number;
  criterion: 'l1' | 'l2' | 'redundancy';
  /** Offer weight-pruning proposals (they lower cost only where sparse kernels or smaller weights pay). */
  weightProposals: boolean;
  /** The dense model's scores and costs when the search goes on from an earlier round: drops are measured from it. */
  reference?: SearchResult<N>['dense'];
  /**
   * Where the fine-tunes run (default: on `trainer`, in this process). Every fine-tune gets its seed from `seed`, `round`
   * and its place in the search (fineTuneSeed), so the search goes the same way wherever they run.
   */
  tuner?: FineTuner;
  /** Base of the fine-tunes' seeds (the build's --seed; default 0). */
  seed?: number;
  /** Which search round of a build this is (0 first; a round after the firmware measured over budget: 1, 2). */
  round?: number;
  /**
   * Fine-tune a uniform contender beside the final model (src/build/uniform-contender.ts): the same share of every
   * layer cut from `origin` to meet the budgets, trained as long as the search's model was in all; the more accurate
   * on validation is returned. Default off here; on in build and sweep (--no-uniform-contender).
   */
  uniformContender?: boolean;
  /**
   * The model as the user gave it and the epochs the start model already went through from it, when this search goes
   * on from an earlier round (default: the start model, 0): the contender is cut from it.
   */
  origin?: { graph: Graph; keptEpochs: number };
  /**
   * Which fine-tunes anneal the learning rate (cosine down to 1/100 of it over the fine-tune; learningRateAt):
   * 'none' (default: every fine-tune at the constant rate), 'long' (the final fine-tune, the uniform contender's and
   * the current model's recovery), 'all' (the proposals' short fine-tunes too).
   */
  anneal?: Anneal;
  /**
   * The final fine-tune and the uniform contender's return the mean of their weights at the ends of their last
   * this-many epochs (SWA-style; default 0: the last iterate). build's --average-epochs.
   */
  averageLastEpochs?: number;
  /**
   * Once the final fine-tune and the contender are decided (on validation, as without it), the fine-tune that made the
   * returned model is run again from the same start with the same seed and epochs on train + validation, and that
   * model is returned (build's --final-on-validation). Every decision stays on held-out data; `final.validation` is the
   * decided model's held-out score, and `refit` says the returned model saw the validation split.
   */
  finalOnValidation?: boolean;
}

/** build's --anneal: which of the search's fine-tunes anneal the learning rate. */
export const ANNEAL_CHOICES = ['none', 'long', 'all'] as const;
export type Anneal = (typeof ANNEAL_CHOICES)[number];
/** build's default --anneal (docs/search-recovery.md: what the panel measured). */
export const DEFAULT_ANNEAL: Anneal = 'none';

/** The schedule of a long (final, contender, recovery) or short (proposal) fine-tune under `anneal`. */
export function scheduleOf(anneal: Anneal | undefined, long: boolean): LearningRateSchedule {
  return anneal === 'all' || (anneal === 'long' && long) ? 'cosine' : 'constant';
}


export interface SearchIteration<N extends string = BudgetName> {
  iteration: number;
  constrained: N;
  /** The cost reduction asked of every proposal. */
  step: number;
  proposals: { description: string; costs: Costs<N>; validation: number }[];
  chosen: string | null;
  costs: Costs<N>;
  validation: number;
  sparsity: number;
  params: number;
  macs: number;
  wallMs: number;
  /** How the chosen proposal was found when the first ones all dropped too much (null: among the first). */
  recovery?: string | null;
  /** Proposals judged on the mean of repeated fine-tunes (borderline on a small validation split). */
  repeated?: number;
}

/** The lowest predicted cost of one budgeted resource any candidate of the search reached (kept or not). */
export interface SmallestSeen {
  cost: number;
  /** The proposal ('the start model' for the model as given). */
  description: string;
  validation: number;
}

export interface SearchResult<N extends string = BudgetName> {
  graph: Graph;
  masks: Masks;
  met: boolean;
  /** Why the search stopped before every budget held. */
  stoppedBecause: string | null;
  dense: { validation: number; test: number; costs: Costs<N> };
  final: { validation: number; test: number; costs: Costs<N> };
  iterations: SearchIteration<N>[];
  /** Per budgeted resource: the lowest predicted cost of any candidate, tried proposals included. */
  smallestSeen: Partial<Record<N, SmallestSeen>>;
  fineTuning: FineTuningTally;
  /**
   * The returned model was refit on train + validation (finalOnValidation): what was refit, its epochs, and the
   * model as decided on held-out data (a later search round goes on from it, not from the refit).
   */
  refit?: RefitRecord;
  /** The uniform contender (when asked for and the budgets held): what it was, how it scored, whether it won. */
  contender?: ContenderRecord<N>;
  /** The returned model's weights are an average over its last fine-tune's last epochs (averageLastEpochs). */
  averaging?: AveragingRecord;
}

/** Fine-tuning epochs the search ran: all of them, and those on the path of the model it returns. */
export interface FineTuningTally {
  /** Every epoch: proposals, their repeats and recovery rounds, the current model's recovery, the final fine-tune. */
  epochs: number;
  /** The epochs the returned model went through from the start model (what a one-shot baseline gets to be fair). */
  keptEpochs: number;
}

export interface SearchEvents<N extends string = BudgetName> {
  onIteration?: (it: SearchIteration<N>) => void;
  onProposal?: (description: string) => void;
  onWarning?: (message: string) => void;
}


/** Accuracy points rounded to 1e-6 (fractions of k of n samples carry float noise). */
export const roundPoints = (points: number) => Math.round(points * 1e6) / 1e6;

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;

function stageText(stage: RecoveryStage, scale: number, recoveredFrom: number | null, reservedLimit: number): string {
  if (stage === 'beyond the reserve') return `beyond ${reservedLimit} points (the allowance less its reserve): no proposal stayed within it`;
  if (stage === 'recovery') return 'after more fine-tuning of the best proposal';
  if (stage === 'recovered current') return `after more fine-tuning of the current model (validation from ${pct(recoveredFrom ?? NaN)})`;
  if (stage === 'smaller step') return `at ${scaleText(scale)}`;
  return 'a joint proposal (structural + weight)';
}

/**
 * How far the worst budget is from holding: max over budgets of cost / limit, minus 1 (≤ 0 once every budget holds).
 * The fraction of that gap a proposal closes is its progress.
 */
export function gapClosed<N extends string>(budgets: readonly Budget<N>[], now: Costs<N>, after: Costs<N>): number {
  const gap = worstRatio(budgets, now).ratio - 1;
  if (!(gap > 0)) return 0;
  return (gap - Math.max(0, worstRatio(budgets, after).ratio - 1)) / gap;
}

/** The validation loss of the current model and a way to read each candidate's: the choice then ranks by the loss. */
export interface LossRanking<T> {
  current: number | undefined;
  of: (t: T) => number | undefined;
}

/**
 * Among proposals within the drop: the least given up from the current model per fraction of the worst budget's
 * gap closed. What is given up is the validation loss increase when every candidate has a loss (`ranking`): on a
 * few hundred samples it moves smoothly where accuracy moves a sample at a time, so the choice is less a draw of
 * the luckiest fine-tune; else the validation points lost. Either has a floor of half a sample's worth (half a nat
 * of loss, or half a point of accuracy, on one sample of the split) so that a lossless proposal still has a price.
 * Proposals that close nothing of the gap come last, by accuracy; ties go to the larger progress, then to the first.
 */
export function chooseByWorstBudget<T extends { validation: number }, N extends string>(list: T[], budgets: readonly Budget<N>[], now: Costs<N>, current: number, costsOf: (t: T) => Costs<N>, samples = 0, ranking?: LossRanking<T>): T {
  const byLoss = ranking !== undefined && Number.isFinite(ranking.current) && list.every((t) => Number.isFinite(ranking.of(t)));
  const floor = byLoss ? (samples > 0 ? 0.5 / samples : 0.001) : samples > 0 ? 50 / samples : 0.05;
  const given = (t: T) => (byLoss ? ranking.of(t)! - ranking.current! : roundPoints(dropInPoints(current, t.validation)));
  const rated = list.map((t, i) => {
    const closed = gapClosed(budgets, now, costsOf(t));
    const lost = Math.max(0, given(t));
    return { t, i, closed, price: closed > 0 ? (lost + floor) / closed : Infinity };
  });
  rated.sort((a, b) => a.price - b.price || byScoreDescending(a.t.validation, b.t.validation) || b.closed - a.closed || a.i - b.i);
  return rated[0].t;
}

/** Whether `after` breaks a budget that holds at `now` (the search leaves such proposals out while others remain). */
export function breaksHeldBudget<N extends string>(budgets: readonly Budget<N>[], now: Costs<N>, after: Costs<N>): boolean {
  return budgets.some((b) => now[b.name] <= b.limit && after[b.name] > b.limit);
}

export async function searchUnderBudget<N extends string = BudgetName>(
  start: Graph,
  trainer: Trainer,
  data: ProgressiveData,
  predict: CostPredictor<N>,
  o: SearchOptions<N>,
  events: SearchEvents<N> = {},
): Promise<SearchResult<N>> {
  const canTrain = trainer.canTrain(start);
  if (!canTrain.ok) events.onWarning?.(`the model cannot be fine-tuned (${canTrain.reason}); proposals are ranked without fine-tuning`);
  const score = (g: Graph, which: 'validation' | 'test') => trainer.score(g, data[which]);
  // The validation score, and the loss when the trainer gives it (the choice then ranks by the loss).
  const assess = (g: Graph) => assessOn(trainer, g, data.validation);
  const fineTuning: FineTuningTally = { epochs: 0, keptEpochs: 0 };
  /** The epochs a tune of `epochs` really trains (none when the model cannot be trained). */
  const trains = (epochs: number) => (canTrain.ok && epochs > 0 ? epochs : 0);
  const tuner = o.tuner ?? trainerTuner(trainer, data.validation);
  const seedAt = (...where: (string | number)[]) => fineTuneSeed(o.seed ?? 0, [o.round ?? 0, ...where]);
  const longSchedule = scheduleOf(o.anneal, true);
  const shortSchedule = scheduleOf(o.anneal, false);
  /**
   * A batch of fine-tunes (each request with its seed), then each one's validation score and loss. A fine-tune that
   * diverges stops the search, naming what it tuned. Without training (cannot train, or 0 epochs) the graphs are scored as they are.
   */
  const tuneAll = async (requests: TuneRequest[], speculative: TuneRequest[] = []): Promise<TuneResult[]> => {
    if (requests.length === 0) return [];
    if (!canTrain.ok || requests[0].epochs <= 0) {
      // One at a time: the trainer keeps one model built at once.
      const out: TuneResult[] = [];
      for (const r of [...requests, ...speculative]) out.push({ graph: r.graph, ...(await assess(r.graph)) });
      return out;
    }
    for (const r of requests) fineTuning.epochs += r.epochs;
    return tuner.tuneMany([...requests, ...speculative]);
  };
  const tuneOne = async (request: TuneRequest) => (await tuneAll([request]))[0];
  /** A batch that trains (its epochs counted) and its follow-ups (counted by the caller when used): the final stage's refit (only on a model that trains). */
  const tuneWithFollowUps = (requests: TuneRequest[], followUp: FollowUp): Promise<TuneResult[]> => {
    for (const r of requests) fineTuning.epochs += r.epochs;
    return tuneFollowed(tuner, requests, followUp);
  };
  if (!o.reference) checkFiniteParameters(start);
  const dense = o.reference ?? { validation: await score(start, 'validation'), test: await score(start, 'test'), costs: predict(start) };
  if (Number.isNaN(dense.validation)) throw nonFiniteStartError(data.validation);
  const denseCosts = dense.costs;
  const classes = data.validation.classes;
  if (!o.reference && classes > 1 && !data.validation.targets && dense.validation < 2 / classes) {
    events.onWarning?.(`the model scores ${(dense.validation * 100).toFixed(1)}% on the validation split, near chance for ${classes} classes (${(100 / classes).toFixed(1)}%): is it trained? build prunes a trained model (train one with edgeprune train)`);
  }
  // In points, rounded so that a drop of exactly --max-drop (k of n samples) is not rejected by float noise.
  // A NaN score drops everything (+Infinity): it is never accepted.
  const drop = (validation: number) => roundPoints(dropInPoints(dense.validation, validation));
  let graph = start;
  let masks = masksFromZeros(start);
  const startAssessed = await assess(start);
  let validation = o.reference ? startAssessed.validation : dense.validation;
  let validationLoss = startAssessed.loss;
  let stoppedBecause: string | null = null;
  // The drop proposals are accepted within: the allowance less its reserve, until an iteration needs the reserve.
  const reservedLimit = roundPoints(o.maxDrop * (1 - (o.dropReserve ?? 0)));
  let dropLimit = reservedLimit;
  const iterations: SearchIteration<N>[] = [];
  const smallestSeen: Partial<Record<N, SmallestSeen>> = {};
  const see = (costs: Costs<N>, description: string, v: number) => {
    for (const b of o.budgets) {
      const prev = smallestSeen[b.name];
      if (!prev || costs[b.name] < prev.cost) smallestSeen[b.name] = { cost: costs[b.name], description, validation: v };
    }
  };
  see(predict(start), 'the start model', validation);

  // Lower a budget's cost by a step: a twentieth of where it started, or the rest of its gap.
  const stepOf = (b: Budget<N>, now: Costs<N>) => {
    const gap = now[b.name] - b.limit;
    return Math.min(gap, Math.max(denseCosts[b.name] * 0.05, gap / 6));
  };
  /** A proposal fine-tuned: its validation loss, and the epochs its model went through from the start model. */
  type Candidate = { p: Proposal<N>; tuned: Graph; loss?: number; epochs: number };
  const repeats = canTrain.ok && o.proposalEpochs > 0 ? (o.repeats ?? 3) : 1;
  for (let i = 1; i <= o.maxIterations && !allHold(o.budgets, predict(graph)); i++) {
    const started = performance.now();
    const costs = predict(graph);
    const { budget } = worstRatio(o.budgets, costs);
    const step = stepOf(budget, costs);
    // The other budgets still unmet get structural proposals of their own (e.g. channels that shrink the arena).
    const others = o.budgets.filter((b) => b.name !== budget.name && costs[b.name] > b.limit);
    const offered = new Set<string>();
    // Proposals that would break a budget that holds are left out while others remain (e.g. a sparse kernel whose
    // scratch outgrows the RAM limit, where a channel cut does not); when every proposal would, they are all offered
    // (on an FPGA, fewer LUTs can cost cycles that a later step wins back).
    const keepHeld = (list: Proposal<N>[], now: Costs<N>) => {
      const kept = list.filter((p) => !breaksHeldBudget(o.budgets, now, p.costs));
      return kept.length > 0 ? kept : list;
    };
    let repeated = 0;
    const tried: Tried<Candidate>[] = [];
    /** Fine-tune batches of this iteration so far: with the proposal and the repeat, where a fine-tune's seed comes from. */
    let batches = 0;
    const evaluate = async (list: Proposal<N>[], what: string): Promise<Tried<Candidate>[]> => {
      const fresh: Proposal<N>[] = [];
      for (const p of list) {
        if (offered.has(p.description)) continue;
        offered.add(p.description);
        events.onProposal?.(p.description);
        fresh.push(p);
      }
      // Every proposal of the batch at once; on a small validation split, the borderline ones again (repeats − 1 more
      // each, follow-ups started as slots free once their first fine-tune is in): their decision is made on the mean of
      // the repeated fine-tunes. Which proposal is borderline depends on its own first fine-tune only.
      const batch = ++batches;
      const request = (p: Proposal<N>, k: number, repeat: number): TuneRequest => ({ graph: p.graph, masks: p.masks, epochs: o.proposalEpochs, seed: seedAt(i, batch, k, repeat), what: `proposal '${p.description}' (iteration ${i}${what})`, schedule: shortSchedule });
      const isBorderline = (first: TuneResult) => borderline(drop(first.validation), dropLimit, data.validation.count);
      /** The repeats handed out, in order (their results follow the batch's), by proposal. */
      const given: number[] = [];
      const judged = new Set<number>();
      const queued: { k: number; request: TuneRequest }[] = [];
      const repeatsOf: FollowUp = (sofar) => {
        for (let k = 0; k < fresh.length; k++) {
          if (judged.has(k) || sofar[k] === undefined) continue;
          judged.add(k);
          if (isBorderline(sofar[k]!)) for (let r = 1; r < repeats; r++) queued.push({ k, request: request(fresh[k], k, r) });
        }
        const next = queued.shift();
        if (!next) return null;
        given.push(next.k);
        fineTuning.epochs += next.request.epochs;
        return next.request;
      };
      const firsts = fresh.map((p, k) => request(p, k, 0));
      const results = repeats > 1 && firsts.length > 0 ? await tuneWithFollowUps(firsts, repeatsOf) : await tuneAll(firsts);
      const out: Tried<Candidate>[] = [];
      for (const [k, p] of fresh.entries()) {
        const runs = given.flatMap((of, j) => (of === k ? [results[fresh.length + j]] : []));
        if (runs.length > 0) repeated++;
        const run = runs.length === 0 ? results[k] : await repeatedEstimate(results[k], async () => runs.shift()!, repeats);
        out.push({ candidate: { p, tuned: run.graph, loss: run.loss, epochs: fineTuning.keptEpochs + trains(o.proposalEpochs) }, description: p.description, validation: run.validation });
      }
      for (const t of out) see(t.candidate.p.costs, t.description, t.validation);
      tried.push(...out);
      return out;
    };
    const propose = async (scale: number) => {
      const now = predict(graph);
      const s = step * scale;
      const list = [
        ...structuredProposals(graph, predict, budget.name, s, o.criterion),
        ...(o.weightProposals ? weightProposals(graph, masks, predict, budget.name, s) : []),
        ...others.flatMap((b) => structuredProposals(graph, predict, b.name, stepOf(b, now) * scale, o.criterion)),
      ];
      return evaluate(keepHeld(list, now), scale === 1 ? '' : `, ${scaleText(scale)}`);
    };
    let recoveredFrom: number | null = null;
    const choose = (list: Tried<Candidate>[]) => chooseByWorstBudget(list, o.budgets, predict(graph), validation, (t) => t.candidate.p.costs, data.validation.count, { current: validationLoss, of: (t) => t.candidate.loss });
    const outcome = await proposeWithRecovery<Candidate>({ maxDrop: dropLimit, recoveryRounds: canTrain.ok ? o.recoveryRounds : 0, halvings: o.halvings ?? 3, fallbackDrop: dropLimit < o.maxDrop ? o.maxDrop : undefined }, {
      propose,
      drop: (v) => drop(v),
      choose,
      retune: async (t, round) => {
        const a = await tuneOne({ graph: t.candidate.tuned, masks: t.candidate.p.masks, epochs: o.proposalEpochs, seed: seedAt(i, ++batches, 0, 0), what: `proposal '${t.description}' (iteration ${i}, recovery ${round + 1})`, schedule: shortSchedule });
        return { ...t, candidate: { ...t.candidate, tuned: a.graph, loss: a.loss, epochs: t.candidate.epochs + trains(o.proposalEpochs) }, validation: a.validation };
      },
      recoverCurrent: canTrain.ok && (o.recoveryEpochs ?? 0) > 0
        ? async () => {
          const a = await tuneOne({ graph, masks, epochs: o.recoveryEpochs!, seed: seedAt(i, ++batches, 0, 0), what: `the current model (iteration ${i}, recovery)`, schedule: longSchedule });
          const tuned = a.graph;
          const v = a.validation;
          const before = validation;
          if (!recoveryHelped({ validation, loss: validationLoss }, a, { samples: data.validation.count, withinDrop: drop(v) <= dropLimit })) return `${o.recoveryEpochs} more epochs of the current model (did not help: validation ${pct(before)} → ${pct(v)}; the previous weights kept)`;
          graph = tuned;
          validation = v;
          validationLoss = a.loss;
          fineTuning.keptEpochs += trains(o.recoveryEpochs!);
          recoveredFrom = before;
          offered.clear();
          return `${o.recoveryEpochs} more epochs of the current model (validation ${pct(before)} → ${pct(v)})`;
        }
        : undefined,
      joint: o.weightProposals
        ? async () => {
          // The most accurate structural proposal at half the step, plus a weight reduction for the rest on layers it did not touch.
          const now = predict(graph)[budget.name];
          const partial = tried.filter((t) => t.candidate.p.kind === 'structured' && now - t.candidate.p.costs[budget.name] < step);
          if (partial.length === 0) return [];
          const s = partial.reduce((a, b) => (byScoreDescending(a.validation, b.validation) <= 0 ? a : b));
          const rest = step - (now - s.candidate.p.costs[budget.name]);
          // Layers the structural proposal changed (their weights changed shape) are left out of the weight half.
          const touched = (name: string) => graph.initializers.get(name)?.shape.join('x') !== s.candidate.p.graph.initializers.get(name)?.shape.join('x');
          const weights = weightProposals(s.candidate.tuned, s.candidate.p.masks, predict, budget.name, rest)
            .filter((w) => w.weight !== undefined && !touched(w.weight))
            .map((w) => ({ ...w, description: `${s.description} + ${w.description}` }));
          return evaluate(keepHeld(weights, predict(graph)), ', joint');
        }
        : undefined,
    });
    const before = modelStats(graph).totals;
    const record: SearchIteration<N> = {
      iteration: i,
      constrained: budget.name,
      step,
      proposals: tried.map((t) => ({ description: t.description, costs: t.candidate.p.costs, validation: t.validation })),
      chosen: null,
      costs: predict(graph),
      validation,
      sparsity: weightSparsity(graph),
      params: before.params - before.zeroWeights,
      macs: before.macs,
      wallMs: 0,
      recovery: outcome.stage && outcome.stage !== 'first' ? stageText(outcome.stage, outcome.scale, recoveredFrom, reservedLimit) : null,
      repeated,
    };
    if (outcome.stage === null && tried.length === 0) {
      stoppedBecause = `no structural or weight reduction lowers ${budget.name} further (at ${costs[budget.name].toLocaleString('en-US')}, limit ${budget.limit.toLocaleString('en-US')})`;
      break;
    }
    // The reserve was needed (nothing stayed within the allowance less it): the whole allowance from now on.
    if (outcome.stage === 'beyond the reserve') dropLimit = o.maxDrop;
    if (!outcome.accepted) {
      const best = outcome.best!;
      stoppedBecause = `the best reduction of ${budget.name} (${best.description}) drops ${drop(best.validation).toFixed(2)} points, more than the allowed ${o.maxDrop}; ${outcome.stopText}`;
      record.wallMs = performance.now() - started;
      iterations.push(record);
      events.onIteration?.(record);
      break;
    }
    const best = outcome.accepted;
    graph = best.candidate.tuned;
    masks = best.candidate.p.masks;
    validation = best.validation;
    validationLoss = best.candidate.loss;
    fineTuning.keptEpochs = best.candidate.epochs;
    const stats = modelStats(graph).totals;
    Object.assign(record, { chosen: best.description, costs: predict(graph), validation, sparsity: weightSparsity(graph), params: stats.params - stats.zeroWeights, macs: stats.macs, wallMs: performance.now() - started });
    iterations.push(record);
    events.onIteration?.(record);
  }
  const met = allHold(o.budgets, predict(graph));
  if (!met && !stoppedBecause) stoppedBecause = `the search used its ${o.maxIterations} iterations`;
  let contender: ContenderRecord<N> | undefined;
  let refit: RefitRecord | undefined;
  let averaging: AveragingRecord | undefined;
  if (o.finalOnValidation && met && o.finalEpochs > 0 && canTrain.ok && tuner.trainsOnValidation !== true) {
    events.onWarning?.(`the final fine-tune is not refit on train + validation: the fine-tunes run ${tuner.description}, which trains on the training split only`);
  }
  if (met && o.finalEpochs > 0 && canTrain.ok) {
    const done = await finalStage<N>({ graph, masks, validation, validationLoss, keptEpochs: fineTuning.keptEpochs }, {
      budgets: o.budgets, criterion: o.criterion, finalEpochs: o.finalEpochs, uniformContender: o.uniformContender, averageLastEpochs: o.averageLastEpochs,
      finalOnValidation: o.finalOnValidation, origin: o.origin ?? { graph: start, keptEpochs: 0 }, trainSamples: data.train.count, validationSamples: data.validation.count,
    }, {
      predict, tuneAll, tuneFollowed: tuneWithFollowUps, counted: (epochs) => { fineTuning.epochs += epochs; }, trains, seedAt, schedule: longSchedule,
      trainsOnValidation: tuner.trainsOnValidation === true, ...(tuner.slots !== undefined ? { slots: tuner.slots } : {}), followsUp: tuner.tuneFollowed !== undefined, onWarning: events.onWarning,
    });
    ({ graph, masks, validation, contender, refit, averaging } = done);
    fineTuning.keptEpochs = done.keptEpochs;
  }
  return {
    graph, masks, met, stoppedBecause, dense, iterations, smallestSeen, fineTuning, ...(contender ? { contender } : {}), ...(refit ? { refit } : {}), ...(averaging ? { averaging } : {}),
    final: { validation, test: await score(graph, 'test'), costs: predict(graph) },
  };
}

/** A search round that went on from an earlier one (tighter internal limits): the whole trajectory, and the smallest costs seen over both. */
export function continuedSearch<N extends string>(earlier: SearchResult<N>, next: SearchResult<N>): SearchResult<N> {
  const iterations = [...earlier.iterations, ...next.iterations.map((it) => ({ ...it, iteration: it.iteration + earlier.iterations.length }))];
  const smallestSeen = { ...next.smallestSeen };
  for (const [name, seen] of Object.entries(earlier.smallestSeen) as [N, SmallestSeen][]) {
    const now = smallestSeen[name];
    if (!now || seen.cost < now.cost) smallestSeen[name] = seen;
  }
  // The later round started from the earlier one's model: its kept path goes on from there.
  const fineTuning = { epochs: earlier.fineTuning.epochs + next.fineTuning.epochs, keptEpochs: earlier.fineTuning.keptEpochs + next.fineTuning.keptEpochs };
  return { ...next, iterations, smallestSeen, fineTuning };
}
