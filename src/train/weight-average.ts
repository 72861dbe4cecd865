// Weight averaging over a fine-tune's last epochs (SWA-style): the trained parameters at the end of each of the last
// k epochs, summed in float64 in a fixed order, and their mean written back (masked weights are +0 in every snapshot,
// so their mean is exactly 0). BatchNormalization statistics need no recomputation: training keeps them frozen.

import * as tf from './tf.js';
import { applyMasks, type Trainable } from './trainable.js';

export interface WeightAverage {
  /** Add the trained parameters as they are now (the end of one epoch). */
  snapshot(): void;
  /** Snapshots taken so far. */
  readonly count: number;
  /** Write the mean of the snapshots into the trained parameters (masks applied again); nothing without snapshots. */
  apply(): void;
}

/** Whether epoch `epoch` (0-based) of `epochs` is one of the last `last` whose weights are averaged. */
export const averagedEpoch = (epoch: number, epochs: number, last: number) => last > 0 && epoch >= epochs - last;

export function weightAverage(t: Trainable): WeightAverage {
  const sums = t.trained.map((p) => new Float64Array(p.variable.size));
  let count = 0;
  return {
    get count() {
      return count;
    },
    snapshot() {
      for (const [i, p] of t.trained.entries()) {
        const values = p.variable.dataSync() as Float32Array;
        const sum = sums[i];
        for (let k = 0; k < values.length; k++) sum[k] += values[k];
      }
      count++;
    },
    apply() {
      if (count === 0) return;
      tf.tidy(() => {
        for (const [i, p] of t.trained.entries()) {
          const mean = Float32Array.from(sums[i], (s) => s / count);
          p.variable.assign(tf.tensor(mean, p.variable.shape, 'float32'));
        }
      });
      applyMasks(t);
    },
  };
}
