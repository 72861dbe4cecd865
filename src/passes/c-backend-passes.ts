// The passes the C backend runs before lowering, in order: compileToC and the cost model's lowering share this list.

import { eliminateDeadCode } from './eliminate-dead-code.js';
import { foldBatchNorm } from './fold-batchnorm.js';
import { foldBiasAdd } from './fold-bias-add.js';
import type { Pass } from './pass.js';

/** BatchNorm into the layer before it, then a constant per-channel Add into a bias-less layer, then dead code. */
export const C_BACKEND_PASSES: readonly Pass[] = [foldBatchNorm, foldBiasAdd, eliminateDeadCode];
