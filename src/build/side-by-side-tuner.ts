// The build's default fine-tuner on a machine with 2 or more cores: a batch's fine-tunes shared between this process
// and one kept local worker, each taking the next (longest first) when it is free, then the batch's follow-ups (the
// final stage's refit) as a lane frees. Every request carries its seed and both run the same job handler, so the results
// are the bytes of either alone, in the requests' order.

import type { FineTuner, FollowUp, TuneRequest, TuneResult } from './fine-tuner.js';

/** `here` (this process) and `there` (a worker) side by side: 2 slots. */
export function sideBySideTuner(here: FineTuner, there: FineTuner): FineTuner {
  const tuneFollowed = async (requests: TuneRequest[], followUp: FollowUp | null): Promise<TuneResult[]> => {
    const out: (TuneResult | undefined)[] = requests.map(() => undefined);
    // Longest first (the final stage's contender), then in the requests' order.
    const order = requests.map((_, i) => i).sort((a, b) => requests[b].epochs - requests[a].epochs || a - b);
    let next = 0;
    let running = 0;
    let stopped = false;
    // A lane with nothing to start waits for the other's fine-tune to end (its result may call for a follow-up).
    let waiting: (() => void)[] = [];
    const wake = () => {
      for (const w of waiting) w();
      waiting = [];
    };
    const take = (): { i: number; request: TuneRequest } | null => {
      if (next < order.length) {
        const i = order[next++];
        return { i, request: requests[i] };
      }
      const request = followUp?.(out) ?? null;
      return request ? { i: out.push(undefined) - 1, request } : null;
    };
    const lane = async (tuner: FineTuner) => {
      while (!stopped) {
        const job = take();
        if (!job) {
          if (running === 0) return;
          await new Promise<void>((resolve) => waiting.push(resolve));
          continue;
        }
        running++;
        try {
          out[job.i] = (await tuner.tuneMany([job.request]))[0];
        } catch (e) {
          stopped = true; // the other lane takes no more
          throw e;
        } finally {
          running--;
          wake();
        }
      }
    };
    // The worker's lane first: its job is handed out before this process starts training.
    const lanes = await Promise.allSettled([lane(there), lane(here)]);
    const failed = lanes.find((l): l is PromiseRejectedResult => l.status === 'rejected');
    if (failed) throw failed.reason;
    return out as TuneResult[];
  };
  return {
    description: `this process and ${there.description} side by side`,
    slots: 2,
    ...(here.trainsOnValidation === true && there.trainsOnValidation === true ? { trainsOnValidation: true } : {}),
    ...(there.warm ? { warm: (g) => there.warm!(g) } : {}),
    async tuneMany(requests) {
      if (requests.length <= 1) return here.tuneMany(requests);
      return tuneFollowed(requests, null);
    },
    tuneFollowed,
  };
}
