// The build's default fine-tuner on a machine with 2 or more cores: a batch's fine-tunes shared between this process
// and one kept local worker, each taking the next (longest first) when it is free. Every request carries its seed and
// both run the same job handler, so the results are the bytes of either alone, in the requests' order.

import type { FineTuner, TuneResult } from './fine-tuner.js';

/** `here` (this process) and `there` (a worker) side by side: 2 slots. */
export function sideBySideTuner(here: FineTuner, there: FineTuner): FineTuner {
  return {
    description: `this process and ${there.description} side by side`,
    slots: 2,
    ...(here.trainsOnValidation === true && there.trainsOnValidation === true ? { trainsOnValidation: true } : {}),
    ...(there.warm ? { warm: (g) => there.warm!(g) } : {}),
    async tuneMany(requests) {
      if (requests.length <= 1) return here.tuneMany(requests);
      const out: TuneResult[] = new Array(requests.length);
      // Longest first (the final stage's contender and refits), then in the requests' order.
      const order = requests.map((_, i) => i).sort((a, b) => requests[b].epochs - requests[a].epochs || a - b);
      let next = 0;
      const lane = async (tuner: FineTuner) => {
        while (next < order.length) {
          const i = order[next++];
          try {
            out[i] = (await tuner.tuneMany([requests[i]]))[0];
          } catch (e) {
            next = order.length; // the other lane takes no more
            throw e;
          }
        }
      };
      // The worker's lane first: its job is handed out before this process starts training.
      const lanes = await Promise.allSettled([lane(there), lane(here)]);
      const failed = lanes.find((l): l is PromiseRejectedResult => l.status === 'rejected');
      if (failed) throw failed.reason;
      return out;
    },
  };
}
