// LogSoftmax: (x - max) - log(sum(exp(x - max))) along one axis (default -1); older opsets are rewritten on import.

import { softmaxOp } from './util/ew-softmax.js';

export const LogSoftmax = softmaxOp('LogSoftmax');
