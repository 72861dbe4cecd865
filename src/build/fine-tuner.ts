// How the budget search gets its fine-tunes: a batch of requests in, the tuned graphs and their validation scores out,
// in order. Each request carries its shuffling seed, fixed before dispatch, so a result does not depend on where or
// in what order the fine-tunes ran (in this process, on local workers, through a Redis queue).

import { createHash } from 'node:crypto';
import type { Dataset } from '../data/dataset.js';
import { UserError } from '../errors.js';
import type { Graph } from '../ir/graph.js';
import { assessOn, type Trainer } from '../prune/trainer.js';
import type { Masks } from '../prune/weight-masks.js';
import type { LearningRateSchedule } from '../train/train.js';

export interface TuneRequest {
  graph: Graph;
  masks: Masks;
  epochs: number;
  /** The shuffling seed of this fine-tune (fineTuneSeed). */
  seed: number;
  /** What is tuned, for errors ("proposal 'conv2: 3 of 16 filters' (iteration 2)"). */
  what: string;
  /** The learning rate over the fine-tune (absent: constant; 'cosine': annealed, the search's long fine-tunes with --anneal). */
  schedule?: LearningRateSchedule;
  /** Weights averaged over the ends of the last this-many epochs (absent or 0: the last iterate; build's --average-epochs). */
  averageLastEpochs?: number;
  /**
   * Train on the training and the validation split together (build's --final-on-validation: the refit once the search
   * has decided). The result's validation score is then on data it trained on: not a held-out figure.
   */
  withValidation?: boolean;
}

export interface TuneResult {
  graph: Graph;
  /** Validation score of the tuned graph (NaN when it diverged to non-finite outputs). */
  validation: number;
  /** Validation loss, when the trainer gives it. */
  loss?: number;
}

export interface FineTuner {
  /** Where the fine-tunes run, for progress lines ("in this process", "2 local workers"). */
  readonly description: string;
  /** Fine-tune every request; results in the order of the requests. A failure is a UserError naming its request. */
  tuneMany(requests: TuneRequest[]): Promise<TuneResult[]>;
  /**
   * Fine-tunes it runs side by side (local workers: their count; a queue: as many as it is given), absent: one at a
   * time. With one for each of the search's final fine-tunes and their refits, the final stage runs them all at once.
   */
  readonly slots?: number;
  /** Whether it can train on train + validation (TuneRequest.withValidation); absent: it cannot. */
  readonly trainsOnValidation?: boolean;
  /**
   * Fine-tune `requests` and the follow-ups `followUp` gives, asked whenever a slot is free with none of `requests` left
   * to start (absent: tuneFollowed asks once the batch is done and runs what it is given as one batch, then asks again):
   * a tuner that runs fine-tunes side by side starts a follow-up beside the last of the batch.
   */
  tuneFollowed?(requests: TuneRequest[], followUp: FollowUp): Promise<TuneResult[]>;
  /**
   * Have the workers load what the fine-tunes share (the data, the teacher's logits) now, for graphs with `g`'s inputs,
   * while the command does other work (absent: the first fine-tune loads them).
   */
  warm?(g: Graph): void;
}

/**
 * The next fine-tune to start after a batch, given the results so far (the batch's in order, then the follow-ups' in
 * the order they were given; undefined while one runs), or null: none for now (asked again when a running one ends,
 * and the batch is over when none runs). Results of the follow-ups come after the batch's, in the order given.
 */
export type FollowUp = (results: readonly (TuneResult | undefined)[]) => TuneRequest | null;

/**
 * `requests` on `tuner`, then the follow-ups: side by side on a tuner that can; else, once the batch is done, every
 * follow-up given then as one batch, and again until none is given.
 */
export async function tuneFollowed(tuner: FineTuner, requests: TuneRequest[], followUp: FollowUp): Promise<TuneResult[]> {
  if (tuner.tuneFollowed) return tuner.tuneFollowed(requests, followUp);
  const out: (TuneResult | undefined)[] = await tuner.tuneMany(requests);
  for (;;) {
    const more: TuneRequest[] = [];
    // Each one given is running (undefined) when the next is asked for.
    for (let next = followUp(out); next; next = followUp(out)) {
      more.push(next);
      out.push(undefined);
    }
    if (more.length === 0) return out as TuneResult[];
    const results = await tuner.tuneMany(more);
    out.splice(out.length - more.length, more.length, ...results);
  }
}

/**
 * The seed of one fine-tune of the search, from the build's --seed and where the fine-tune sits in the search (round,
 * iteration, batch, proposal, repeat): a 31-bit number, the same whatever ran before it.
 */
export function fineTuneSeed(base: number, where: (string | number)[]): number {
  const hex = createHash('sha256').update(`${base}:${where.join('/')}`).digest('hex');
  return parseInt(hex.slice(0, 8), 16) >>> 1;
}

/** A fine-tune that failed, named (the trainer's own hint kept). */
export function tuneError(what: string, e: unknown): UserError {
  if (e instanceof UserError) return new UserError(`fine-tuning ${what}: ${e.message}`, e.hint);
  return new UserError(`fine-tuning ${what}: ${e instanceof Error ? e.message : String(e)}`);
}

/**
 * Fine-tunes on the search's own trainer, one after the other, with the requests' seeds: for searches that have no data
 * file to hand to workers (prune's callers, FPGA builds, tests). Only a non-UserError bug escapes unnamed.
 */
export function trainerTuner(trainer: Trainer, validation: Dataset): FineTuner {
  return {
    description: 'in this process',
    async tuneMany(requests) {
      const out: TuneResult[] = [];
      for (const r of requests) {
        let graph: Graph;
        try {
          graph = await trainer.fineTune(r.graph, r.masks, r.epochs, undefined, r.seed, r.schedule, r.averageLastEpochs);
        } catch (e) {
          if (e instanceof UserError) throw tuneError(r.what, e);
          throw e;
        }
        out.push({ graph, ...(await assessOn(trainer, graph, validation)) });
      }
      return out;
    },
  };
}
