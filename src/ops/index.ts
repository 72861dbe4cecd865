// The operator set: every op definition, listed explicitly by family (no folder scanning).

import type { OpDef } from './op-def.js';
import { ELEMENTWISE_OPS } from './families/elementwise.js';
import { INT8_OPS } from './families/int8.js';
import { NN_OPS } from './families/nn.js';
import { QUANT_OPS } from './families/quant.js';
import { TENSOR_OPS } from './families/tensor.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const ALL_OPS: readonly OpDef<any>[] = [...ELEMENTWISE_OPS, ...NN_OPS, ...TENSOR_OPS, ...QUANT_OPS, ...INT8_OPS];
