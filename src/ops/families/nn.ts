// Layers with weights or windows: convolutions, matrix products, pooling, normalization.

import type { OpDef } from '../op-def.js';
import { Conv } from '../conv.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const NN_OPS: readonly OpDef<any>[] = [Conv];
