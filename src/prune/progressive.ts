// The progressive pruning loop: select → prune → fine-tune → evaluate → accept or roll back and try a smaller step.

import { modelStats } from '../analysis/model-stats.js';
import { sampleTensors, type Dataset } from '../data/dataset.js';
import { interpreterScore } from '../data/evaluate.js';
import { comparableScore, dropInPoints } from '../data/metrics.js';
import { UserError } from '../errors.js';
import { fitToModel, modelIo } from '../data/fit-model.js';
import type { Graph } from '../ir/graph.js';
import type { Tensor } from '../ir/tensor.js';
import { Random } from '../util/random.js';
import { checkFiniteParameters } from './finite-weights.js';
import { scheduleTargets, type ScheduleName } from './schedules.js';
import { analyzePruneGroups, groupCosts, pruneChannels, rankChannels, scoreChannels, type Criterion, type CriterionKind } from './structure/index.js';
import { assessOn, type EpochProgress, type Trainer } from './trainer.js';
import { applyMasks, magnitudeMasks, masksFromZeros, thresholdMasks, weightSparsity, type Masks, type MaskScope } from './weight-masks.js';
import { compareStrings } from '../util/compare.js';
import { proposeWithRecovery, recoveryHelped, scaleText, type Assessed } from './recovery.js';
import { decisionEstimate } from './uncertainty.js';

export interface ProgressiveOptions {
  /** Target fraction of zero weights (weight pruning), or 0. */
  sparsity: number;
  /** Target fraction of MACs removed by structural pruning, or 0. */
  structured: number;
  criterion: CriterionKind;
  schedule: ScheduleName;
  /** Steps per kind of pruning (oneshot: 1). */
  steps: number;
  /** Largest accuracy drop accepted, in percentage points of the dense validation score. */
  maxDrop: number;
  /** Fine-tuning epochs after each step. */
  epochs: number;
  /** Extra epochs at the end. */
  finalEpochs: number;
  scope: MaskScope;
  /** Threshold schedule: prune |w| < mean|w| / alpha per step. */
  alpha: number;
  /** Which kind first when both are asked for. */
  order: 'structured-first' | 'weight-first';
  /** How many times a rejected step is retried at half the increment. */
  retries: number;
  /**
   * Extra fine-tuning rounds (of `epochs` each) a step gets to recover before it is rolled back; the current model
   * then gets as many rounds before the step is tried again (0: neither).
   */
  recoveryRounds: number;
  /**
   * Fine-tunes of a step whose drop is within two validation samples of `maxDrop` when the validation split has fewer
   * than 1,000 samples: the decision is made on their mean (default 1: one estimate; the CLI asks for 3).
   */
  repeats?: number;
  seed: number;
}

export interface StepRecord {
  step: number;
  /** recovery: the current model fine-tuned longer after every proposal of a step dropped too much. */
  kind: 'dense' | 'structured' | 'weight' | 'recovery' | 'final';
  /** The target of the step (fraction of zero weights, or of MACs removed). */
  target: number | null;
  accepted: boolean;
  sparsity: number;
  params: number;
  macs: number;
  /** Validation score (accuracy, or −MSE), as a fraction. */
  validation: number;
  test: number | null;
  wallMs: number;
  note?: string;
}

export interface ProgressiveResult {
  graph: Graph;
  masks: Masks;
  steps: StepRecord[];
  dense: { validation: number; test: number; params: number; macs: number };
  final: { validation: number; test: number; params: number; macs: number; sparsity: number };
  /** Why the loop stopped early, when it did. */
  stoppedBecause: string | null;
  fineTuned: boolean;
}

export interface ProgressiveEvents {
  onStep?: (record: StepRecord) => void;
  onEpoch?: (p: EpochProgress & { step: number; kind: string }) => void;
  onWarning?: (message: string) => void;
}

export interface ProgressiveData {
  train: Dataset;
  validation: Dataset;
  test: Dataset;
}

