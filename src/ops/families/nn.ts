// Layers with weights or windows: convolutions, matrix products, pooling, normalization.

import type { OpDef } from '../op-def.js';
import { Conv } from '../conv.js';
import { Gemm } from '../gemm.js';
import { MatMul } from '../mat-mul.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const NN_OPS: readonly OpDef<any>[] = [Conv, Gemm, MatMul];
