// Data movement and shape ops: reshapes, transposes, concatenation, padding, gathers, constants.

import type { OpDef } from '../op-def.js';
import { Concat } from '../concat.js';
import { Constant } from '../constant.js';
import { ConstantOfShape } from '../constant-of-shape.js';
import { Expand } from '../expand.js';
import { Flatten } from '../flatten.js';
import { Gather } from '../gather.js';
import { Identity } from '../identity.js';
import { Pad } from '../pad.js';
import { Reshape } from '../reshape.js';
import { Shape } from '../shape.js';
import { Slice } from '../slice.js';
import { Split } from '../split.js';
import { Squeeze } from '../squeeze.js';
import { Transpose } from '../transpose.js';
import { Unsqueeze } from '../unsqueeze.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const TENSOR_OPS: readonly OpDef<any>[] = [
  Concat, Constant, ConstantOfShape, Expand, Flatten, Gather, Identity, Pad, Reshape, Shape, Slice, Split, Squeeze,
  Transpose, Unsqueeze,
];