/** A few inputs from the training set, shaped for the interpreter (activation-based criteria). */
function sampleInputs(g: Graph, ds: Dataset, count: number, seed: number): Record<string, Tensor>[] {
  const io = modelIo(g);
  const picks = new Random(seed).shuffle(Array.from({ length: ds.count }, (_, i) => i)).slice(0, count);
  const input = g.inputs[0];
  const shape = input.shape.length > 1 ? [1, ...io.sampleShape] : io.sampleShape;
  return sampleTensors(fitToModel(ds, g), picks, shape).map((t) => ({ [input.name]: t }));
}

/** What tells two candidates apart: their MACs and non-zero weights. */
function fingerprint(g: Graph): string {
  const t = modelStats(g).totals;
  return `${t.macs}/${t.params - t.zeroWeights}`;
}

/** A target counts as reached within a tenth of a percent. */
const REACHED = 0.001;
/** Retried steps smaller than this are not worth a fine-tuning round. */
const MIN_INCREMENT = 0.0025;

/** An accepted step: how far it went, and whether it went there at its first try. */
export interface AcceptedStep {
  increment: number;
  firstTry: boolean;
}

/**
 * How far the next step aims, of the `full` increment the schedule asks for: after a step that was accepted only at a
 * smaller size (or after recovery), no further than that step went; after one accepted at its first try, twice as far.
 * A step that failed at the full size once will likely fail again: the same channels would be removed, and the
 * recovery rounds it takes to find that out cost several fine-tunes per accepted step.
 */
export function stepSize(full: number, last: AcceptedStep | undefined): number {
  if (!last) return full;
  return Math.min(full, Math.max(MIN_INCREMENT, last.increment * (last.firstTry ? 2 : 1)));
}

class Loop {
  readonly steps: StepRecord[] = [];
  graph: Graph;
  masks: Masks;
  stepIndex = 0;
  denseValidation = 0;
  denseMacs = 0;
  stoppedBecause: string | null = null;
  /** What the recovery policy tried before the last step was given up. */
  stopText: string | null = null;
  /** Per kind, the last accepted step: its increment, and whether it was accepted as first proposed (see stepSize). */
  readonly lastAccepted = new Map<'structured' | 'weight', AcceptedStep>();
  readonly canTrain: boolean;

  constructor(
    start: Graph,
    readonly trainer: Trainer,
    readonly data: ProgressiveData,
    readonly o: ProgressiveOptions,
    readonly events: ProgressiveEvents,
  ) {
    this.graph = start;
    this.masks = masksFromZeros(start);
    const can = trainer.canTrain(start);
    this.canTrain = can.ok;
    if (!can.ok) events.onWarning?.(`the model cannot be fine-tuned (${can.reason}); pruning without fine-tuning, so expect a larger accuracy drop`);
  }

  async record(kind: StepRecord['kind'], target: number | null, g: Graph, accepted: boolean, started: number, validation: number, note?: string): Promise<StepRecord> {
    const stats = modelStats(g).totals;
    const rec: StepRecord = {
      step: this.stepIndex,
      kind, target, accepted,
      sparsity: weightSparsity(g),
      params: stats.params - stats.zeroWeights,
      macs: stats.macs,
      validation,
      test: accepted ? await this.score(g, this.data.test) : null,
      wallMs: performance.now() - started,
      note,
    };
    this.steps.push(rec);
    this.events.onStep?.(rec);
    return rec;
  }

  /** The trainer's score, or the reference interpreter's when the model cannot be trained. */
  async score(g: Graph, ds: Dataset): Promise<number> {
    if (this.canTrain) return this.trainer.score(g, ds);
    return interpreterScore(g, ds);
  }

  /** The validation score, and the loss when the trainer gives it (recoveryHelped decides on it). */
  async assess(g: Graph): Promise<Assessed> {
    return this.canTrain ? assessOn(this.trainer, g, this.data.validation) : { validation: interpreterScore(g, this.data.validation) };
  }

