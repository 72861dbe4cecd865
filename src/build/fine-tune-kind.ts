// The `fine-tune` job: one candidate fine-tune of build's budget search, run in a worker. The payload is
// self-contained but for the data file (named by path and SHA-256, like a sweep's): the graph and the dense teacher
// as exact JSON, the masks, the epochs, the explicit seed, the split and training options. A worker process loads the
// data and computes the teacher's logits once per data file, split and teacher (kept for the jobs that follow), on its
// first job or ahead of it (the `fine-tune-warm` job a build hands every worker while it measures the dense model).

import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { concatDatasets, type Dataset } from '../data/dataset.js';
import { UserError } from '../errors.js';
import { graphFromJson, graphToJson, numberFromJson, numberToJson, type GraphJson } from '../ir/graph-json.js';
import type { JobKind } from '../jobs/registry.js';
import { canonicalJson, makeJob, type JobSpec, type Json } from '../jobs/spec.js';
import type { Masks } from '../prune/weight-masks.js';
import type { GraphTrainer } from '../train/graph-trainer.js';
import type { BackendChoice } from '../train/backend.js';
import type { LearningRateSchedule } from '../train/train.js';
import type { TuneResult } from './fine-tuner.js';

export const FINE_TUNE_KIND = 'fine-tune';
/** A worker's warm-up for a build's fine-tunes: the data loaded and the teacher's logits computed, nothing returned. */
export const FINE_TUNE_WARM_KIND = 'fine-tune-warm';

/** The data file and the options that make a worker load the same train/validation split as the command. */
export interface FineTuneData {
  file: string;
  sha256: string;
  labels: string | null;
  labelsSha256: string | null;
  seed: number;
  validation: number;
  test: number | null;
  limit: number | null;
}

export interface FineTuneTraining {
  /** Resolved by the command (not 'the fastest available'): every worker trains on the same backend. */
  backend: BackendChoice;
  batchSize: number;
  lr: number;
}

/** What every fine-tune of one build shares. */
export interface FineTuneContext {
  data: FineTuneData;
  training: FineTuneTraining;
  /** The dense model, distilled from in every fine-tune (null: --no-distill). */
  teacher: GraphJson | null;
}

/** What a worker loads for a build's fine-tunes: the context, and a graph of the build (its inputs fit the data). */
export interface FineTuneWarmPayload extends FineTuneContext {
  graph: GraphJson;
}

export interface FineTunePayload extends FineTuneWarmPayload {
  /** Weight name → mask bytes (1 keeps the weight), base64. */
  masks: Record<string, string>;
  epochs: number;
  seed: number;
  /** The learning rate over the fine-tune; absent: constant (left out then, so a constant job's payload and id stay as they were). */
  schedule?: LearningRateSchedule;
  /** Weights averaged over the ends of the last this-many epochs; absent: the last iterate (left out then, as `schedule`). */
  averageLastEpochs?: number;
  /** Train on the training and validation splits together (the search's refit); absent: the training split. */
  withValidation?: boolean;
}

export interface FineTuneResultJson {
  graph: GraphJson;
  validation: number | string;
  loss: number | string | null;
}

export function masksToJson(masks: Masks): Record<string, string> {
  return Object.fromEntries([...masks].map(([k, m]) => [k, Buffer.from(m.buffer, m.byteOffset, m.byteLength).toString('base64')]));
}

export function masksFromJson(j: Record<string, string>): Masks {
  return new Map(Object.entries(j).map(([k, b]) => [k, new Uint8Array(Buffer.from(b, 'base64'))]));
}

export function fineTuneJob(payload: FineTunePayload): JobSpec {
  return makeJob(FINE_TUNE_KIND, payload as unknown as Json);
}

export function fineTuneWarmJob(payload: FineTuneWarmPayload): JobSpec {
  return makeJob(FINE_TUNE_WARM_KIND, payload as unknown as Json);
}

export function resultFromJson(j: FineTuneResultJson): TuneResult {
  const validation = numberFromJson(j.validation as never);
  return { graph: graphFromJson(j.graph), validation, ...(j.loss === null ? {} : { loss: numberFromJson(j.loss as never) }) };
}

export const sha256Of = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

function checkFile(file: string, sha256: string, what: string): void {
  if (!fs.existsSync(file)) throw new UserError(`the ${what} ${file} is not on this worker`, 'workers need the data at the same path as the build command');
  if (sha256Of(file) !== sha256) throw new UserError(`the ${what} ${file} on this worker differs from the build's (SHA-256)`, 'give the workers the same data file as the build command');
}

