// The search's fine-tunes as `fine-tune` jobs (src/build/fine-tune-kind.ts): run in this process, one after the
// other, or handed to a JobRunner (local workers, a Redis queue) a batch at a time. Both run the same handler on the
// same payloads, so they give the same bytes.

import path from 'node:path';
import { graphToJson } from '../ir/graph-json.js';
import type { Graph } from '../ir/graph.js';
import type { JobRunner } from '../jobs/runner.js';
import type { Json } from '../jobs/spec.js';
import { fineTuneJob, fineTuneWarmJob, masksToJson, resultFromJson, runFineTune, sha256Of, type FineTuneContext, type FineTunePayload, type FineTuneResultJson, type FineTuneTraining } from './fine-tune-kind.js';
import { tuneError, type FineTuner, type FollowUp, type TuneRequest } from './fine-tuner.js';
import { tuneOnLanes } from './lanes.js';

export interface FineTuneSource {
  /** The data file and its split, as the build was given them. */
  data: string;
  labels?: string;
  seed: number;
  validation: number;
  test?: number;
  limit?: number;
  training: FineTuneTraining;
  /** The dense model every fine-tune distils from (undefined: --no-distill). */
  teacher?: Graph;
}

/** What every job of a build shares: the data named by absolute path and SHA-256, the teacher as JSON. */
export function fineTuneContext(s: FineTuneSource): FineTuneContext {
  const file = path.resolve(s.data);
  const labels = s.labels === undefined ? null : path.resolve(s.labels);
  return {
    data: { file, sha256: sha256Of(file), labels, labelsSha256: labels === null ? null : sha256Of(labels), seed: s.seed, validation: s.validation, test: s.test ?? null, limit: s.limit ?? null },
    training: s.training,
    teacher: s.teacher === undefined ? null : graphToJson(s.teacher),
  };
}

const payloadOf = (context: FineTuneContext, r: TuneRequest): FineTunePayload => ({
  ...context, graph: graphToJson(r.graph), masks: masksToJson(r.masks), epochs: r.epochs, seed: r.seed,
  ...(r.schedule !== undefined && r.schedule !== 'constant' ? { schedule: r.schedule } : {}),
  ...(r.averageLastEpochs !== undefined && r.averageLastEpochs > 0 ? { averageLastEpochs: r.averageLastEpochs } : {}),
  ...(r.withValidation === true ? { withValidation: true } : {}),
});

/** The fine-tune jobs run here, one after the other (build's default). */
export function inProcessFineTuner(context: FineTuneContext): FineTuner {
  return {
    description: 'in this process',
    trainsOnValidation: true,
    async tuneMany(requests) {
      const out = [];
      for (const r of requests) {
        let result: FineTuneResultJson;
        try {
          result = await runFineTune(payloadOf(context, r));
        } catch (e) {
          throw tuneError(r.what, e);
        }
        out.push(resultFromJson(result));
      }
      return out;
    },
  };
}

/**
 * The fine-tune jobs of each batch handed to `runner` at once. On a runner whose runs may overlap on a known number of
 * slots (a kept local pool), a batch with follow-ups runs on one lane per slot (src/build/lanes.ts): a follow-up (a
 * borderline proposal's repeats, the final stage's refit) starts as soon as a slot frees.
 */
export function runnerFineTuner(context: FineTuneContext, runner: JobRunner): FineTuner {
  const tuneMany = async (requests: TuneRequest[]) => {
    if (requests.length === 0) return [];
    const jobs = requests.map((r) => fineTuneJob(payloadOf(context, r)));
    const outcomes = new Map((await runner.run(jobs)).map((o) => [o.id, o]));
    return requests.map((r, i) => {
      const o = outcomes.get(jobs[i].id)!;
      if (!o.ok) throw tuneError(r.what, new Error(`${o.error} (${o.attempts} attempt${o.attempts === 1 ? '' : 's'} on ${runner.description})`));
      return resultFromJson(o.result as Json as unknown as FineTuneResultJson);
    });
  };
  const slots = runner.slots ?? Infinity;
  const lanes = runner.runsOverlap === true && Number.isFinite(slots) && slots > 1 ? Array.from({ length: slots }, () => ({ description: runner.description, tuneMany })) : null;
  return {
    description: runner.description,
    slots,
    trainsOnValidation: true,
    warm(g) {
      runner.warm?.(fineTuneWarmJob({ ...context, graph: graphToJson(g) }));
    },
    tuneMany,
    ...(lanes ? { tuneFollowed: (requests: TuneRequest[], followUp: FollowUp) => tuneOnLanes(lanes, requests, followUp) } : {}),
  };
}