  /** Points lost from the dense score; a NaN score (or a NaN dense score) loses everything, so it is never accepted. */
  dropPoints(validation: number): number {
    return dropInPoints(this.denseValidation, validation);
  }

  async tune(g: Graph, masks: Masks | undefined, epochs: number, kind: string): Promise<Graph> {
    if (!this.canTrain || epochs <= 0) return g;
    const step = this.stepIndex;
    try {
      return await this.trainer.fineTune(g, masks, epochs, (p) => this.events.onEpoch?.({ ...p, step, kind }));
    } catch (e) {
      // A fine-tune that diverges stops the loop with the step it happened in.
      if (e instanceof UserError) throw new UserError(`pruning step ${step} (${kind}): ${e.message}`, e.hint);
      throw e;
    }
  }

  /** The validation score of the model the loop holds now (its last accepted step). */
  currentValidation(): number {
    return this.steps.filter((s) => s.accepted).at(-1)!.validation;
  }

  /** A rejected try, recorded as rolled back. */
  async rejected(kind: StepRecord['kind'], target: number, g: Graph, started: number, validation: number, what = ''): Promise<void> {
    await this.record(kind, target, g, false, started, validation, `${what}drop ${this.dropPoints(validation).toFixed(2)} points > ${this.o.maxDrop}: rolled back`);
  }

  /**
   * One step towards `target` under the recovery policy (src/prune/recovery.ts): the step; more fine-tuning of it and
   * of the current model; half the increment, again and again; then stop. Returns whether a step was accepted.
   */
  async stepTowards(kind: 'structured' | 'weight', target: number, make: (target: number) => Promise<{ graph: Graph; masks: Masks }>): Promise<boolean> {
    type Candidate = { graph: Graph; masks: Masks; target: number; started: number };
    const from = this.current(kind);
    const aim = stepSize(target - from, this.lastAccepted.get(kind));
    const shortened = aim < target - from;
    const made = new Set<string>();
    const outcome = await proposeWithRecovery<Candidate>({ maxDrop: this.o.maxDrop, recoveryRounds: this.canTrain ? this.o.recoveryRounds : 0, halvings: this.o.retries }, {
      propose: async (scale) => {
        let t = from + aim * scale;
        let candidate = await make(t);
        // A smaller step that makes the very same model as one tried already is halved again (channels come whole).
        while (made.has(fingerprint(candidate.graph)) && (t - from) / 2 >= MIN_INCREMENT / 4) {
          t = from + (t - from) / 2;
          candidate = await make(t);
        }
        // A structural step removes at least one whole channel, however small its target: only weight steps have a floor.
        if (made.has(fingerprint(candidate.graph)) || (kind === 'weight' && scale < 1 && t - from < MIN_INCREMENT)) return [];
        made.add(fingerprint(candidate.graph));
        this.stepIndex++;
        const started = performance.now();
        const once = async () => {
          const graph = await this.tune(candidate.graph, candidate.masks, this.o.epochs, kind);
          return { graph, validation: await this.score(graph, this.data.validation) };
        };
        // A decision too close to call on a small validation split is made on the mean of repeated fine-tunes.
        const repeats = this.canTrain && this.o.epochs > 0 ? (this.o.repeats ?? 1) : 1;
        const { graph: tuned, validation } = await decisionEstimate(once, (v) => this.dropPoints(v), this.o.maxDrop, this.data.validation.count, repeats);
        if (this.dropPoints(validation) > this.o.maxDrop) await this.rejected(kind, t, tuned, started, validation);
        return [{ candidate: { graph: tuned, masks: candidate.masks, target: t, started }, description: `${kind} to ${(t * 100).toFixed(1)}%`, validation }];
      },
      drop: (v) => this.dropPoints(v),
      choose: (list) => list[0],
      retune: async (t, round) => {
        this.stepIndex++;
        const started = performance.now();
        const tuned = await this.tune(t.candidate.graph, t.candidate.masks, this.o.epochs, `${kind} (recovery)`);
        const validation = await this.score(tuned, this.data.validation);
        if (this.dropPoints(validation) > this.o.maxDrop) await this.rejected(kind, t.candidate.target, tuned, started, validation, `recovery round ${round + 1}: `);
        return { ...t, candidate: { ...t.candidate, graph: tuned, started }, validation };
      },
      recoverCurrent: this.canTrain && this.o.recoveryRounds > 0
        ? async () => {
          const epochs = this.o.recoveryRounds * this.o.epochs;
          this.stepIndex++;
          const started = performance.now();
          const tuned = await this.tune(this.graph, this.masks, epochs, 'recovery');
          const after = await this.assess(tuned);
          const validation = after.validation;
          const before = this.currentValidation();
          const better = recoveryHelped({ validation: before, loss: (await this.assess(this.graph)).loss }, after, { samples: this.data.validation.count, withinDrop: this.dropPoints(validation) <= this.o.maxDrop });
          if (better) this.graph = tuned;
          // The current model's weights changed: the same structure is worth trying again.
          made.clear();
          await this.record('recovery', null, this.graph, true, started, better ? validation : before, better ? `the current model fine-tuned ${epochs} more epochs` : `${epochs} more epochs did not help (validation ${(validation * 100).toFixed(2)}%): kept the previous weights`);
          return `${epochs} more epochs of the current model (validation ${(before * 100).toFixed(2)}% → ${(validation * 100).toFixed(2)}%${better ? '' : ', not kept'})`;
        }
        : undefined,
      // No joint proposals here: prune's structured and weight targets are separate schedules.
    });
    if (!outcome.accepted) {
      if (outcome.stopText) this.stopText = outcome.stopText;
      return false;
    }
    const c = outcome.accepted.candidate;
    const how = outcome.stage === 'first' ? [] : [`accepted ${outcome.stage === 'smaller step' ? `at ${scaleText(outcome.scale)}` : `after ${outcome.stage}`}`];
    const sized = shortened ? [`a step of ${(aim * 100).toFixed(1)}% sized from the last accepted one`] : [];
    await this.record(kind, c.target, c.graph, true, c.started, outcome.accepted.validation, [...sized, ...how].join('; ') || undefined);
    this.graph = c.graph;
    this.masks = c.masks;
    this.lastAccepted.set(kind, { increment: this.current(kind) - from, firstTry: outcome.stage === 'first' });
    return true;
  }