interface Loaded {
  validation: Dataset;
  trainer: GraphTrainer;
}

/** This process's loaded data and trainers, by data, split, training options, teacher and input (the last two kept). */
const loaded = new Map<string, Promise<Loaded>>();
const KEPT_CONTEXTS = 2;

async function load(p: FineTuneWarmPayload, withValidation: boolean): Promise<Loaded> {
  checkFile(p.data.file, p.data.sha256, 'data file');
  if (p.data.labels !== null) checkFile(p.data.labels, p.data.labelsSha256 ?? '', 'labels file');
  const { loadFittedSplit } = await import('../cli/data-options.js');
  const { createGraphTrainer } = await import('../train/index.js');
  const d = p.data;
  const split = loadFittedSplit(d.file, { labels: d.labels ?? undefined, seed: d.seed, validation: d.validation, test: d.test ?? undefined, limit: d.limit ?? undefined }, graphFromJson(p.graph));
  const trainSet = withValidation ? concatDatasets(split.train, split.validation, 'train + validation') : split.train;
  const trainer = createGraphTrainer(trainSet, { backend: p.training.backend, seed: d.seed, batchSize: p.training.batchSize, learningRate: p.training.lr, teacher: p.teacher === null ? undefined : graphFromJson(p.teacher) });
  return { validation: split.validation, trainer };
}

function contextFor(p: FineTuneWarmPayload, withValidation = false): Promise<Loaded> {
  const teacher = p.teacher === null ? null : createHash('sha256').update(canonicalJson(p.teacher as unknown as Json)).digest('hex');
  const key = canonicalJson({ data: p.data, training: p.training, teacher, inputs: p.graph.inputs, withValidation } as unknown as Json);
  let entry = loaded.get(key);
  if (!entry) {
    entry = load(p, withValidation);
    // A load that failed is not kept: the next attempt tries again.
    entry.catch(() => loaded.delete(key));
    loaded.set(key, entry);
    for (const old of [...loaded.keys()].slice(0, Math.max(0, loaded.size - KEPT_CONTEXTS))) {
      void loaded.get(old)!.then((l) => l.trainer.dispose(), () => {});
      loaded.delete(old);
    }
  }
  return entry;
}

/** One fine-tune with the payload's seed on a fresh model of its graph, and its validation score and loss. */
export async function runFineTune(p: FineTunePayload): Promise<FineTuneResultJson> {
  if (p.schedule !== undefined && p.schedule !== 'constant' && p.schedule !== 'cosine') throw new Error(`fine-tune job: unknown learning-rate schedule ${JSON.stringify(p.schedule)} (constant, cosine)`);
  if (p.withValidation !== undefined && p.withValidation !== true) throw new Error(`fine-tune job: withValidation must be true or absent (got ${JSON.stringify(p.withValidation)})`);
  const { trainer, validation } = await contextFor(p, p.withValidation === true);
  if (p.averageLastEpochs !== undefined && !(Number.isInteger(p.averageLastEpochs) && p.averageLastEpochs >= 0)) throw new Error(`fine-tune job: epochs to average must be a non-negative integer (got ${JSON.stringify(p.averageLastEpochs)})`);
  const tuned = await trainer.fineTune(graphFromJson(p.graph), masksFromJson(p.masks), p.epochs, undefined, p.seed, p.schedule, p.averageLastEpochs);
  const a = await trainer.assess(tuned, validation);
  return { graph: graphToJson(tuned), validation: numberToJson(a.score), loss: numberToJson(a.loss) };
}

/** Load what the fine-tunes of `p`'s build share (the split, the backend, the teacher's logits), kept for its jobs. */
export async function warmFineTunes(p: FineTuneWarmPayload): Promise<void> {
  await (await contextFor(p)).trainer.prepare();
}

export const fineTuneWarmKind: JobKind = {
  kind: FINE_TUNE_WARM_KIND,
  handler: async (payload) => {
    await warmFineTunes(payload as unknown as FineTuneWarmPayload);
    return null;
  },
};

export const fineTuneKind: JobKind = {
  kind: FINE_TUNE_KIND,
  handler: async (payload) => (await runFineTune(payload as unknown as FineTunePayload)) as unknown as Json,
};
