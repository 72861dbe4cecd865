// The budget search's final stage, once the budgets hold: the long fine-tune (kept unless it hurts), the uniform
// contender fine-tuned as long (kept when more accurate on validation), and the refit of the decided one on train + validation.
// The refit starts from the same graph with the same seed whatever is decided, so it can start before the decision with
// the same result: a tuner that runs follow-ups side by side starts the likely one (the final fine-tune's, unless that
// one hurt) as soon as a slot frees, and the decided one if that guess was wrong; a tuner with a slot for each of the
// batch's fine-tunes and refits (a queue) runs them all at once; any other runs the decided refit after the batch.

import { comparableScore } from '../data/metrics.js';
import type { Graph } from '../ir/graph.js';
import type { Masks } from '../prune/weight-masks.js';
import type { Budget, Costs } from './budgets.js';
import type { CostPredictor } from './proposals.js';
import type { LearningRateSchedule } from '../train/train.js';
import { uniformContender } from './uniform-contender.js';
import type { FollowUp, TuneRequest, TuneResult } from './fine-tuner.js';

export interface RefitRecord {
  /** 'the final fine-tune' or 'the uniform contender'. */
  what: string;
  epochs: number;
  /** Training samples of the refit (train + validation) and of the decided fine-tune (train). */
  samples: number;
  decidedOnSamples: number;
  /** The model as decided (trained on the training split only). */
  decided: Graph;
}

export interface ContenderRecord<N extends string> {
  /** Its cut ("every layer 38% (…)"), or null when no uniform cut meets the budgets (then `skipped` says why). */
  description: string | null;
  skipped?: string;
  epochs: number;
  validation: number | null;
  /** The search's final model's validation score it was compared with. */
  searchValidation: number;
  /** Validation losses (when the trainer gives them): they decide a tie of the scores. */
  loss: number | null;
  searchLoss: number | null;
  costs: Costs<N> | null;
  chosen: boolean;
}

/** The search's model when its budgets hold: what the final stage starts from and gives back. */
export interface FinalModel {
  graph: Graph;
  masks: Masks;
  validation: number;
  validationLoss: number | undefined;
  /** The epochs the model went through from the start model of this search round. */
  keptEpochs: number;
}

export interface FinalStageOptions<N extends string> {
  budgets: readonly Budget<N>[];
  criterion: 'l1' | 'l2' | 'redundancy';
  finalEpochs: number;
  uniformContender?: boolean;
  averageLastEpochs?: number;
  finalOnValidation?: boolean;
  /** Where the contender is cut from, and the epochs it had been through (a later round's start is not the given model). */
  origin: { graph: Graph; keptEpochs: number };
  /** Training samples of the two splits (for the refit's record). */
  trainSamples: number;
  validationSamples: number;
}

export interface FinalStageTools<N extends string> {
  predict: CostPredictor<N>;
  /**
   * Fine-tunes a batch at once (counting the epochs), then each one's validation score and loss; `speculative` ones run
   * in the same batch, their epochs not counted (`counted` counts one that is used), their results after the others.
   */
  tuneAll: (requests: TuneRequest[], speculative?: TuneRequest[]) => Promise<TuneResult[]>;
  /** Fine-tunes a batch (counting the epochs) and then the follow-ups (not counted), as tuneFollowed in fine-tuner.ts. */
  tuneFollowed: (requests: TuneRequest[], followUp: FollowUp) => Promise<TuneResult[]>;
  counted: (epochs: number) => void;
  /** The fine-tunes the tuner runs at once (FineTuner.slots; absent: 1): with one for each of the batch and its refits, all start at once. */
  slots?: number;
  /** Whether the tuner starts follow-ups as soon as a slot frees (FineTuner.tuneFollowed): then the likely refit starts early. */
  followsUp?: boolean;
  /** The epochs a tune of `epochs` really trains (0 when the model cannot be trained). */
  trains: (epochs: number) => number;
  seedAt: (...where: (string | number)[]) => number;
  schedule: LearningRateSchedule;
  /** Whether the fine-tunes can train on train + validation. */
  trainsOnValidation: boolean;
  onWarning?: (message: string) => void;
}

/** The returned model is the mean of the weights at the ends of its last fine-tune's last `lastEpochs` epochs. */
export interface AveragingRecord {
  lastEpochs: number;
  /** 'the final fine-tune' or 'the uniform contender'. */
  of: string;
}

export interface FinalStageResult<N extends string> extends FinalModel {
  contender?: ContenderRecord<N>;
  refit?: RefitRecord;
  averaging?: AveragingRecord;
}