  current(kind: 'structured' | 'weight'): number {
    return kind === 'structured' ? this.macReduction() : weightSparsity(this.graph);
  }

  /**
   * Run a schedule. Each target is tried under the recovery policy; after an accepted partial step the full target
   * is tried again.
   */
  async runSchedule(kind: 'structured' | 'weight', targets: number[], make: (target: number) => Promise<{ graph: Graph; masks: Masks }>): Promise<void> {
    // Attempts per kind are bounded: small accepted steps could otherwise creep on for a long time.
    let budget = 3 * Math.max(targets.length, this.o.steps);
    for (const target of targets) {
      while (target - this.current(kind) >= REACHED) {
        if (budget-- <= 0) {
          this.stoppedBecause = `${kind} pruning used its ${3 * Math.max(targets.length, this.o.steps)} attempts at ${(this.current(kind) * 100).toFixed(1)}%`;
          return;
        }
        const from = this.current(kind);
        if (!(await this.stepTowards(kind, target, make))) {
          this.stoppedBecause = `no ${kind} step beyond ${(from * 100).toFixed(1)}% was accepted within the ${this.o.maxDrop}-point drop${this.stopText ? `; ${this.stopText}` : ''}`;
          return;
        }
        if (this.current(kind) - from < 0.001) {
          this.stoppedBecause = `the ${kind} step to ${(target * 100).toFixed(1)}% removed nothing more`;
          return;
        }
      }
    }
  }

  macReduction(): number {
    return 1 - modelStats(this.graph).totals.macs / this.denseMacs;
  }

