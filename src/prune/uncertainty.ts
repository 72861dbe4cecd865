// How far a drop measured on a few hundred samples can be trusted: what one sample is worth in points, and the paired standard error of the drop.

import { taskOf, type Dataset } from '../data/dataset.js';
import { predictAll } from '../data/evaluate.js';
import { modelIo } from '../data/fit-model.js';
import { labelRank } from '../data/metrics.js';
import type { Graph } from '../ir/graph.js';

export interface DropUncertainty {
  samples: number;
  /** One sample of the split, in accuracy points (100 / samples). */
  pointsPerSample: number;
  /** Standard error of the drop (dense → final), in points, from the per-sample differences; null for regression. */
  standardError: number | null;
}

/** 1 where the model's top-1 class is the label, per sample; null for regression data (no classes to hit). */
export function correctness(g: Graph, ds: Dataset): Uint8Array | null {
  if (taskOf(ds) === 'regression') return null;
  const outputs = predictAll(g, ds);
  const io = modelIo(g);
  const out = new Uint8Array(ds.count);
  for (let i = 0; i < ds.count; i++) {
    out[i] = io.classIndex ? Number(outputs[i] === ds.labels[i]) : Number(labelRank(outputs.subarray(i * io.outputSize, (i + 1) * io.outputSize), ds.labels[i]) === 0);
  }
  return out;
}

/**
 * The standard error of the accuracy drop, in points, paired over the same samples: sd(reference_i − final_i) / √n.
 * Pairing counts only the samples on which the two models disagree, so it is smaller than two independent errors.
 */
export function pairedDropError(reference: Uint8Array, final: Uint8Array): number {
  const n = reference.length;
  if (n < 2) return NaN;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += reference[i] - final[i];
  const mean = sum / n;
  let sq = 0;
  for (let i = 0; i < n; i++) sq += (reference[i] - final[i] - mean) ** 2;
  return Math.sqrt(sq / (n - 1) / n) * 100;
}

/** The drop's uncertainty on a split, dense → final (both run by the interpreter). */
export function dropUncertainty(dense: Graph, final: Graph, ds: Dataset): DropUncertainty {
  const a = correctness(dense, ds);
  const b = a && correctness(final, ds);
  return { samples: ds.count, pointsPerSample: 100 / ds.count, standardError: a && b ? pairedDropError(a, b) : null };
}

/** Validation splits smaller than this get repeated estimates for borderline decisions. */
export const SMALL_VALIDATION = 1000;

/**
 * Whether a decision is too close to call on one estimate: the split is small (< 1,000 samples) and the drop is
 * within two samples' worth of the limit, on either side.
 */
export function borderline(drop: number, maxDrop: number, samples: number): boolean {
  return samples < SMALL_VALIDATION && Number.isFinite(drop) && Math.abs(drop - maxDrop) <= 200 / samples;
}

/** One fine-tune's outcome: the graph, its validation score and (when the trainer gives it) its validation loss. */
export interface Estimate<G> {
  graph: G;
  validation: number;
  loss?: number;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/**
 * A repeated estimate: the fine-tune is run `repeats − 1` more times (the trainer's next seeds) from the same start.
 * The decision score is the mean of the validation scores (a NaN among them makes it NaN), and the loss the mean of
 * the losses; the model kept is the median-scoring one, so the choice does not favour a lucky run.
 */
export async function repeatedEstimate<G>(first: Estimate<G>, again: () => Promise<Estimate<G>>, repeats: number): Promise<Estimate<G> & { scores: number[] }> {
  const runs = [first];
  for (let i = 1; i < repeats; i++) runs.push(await again());
  const scores = runs.map((r) => r.validation);
  const median = [...runs].sort((a, b) => a.validation - b.validation)[Math.floor(runs.length / 2)];
  const losses = runs.map((r) => r.loss);
  const loss = losses.every((l) => l !== undefined) ? mean(losses as number[]) : undefined;
  return { graph: median.graph, validation: mean(scores), ...(loss === undefined ? {} : { loss }), scores };
}

/**
 * The estimate a decision is made on: one fine-tune, repeated (repeatedEstimate) when its drop is borderline on a
 * small validation split; `repeated` says whether it was.
 */
export async function decisionEstimate<G>(once: () => Promise<Estimate<G>>, drop: (validation: number) => number, maxDrop: number, samples: number, repeats: number): Promise<Estimate<G> & { repeated: boolean }> {
  const first = await once();
  if (repeats <= 1 || !borderline(drop(first.validation), maxDrop, samples)) return { ...first, repeated: false };
  const { scores: _scores, ...r } = await repeatedEstimate(first, once, repeats);
  return { ...r, repeated: true };
}
