// Layers with weights or windows: convolutions, matrix products, pooling, normalization.

import type { OpDef } from '../op-def.js';
import { AveragePool } from '../average-pool.js';
import { BatchNormalization } from '../batch-normalization.js';
import { Conv } from '../conv.js';
import { ConvTranspose } from '../conv-transpose.js';
import { Gemm } from '../gemm.js';
import { GlobalAveragePool } from '../global-average-pool.js';
import { GlobalMaxPool } from '../global-max-pool.js';
import { MatMul } from '../mat-mul.js';
import { MaxPool } from '../max-pool.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const NN_OPS: readonly OpDef<any>[] = [AveragePool, BatchNormalization, Conv, ConvTranspose, Gemm, GlobalAveragePool, GlobalMaxPool, MatMul, MaxPool];