  /**
   * Remove the least important channels until `target` of the dense MACs are gone. A channel that alone removes more
   * than twice what is still needed is passed over, unless no channel removes less: a step of 6% does not take a
   * filter worth 12% of the MACs (it overshot the target, was rejected, and was proposed again at every step).
   */
  async structuredCandidate(target: number): Promise<{ graph: Graph; masks: Masks }> {
    const g = this.graph;
    const analysis = analyzePruneGroups(g);
    const groups = analysis.groups;
    const costs = groupCosts(g, groups);
    const criterion = await this.criterion(g);
    const ranked = rankChannels(scoreChannels(g, groups, criterion, { normalize: 'mean' }));
    const meanMacs = groups.reduce((s, gr) => s + costs.get(gr.id)!.macs, 0) / Math.max(1, groups.length);
    // Least importance per MAC saved first.
    const order = ranked
      .map((r) => ({ ...r, value: r.score / Math.max(1e-9, costs.get(r.group)!.macs / meanMacs) }))
      .sort((a, b) => a.value - b.value || compareStrings(a.group, b.group) || a.channel - b.channel);
    const need = (target - this.macReduction()) * this.denseMacs;
    const removals = new Map<string, number[]>();
    const left = new Map(groups.map((gr) => [gr.id, gr.size]));
    const floor = (id: string) => Math.max(1, Math.ceil(groups.find((gr) => gr.id === id)!.size / 4));
    // The fewest MACs one more channel can remove (groups at their floor left out): what a fitted step takes at least.
    const cheapest = () => Math.min(...groups.filter((gr) => left.get(gr.id)! - 1 >= floor(gr.id)).map((gr) => costs.get(gr.id)!.macs));
    let removed = 0;
    for (const r of order) {
      if (removed >= need) break;
      // Keep at least a quarter of every group: thinner layers bottleneck the whole network.
      if (left.get(r.group)! - 1 < floor(r.group)) continue;
      if (costs.get(r.group)!.macs > Math.max(2 * (need - removed), cheapest())) continue;
      left.set(r.group, left.get(r.group)! - 1);
      removals.set(r.group, [...(removals.get(r.group) ?? []), r.channel]);
      removed += costs.get(r.group)!.macs;
    }
    const pruned = pruneChannels(g, removals, analysis);
    // Structural surgery changes weight shapes: weight masks restart from the surviving zeros.
    return { graph: pruned, masks: masksFromZeros(pruned) };
  }

  async criterion(g: Graph): Promise<Criterion> {
    switch (this.o.criterion) {
      case 'taylor':
        if (!this.canTrain) throw new UserError('the taylor criterion needs gradients, and the model cannot be trained', 'use --criterion l1, l2, apoz or mean-activation');
        return { kind: 'taylor', gradients: await this.trainer.gradients(g, 256) };
      case 'taylor-activation':
        if (!this.canTrain) throw new UserError('the taylor-activation criterion needs gradients, and the model cannot be trained', 'use --criterion l1, l2, apoz or mean-activation');
        // 8 batches of 32: |Σ z·∂L/∂z| per batch keeps contributions that cancel over the whole set.
        return { kind: 'taylor-activation', batches: await this.trainer.batchGradients(g, 256, 32) };
      case 'apoz':
      case 'mean-activation':
        return { kind: this.o.criterion, samples: sampleInputs(g, this.data.train, 64, this.o.seed) };
      default:
        return { kind: this.o.criterion };
    }
  }

  async weightCandidate(target: number): Promise<{ graph: Graph; masks: Masks }> {
    const masks = this.o.schedule === 'threshold'
      ? thresholdMasks(this.graph, this.o.alpha, this.masks)
      : magnitudeMasks(this.graph, target, this.o.scope, this.masks);
    return { graph: applyMasks(this.graph, masks), masks };
  }

