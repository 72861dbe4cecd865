// GlobalAveragePool: mean over all spatial axes of each (N, C) plane, spatial dimensions kept as 1.

import { globalPoolOp } from './util/nn-global-pool.js';

export const GlobalAveragePool = globalPoolOp('GlobalAveragePool', (x, offset, size, round) => {
  // Sum in storage order, rounding each step, then divide once.
  let sum = 0;
  for (let i = offset; i < offset + size; i++) sum = round(sum + x[i]);
  return round(sum / size);
});
