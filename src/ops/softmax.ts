// Softmax: exp(x - max) / sum(exp(x - max)) along one axis (default -1); older opsets are rewritten on import.

import { softmaxOp } from './util/ew-softmax.js';

export const Softmax = softmaxOp('Softmax');