  async runWeight(): Promise<void> {
    const from = weightSparsity(this.graph);
    if (this.o.schedule === 'threshold') {
      for (let k = 0; k < this.o.steps && weightSparsity(this.graph) < this.o.sparsity - REACHED; k++) {
        const before = weightSparsity(this.graph);
        const ok = await this.stepTowards('weight', this.o.sparsity, () => this.weightCandidate(this.o.sparsity));
        if (!ok || weightSparsity(this.graph) - before < 0.001) {
          this.stoppedBecause = ok ? 'the threshold rule prunes nothing more' : 'a threshold step exceeded the allowed drop';
          return;
        }
      }
      return;
    }
    const targets = scheduleTargets(this.o.schedule, this.o.sparsity, this.o.schedule === 'oneshot' ? 1 : this.o.steps, from);
    await this.runSchedule('weight', targets, (t) => this.weightCandidate(t));
  }

  async runStructured(): Promise<void> {
    const targets = scheduleTargets(this.o.schedule === 'threshold' ? 'steps' : this.o.schedule, this.o.structured, this.o.schedule === 'oneshot' ? 1 : this.o.steps, this.macReduction());
    await this.runSchedule('structured', targets, (t) => this.structuredCandidate(t));
  }
}

/** The start model's score is NaN (its outputs are): no step could be judged against it. */
export function nonFiniteStartError(validation: Dataset): UserError {
  return new UserError(`the model gives NaN or infinite outputs on the ${validation.count} samples of the validation split of '${validation.source}', so no pruning step can be judged against it`, 'check it with edgeprune eval; prune a model whose outputs are finite');
}

/** Prune `start` (a trained model) progressively; every step is recorded. */
export async function pruneProgressively(start: Graph, trainer: Trainer, data: ProgressiveData, o: ProgressiveOptions, events: ProgressiveEvents = {}): Promise<ProgressiveResult> {
  checkFiniteParameters(start);
  const loop = new Loop(start, trainer, data, o, events);
  const t0 = performance.now();
  loop.denseValidation = await loop.score(start, data.validation);
  if (Number.isNaN(loop.denseValidation)) throw nonFiniteStartError(data.validation);
  const denseStats = modelStats(start).totals;
  loop.denseMacs = denseStats.macs;
  const dense = await loop.record('dense', null, start, true, t0, loop.denseValidation);
  const kinds: ('structured' | 'weight')[] = o.order === 'weight-first' ? ['weight', 'structured'] : ['structured', 'weight'];
  for (const kind of kinds) {
    if (loop.stoppedBecause) break;
    if (kind === 'structured' && o.structured > 0) await loop.runStructured();
    if (kind === 'weight' && o.sparsity > 0) await loop.runWeight();
  }
  if (o.finalEpochs > 0 && loop.canTrain) {
    loop.stepIndex++;
    const started = performance.now();
    const tuned = await loop.tune(loop.graph, loop.masks, o.finalEpochs, 'final');
    const validation = await loop.score(tuned, data.validation);
    // The longer fine-tune is kept only if it does not hurt.
    const previous = loop.steps.filter((s) => s.accepted).at(-1)!.validation;
    const better = comparableScore(validation) >= comparableScore(previous);
    if (better) loop.graph = tuned;
    await loop.record('final', null, better ? tuned : loop.graph, true, started, better ? validation : previous, better ? undefined : 'the final fine-tune did not help: kept the previous weights');
  }
  const last = loop.steps.filter((s) => s.accepted).at(-1)!;
  const finalStats = modelStats(loop.graph).totals;
  return {
    graph: loop.graph,
    masks: loop.masks,
    steps: loop.steps,
    dense: { validation: loop.denseValidation, test: dense.test!, params: denseStats.params, macs: denseStats.macs },
    final: { validation: last.validation, test: last.test ?? (await loop.score(loop.graph, data.test)), params: finalStats.params - finalStats.zeroWeights, macs: finalStats.macs, sparsity: weightSparsity(loop.graph) },
    stoppedBecause: loop.stoppedBecause,
    fineTuned: loop.canTrain,
  };
}
