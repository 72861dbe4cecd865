// edgeprune's own int8 ops (domain ai.edgeprune): the deployed integer semantics of docs/numerics.md, "int8".

import type { OpDef } from '../op-def.js';
import { Int8Add } from '../int8-add.js';
import { Int8AveragePool } from '../int8-average-pool.js';
import { Int8Conv } from '../int8-conv.js';
import { Int8Gemm } from '../int8-gemm.js';
import { Int8GlobalAveragePool } from '../int8-global-average-pool.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const INT8_OPS: readonly OpDef<any>[] = [Int8Add, Int8AveragePool, Int8Conv, Int8Gemm, Int8GlobalAveragePool];
