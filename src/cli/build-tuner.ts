// Where an MCU build's candidate fine-tunes run: in this process, in this process and on one local worker side by side
// (build's default on 2 or more cores), or as `fine-tune` jobs on the runner of --workers / --queue. All run the same
// job handler with the same seeds: the build's result is the same bytes.

import type { FineTuner } from '../build/fine-tuner.js';
import { fineTuneContext, inProcessFineTuner, runnerFineTuner } from '../build/job-fine-tuner.js';
import type { Graph } from '../ir/graph.js';
import type { JobRunner } from '../jobs/runner.js';
import { sideBySideTuner } from '../build/side-by-side-tuner.js';
import type { DataOptions } from './data-options.js';
import type { DistillCliOptions, TrainingCliOptions } from './training-options.js';

/** The build's fine-tuner for `dense` (the teacher unless --no-distill) on the data file `data`; `beside`: this process and `runner` side by side. */
export async function buildFineTuner(data: string, o: DataOptions & TrainingCliOptions & DistillCliOptions, dense: Graph, runner?: JobRunner, beside = false): Promise<FineTuner> {
  // The backend is resolved here (not left to each worker's 'fastest available'): every fine-tune trains on this one.
  const { initTraining } = await import('../train/index.js');
  const { backend } = await initTraining({ backend: o.backend });
  const context = fineTuneContext({
    data, labels: o.labels, seed: o.seed, validation: o.validation, test: o.test, limit: o.limit,
    training: { backend, batchSize: o.batchSize, lr: o.lr },
    teacher: o.distill === false ? undefined : dense,
  });
  if (!runner) return inProcessFineTuner(context);
  const tuner = beside ? sideBySideTuner(inProcessFineTuner(context), runnerFineTuner(context, runner)) : runnerFineTuner(context, runner);
  // The workers load the data and the teacher's logits while this process measures the dense model.
  tuner.warm?.(dense);
  return tuner;
}
