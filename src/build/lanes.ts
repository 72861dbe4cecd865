// Fine-tunes shared among lanes that each run one at a time (this process and a worker side by side; the slots of a
// kept local pool): a batch longest first, each lane taking the next when free, then the follow-ups a free lane is
// given. Every request carries its seed, so the results are the bytes of any lane alone, in the requests' order.

import type { FineTuner, FollowUp, TuneRequest, TuneResult } from './fine-tuner.js';

/**
 * `requests` on `lanes` (the first lane is handed its request first), then the follow-ups `followUp` gives whenever a
 * lane is free with none of the batch left (a lane with nothing to start waits for a running fine-tune to end: its
 * result may call for one). Results: the batch's in order, then the follow-ups' in the order given. A failure stops
 * every lane from taking more and is thrown once the running ones end.
 */
export async function tuneOnLanes(lanes: FineTuner[], requests: TuneRequest[], followUp: FollowUp | null): Promise<TuneResult[]> {
  const out: (TuneResult | undefined)[] = requests.map(() => undefined);
  // Longest first (the final stage's contender), then in the requests' order.
  const order = requests.map((_, i) => i).sort((a, b) => requests[b].epochs - requests[a].epochs || a - b);
  let next = 0;
  let running = 0;
  let stopped = false;
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
        stopped = true; // the other lanes take no more
        throw e;
      } finally {
        running--;
        wake();
      }
    }
  };
  const ended = await Promise.allSettled(lanes.map(lane));
  const failed = ended.find((l): l is PromiseRejectedResult => l.status === 'rejected');
  if (failed) throw failed.reason;
  return out as TuneResult[];
}
