// The build's default fine-tuner on a machine with 2 or more cores: a batch's fine-tunes shared between this process
// and one kept local worker, each taking the next (longest first) when it is free, then the batch's follow-ups (the
// final stage's refit, the search's repeats) as a lane frees (src/build/lanes.ts). Every request carries its seed and
// both run the same job handler, so the results are the bytes of either alone, in the requests' order.

import type { FineTuner } from './fine-tuner.js';
import { tuneOnLanes } from './lanes.js';

/** `here` (this process) and `there` (a worker) side by side: 2 slots. */
export function sideBySideTuner(here: FineTuner, there: FineTuner): FineTuner {
  // The worker's lane first: its job is handed out before this process starts training.
  const lanes = [there, here];
  return {
    description: `this process and ${there.description} side by side`,
    slots: 2,
    ...(here.trainsOnValidation === true && there.trainsOnValidation === true ? { trainsOnValidation: true } : {}),
    ...(there.warm ? { warm: (g) => there.warm!(g) } : {}),
    async tuneMany(requests) {
      if (requests.length <= 1) return here.tuneMany(requests);
      return tuneOnLanes(lanes, requests, null);
    },
    tuneFollowed: (requests, followUp) => tuneOnLanes(lanes, requests, followUp),
  };
}
