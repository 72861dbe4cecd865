// Fine-tunes on lanes (src/build/lanes.ts): a batch shared among any number of lanes, longest first, results in the
// requests' order; and the runner's fine-tuner (src/build/job-fine-tuner.ts) on a runner whose runs may overlap on a
// known number of slots (a kept local pool) starts a follow-up as soon as a slot frees, while on any other runner the
// follow-ups wait for the batch.
import { describe, expect, it } from 'vitest';
import type { FineTunePayload } from '../../src/build/fine-tune-kind.js';
import { tuneFollowed, type FineTuner, type FollowUp, type TuneRequest } from '../../src/build/fine-tuner.js';
import { fineTuneContext, runnerFineTuner } from '../../src/build/job-fine-tuner.js';
import { tuneOnLanes } from '../../src/build/lanes.js';
import { numberToJson } from '../../src/ir/graph-json.js';
import type { JobOutcome, JobRunner } from '../../src/jobs/runner.js';
import type { JobSpec, Json } from '../../src/jobs/spec.js';
import { digitsMlp } from '../../src/models/sample-models.js';
import { masksFromZeros } from '../../src/prune/weight-masks.js';
import { repoPath } from '../../src/util/package-root.js';

const graph = digitsMlp();
const request = (seed: number, epochs: number): TuneRequest => ({ graph, masks: masksFromZeros(graph), epochs, seed, what: `fine-tune ${seed}` });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A lane that takes `ms` per epoch and scores a request by its seed. */
function lane(name: string, ms: number, ran: string[]): FineTuner {
  return {
    description: name,
    async tuneMany(list) {
      const out = [];
      for (const r of list) {
        ran.push(`${name}:${r.seed}`);
        await sleep(ms * r.epochs);
        out.push({ graph: r.graph, validation: r.seed / 100 });
      }
      return out;
    },
  };
}

describe('tuneOnLanes', () => {
  it('shares a batch among three lanes, longest first, and returns the results in the requests\' order', async () => {
    const ran: string[] = [];
    const requests = [request(1, 1), request(2, 5), request(3, 1), request(4, 3), request(5, 4), request(6, 1)];
    const results = await tuneOnLanes([lane('a', 5, ran), lane('b', 5, ran), lane('c', 5, ran)], requests, null);
    expect(results.map((r) => r.validation)).toEqual([0.01, 0.02, 0.03, 0.04, 0.05, 0.06]);
    // The three longest first, one on each lane in the lanes' order.
    expect(ran.slice(0, 3)).toEqual(['a:2', 'b:5', 'c:4']);
    expect(ran.length).toBe(6);
  });
});

/** A runner that "runs" fine-tune jobs for 20 ms per epoch, on `slots` at most at once; its runs may overlap when told. */
function fakeRunner(slots: number, runsOverlap: boolean, log: string[]): JobRunner {
  let busy = 0;
  const runOne = async (job: JobSpec): Promise<JobOutcome> => {
    const p = job.payload as unknown as FineTunePayload;
    busy++;
    expect(busy).toBeLessThanOrEqual(slots);
    log.push(`start ${p.seed}`);
    await sleep(20 * p.epochs);
    log.push(`end ${p.seed}`);
    busy--;
    return { id: job.id, kind: job.kind, ok: true, result: { graph: p.graph, validation: numberToJson(p.seed / 100), loss: null } as unknown as Json };
  };
  return {
    description: `${slots} fake slots`,
    slots,
    ...(runsOverlap ? { runsOverlap } : {}),
    async run(jobs) {
      const queue = [...jobs];
      const out: JobOutcome[] = [];
      await Promise.all(Array.from({ length: slots }, async () => {
        for (let j = queue.shift(); j; j = queue.shift()) out.push(await runOne(j));
      }));
      return out;
    },
    async close() {},
  };
}

describe('the runner\'s fine-tuner', () => {
  const context = fineTuneContext({ data: repoPath('examples', 'digits', 'digits.csv.gz'), seed: 0, validation: 0.15, training: { backend: 'cpu', batchSize: 32, lr: 1e-3 } });
  // The batch: 5 epochs and 1. A follow-up (seed 10) once the short one is in.
  const followUp = (): FollowUp => {
    let given = false;
    return (sofar) => {
      if (given || sofar[1] === undefined) return null;
      given = true;
      return request(10, 1);
    };
  };

  it('on a kept pool starts a follow-up on the slot freed first, beside the batch\'s long fine-tune', async () => {
    const log: string[] = [];
    const tuner = runnerFineTuner(context, fakeRunner(2, true, log));
    expect(tuner.tuneFollowed).toBeDefined();
    const results = await tuneFollowed(tuner, [request(1, 5), request(2, 1)], followUp());
    expect(results.map((r) => r.validation)).toEqual([0.01, 0.02, 0.1]);
    expect(log.indexOf('start 10')).toBeLessThan(log.indexOf('end 1'));
  });

  it('elsewhere runs the follow-ups once the batch is done', async () => {
    const log: string[] = [];
    const tuner = runnerFineTuner(context, fakeRunner(2, false, log));
    expect(tuner.tuneFollowed).toBeUndefined();
    const results = await tuneFollowed(tuner, [request(1, 5), request(2, 1)], followUp());
    expect(results.map((r) => r.validation)).toEqual([0.01, 0.02, 0.1]);
    expect(log.indexOf('start 10')).toBeGreaterThan(log.indexOf('end 1'));
  });
});
