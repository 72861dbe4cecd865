// GlobalMaxPool: largest value over all spatial axes of each (N, C) plane, spatial dimensions kept as 1.

import { globalPoolOp } from './util/nn-global-pool.js';

export const GlobalMaxPool = globalPoolOp('GlobalMaxPool', (x, offset, size) => {
  // NaN loses to any number (as in MaxPool); a plane of only NaN gives NaN.
  let best = x[offset];
  for (let i = offset + 1; i < offset + size; i++) {
    const v = x[i];
    if (v > best || (best !== best && v === v)) best = v;
  }
  return best;
});