/** Runs the final stage on the search's model (budgets held, fine-tuning possible). */
export async function finalStage<N extends string>(start: FinalModel, o: FinalStageOptions<N>, t: FinalStageTools<N>): Promise<FinalStageResult<N>> {
  let { graph, masks, validation, validationLoss, keptEpochs } = start;
  let contender: ContenderRecord<N> | undefined;
  let refit: RefitRecord | undefined;
  const found = o.uniformContender ? uniformContender(o.origin.graph, t.predict, o.budgets, { kind: o.criterion }) : null;
  const rival = found && 'graph' in found ? found : null;
  // As long in all as the search's model: its path from the given model, and the final fine-tune.
  const rivalEpochs = o.origin.keptEpochs + keptEpochs + o.finalEpochs;
  // Left out at 0 so that the requests (and the fine-tune jobs' ids) stay as they were without averaging.
  const averaged = (o.averageLastEpochs ?? 0) > 0 ? { averageLastEpochs: o.averageLastEpochs } : {};
  const finalRequest: TuneRequest = { graph, masks, epochs: o.finalEpochs, seed: t.seedAt('final'), what: 'the final model', schedule: t.schedule, ...averaged };
  const rivalRequest: TuneRequest | null = rival ? { graph: rival.graph, masks: rival.masks, epochs: rivalEpochs, seed: t.seedAt('contender'), what: `the uniform contender (${rival.description})`, schedule: t.schedule, ...averaged } : null;
  const refitOf = (r: TuneRequest): TuneRequest => ({ ...r, what: `${r.what}, refit on train + validation`, withValidation: true });
  const batch = [finalRequest, ...(rivalRequest ? [rivalRequest] : [])];
  const refits = new Map(batch.map((r) => [r, refitOf(r)]));
  const refitting = o.finalOnValidation === true && t.trainsOnValidation;
  // The long fine-tune is kept unless it hurts (a NaN score always hurts).
  const keeps = (tuned: TuneResult) => comparableScore(tuned.validation) >= comparableScore(start.validation);
  /** What the results decide: the model, and the fine-tune that made it (null: the search's model, untouched). */
  const decide = (tuned: TuneResult, rivalTuned: TuneResult | undefined) => {
    const d = { ...start, made: null as TuneRequest | null, contender: undefined as ContenderRecord<N> | undefined };
    if (keeps(tuned)) Object.assign(d, { graph: tuned.graph, validation: tuned.validation, validationLoss: tuned.loss, keptEpochs: start.keptEpochs + t.trains(o.finalEpochs), made: finalRequest });
    if (o.uniformContender) {
      // More accurate on validation; on a tie (a few hundred samples tie often), the lower validation loss.
      const won = rival !== null && rivalTuned !== undefined && (comparableScore(rivalTuned.validation) > comparableScore(d.validation)
        || (rivalTuned.validation === d.validation && rivalTuned.loss !== undefined && d.validationLoss !== undefined && rivalTuned.loss < d.validationLoss));
      d.contender = rival && rivalTuned
        ? { description: rival.description, epochs: rivalEpochs, validation: rivalTuned.validation, searchValidation: d.validation, loss: rivalTuned.loss ?? null, searchLoss: d.validationLoss ?? null, costs: rival.costs, chosen: won }
        : { description: null, skipped: found && 'skipped' in found ? found.skipped : '', epochs: 0, validation: null, searchValidation: d.validation, loss: null, searchLoss: d.validationLoss ?? null, costs: null, chosen: false };
      if (won) Object.assign(d, { graph: rivalTuned!.graph, masks: rival!.masks, validation: rivalTuned!.validation, keptEpochs: rivalEpochs - o.origin.keptEpochs, made: rivalRequest });
    }
    return d;
  };
  // The refits started, in order (their results follow the batch's).
  const started: TuneRequest[] = [];
  let results: TuneResult[];
  if (refitting && (t.slots ?? 1) >= 2 * batch.length && !t.followsUp) {
    started.push(...refits.values());
    results = await t.tuneAll(batch, started);
  } else if (refitting) {
    // Once both are in, the decided refit; before, on a free slot, the likely one (one guess at a time).
    const followUp: FollowUp = (sofar) => {
      const tuned = sofar[0];
      const rivalTuned = rivalRequest ? sofar[1] : undefined;
      const pending = tuned === undefined || (rivalRequest !== null && rivalTuned === undefined);
      if (pending && started.length > 0) return null;
      const want = !pending ? decide(tuned, rivalTuned).made : tuned === undefined || keeps(tuned) ? finalRequest : rivalRequest;
      const refit = want && refits.get(want)!;
      if (!refit || started.includes(refit)) return null;
      started.push(refit);
      return refit;
    };
    results = await t.tuneFollowed(batch, followUp);
  } else {
    results = await t.tuneAll(batch);
  }
  const decided = decide(results[0], rivalRequest ? results[1] : undefined);
  ({ graph, masks, validation, validationLoss, keptEpochs, contender } = decided);
  const made = decided.made;
  // The refit: the decided fine-tune again on train + validation (same start, seed and epochs), kept whatever its
  // score (the choice was made on held-out data; its validation score now is not held out). When the long
  // fine-tune hurt and was dropped, nothing is refit: the returned model never trained on validation.
  if (refitting && made) {
    t.counted(made.epochs);
    const again = results[batch.length + started.indexOf(refits.get(made)!)];
    if (Number.isNaN(again.validation)) {
      t.onWarning?.(`the refit on train + validation of ${made.what} diverged: the model as decided on the training split is kept`);
    } else {
      refit = { what: made === finalRequest ? 'the final fine-tune' : 'the uniform contender', epochs: made.epochs, samples: o.trainSamples + o.validationSamples, decidedOnSamples: o.trainSamples, decided: graph };
      graph = again.graph;
    }
  }
  // Averaged when the model kept came from an averaged fine-tune (the refit averages as the fine-tune it repeats).
  const averaging: AveragingRecord | undefined = made && made.averageLastEpochs !== undefined && made.averageLastEpochs > 0
    ? { lastEpochs: made.averageLastEpochs, of: made === finalRequest ? 'the final fine-tune' : 'the uniform contender' }
    : undefined;
  return { graph, masks, validation, validationLoss, keptEpochs, ...(contender ? { contender } : {}), ...(refit ? { refit } : {}), ...(averaging ? { averaging } : {}) };
}
