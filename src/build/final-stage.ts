// The budget search's final stage, once the budgets hold: the long fine-tune (kept unless it hurts), the uniform
// contender fine-tuned as long (kept when more accurate on validation), and the refit of the decided one on train + validation.
// On a tuner that runs fine-tunes side by side, each one's refit runs in the same batch (before the decision): the
// refit starts from the same graph with the same seed whatever is decided, so the result is the same, in less wall time.

import { comparableScore } from '../data/metrics.js';
import type { Graph } from '../ir/graph.js';
import type { Masks } from '../prune/weight-masks.js';
import type { Budget, Costs } from './budgets.js';
import type { CostPredictor } from './proposals.js';
import type { LearningRateSchedule } from '../train/train.js';
import { uniformContender } from './uniform-contender.js';
import type { TuneRequest, TuneResult } from './fine-tuner.js';

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
  counted: (epochs: number) => void;
  /** Whether the fine-tunes of a batch run side by side (FineTuner.slots ≥ 2): then the refits are speculated. */
  sideBySide?: boolean;
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
  // What made the returned model, to be run again on train + validation (finalOnValidation).
  let made: TuneRequest | null = null;
  const found = o.uniformContender ? uniformContender(o.origin.graph, t.predict, o.budgets, { kind: o.criterion }) : null;
  const rival = found && 'graph' in found ? found : null;
  // As long in all as the search's model: its path from the given model, and the final fine-tune.
  const rivalEpochs = o.origin.keptEpochs + keptEpochs + o.finalEpochs;
  // Left out at 0 so that the requests (and the fine-tune jobs' ids) stay as they were without averaging.
  const averaged = (o.averageLastEpochs ?? 0) > 0 ? { averageLastEpochs: o.averageLastEpochs } : {};
  const finalRequest: TuneRequest = { graph, masks, epochs: o.finalEpochs, seed: t.seedAt('final'), what: 'the final model', schedule: t.schedule, ...averaged };
  const rivalRequest: TuneRequest | null = rival ? { graph: rival.graph, masks: rival.masks, epochs: rivalEpochs, seed: t.seedAt('contender'), what: `the uniform contender (${rival.description})`, schedule: t.schedule, ...averaged } : null;
  const refitOf = (r: TuneRequest): TuneRequest => ({ ...r, what: `${r.what}, refit on train + validation`, withValidation: true });
  // Side by side, the refit of whichever is decided is already running: both refits join the batch.
  const speculate = o.finalOnValidation === true && t.trainsOnValidation && t.sideBySide === true;
  const batch = [finalRequest, ...(rivalRequest ? [rivalRequest] : [])];
  const results = await t.tuneAll(batch, speculate ? batch.map(refitOf) : []);
  const [tuned, rivalTuned] = results;
  const refitResult = (r: TuneRequest): TuneResult | undefined => (speculate ? results[batch.length + batch.indexOf(r)] : undefined);
  // The long fine-tune is kept unless it hurts (a NaN score always hurts).
  if (comparableScore(tuned.validation) >= comparableScore(validation)) {
    graph = tuned.graph;
    validation = tuned.validation;
    validationLoss = tuned.loss;
    keptEpochs += t.trains(o.finalEpochs);
    made = finalRequest;
  }
  if (o.uniformContender) {
    // More accurate on validation; on a tie (a few hundred samples tie often), the lower validation loss.
    const won = rival !== null && (comparableScore(rivalTuned.validation) > comparableScore(validation)
      || (rivalTuned.validation === validation && rivalTuned.loss !== undefined && validationLoss !== undefined && rivalTuned.loss < validationLoss));
    contender = rival
      ? { description: rival.description, epochs: rivalEpochs, validation: rivalTuned.validation, searchValidation: validation, loss: rivalTuned.loss ?? null, searchLoss: validationLoss ?? null, costs: rival.costs, chosen: won }
      : { description: null, skipped: found && 'skipped' in found ? found.skipped : '', epochs: 0, validation: null, searchValidation: validation, loss: null, searchLoss: validationLoss ?? null, costs: null, chosen: false };
    if (won) {
      graph = rivalTuned.graph;
      masks = rival!.masks;
      validation = rivalTuned.validation;
      keptEpochs = rivalEpochs - o.origin.keptEpochs;
      made = rivalRequest;
    }
  }
  // The refit: the decided fine-tune again on train + validation (same start, seed and epochs), kept whatever its
  // score (the choice was made on held-out data; its validation score now is not held out). When the long
  // fine-tune hurt and was dropped, nothing is refit: the returned model never trained on validation.
  if (o.finalOnValidation && made && t.trainsOnValidation) {
    const ready = refitResult(made);
    if (ready) t.counted(made.epochs);
    const again = ready ?? (await t.tuneAll([refitOf(made)]))[0];
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
