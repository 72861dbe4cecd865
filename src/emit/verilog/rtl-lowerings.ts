// The registry of layer lowerings of the Verilog emitter: one file per kind of layer. A new kind (streaming conv, max
// and average pool, the Flatten collector of pixels, folded dense layers at reuse factor > 1) is one more entry; lowerings of the
// same op are tried in order and the first that accepts the node is used.

import { ARGMAX } from './lower-argmax.js';
import { AVGPOOL_STREAM } from './lower-avgpool.js';
import { COLLECT } from './lower-collect.js';
import { CONV_FOLDED } from './lower-conv-folded.js';
import { CONV_STREAM } from './lower-conv-stream.js';
import { MAXPOOL_STREAM } from './lower-maxpool.js';
import { DENSE_FOLDED } from './lower-dense-folded.js';
import { DENSE_RF1 } from './lower-dense-rf1.js';
import { VECTOR_VIEW } from './lower-vector-view.js';
import type { RtlLowering } from './rtl-layer.js';

export const RTL_LOWERINGS: readonly RtlLowering[] = [DENSE_RF1, DENSE_FOLDED, CONV_STREAM, CONV_FOLDED, MAXPOOL_STREAM, AVGPOOL_STREAM, VECTOR_VIEW, COLLECT, ARGMAX];

/** The lowerings registered for an op, in order of preference. */
export function loweringsFor(domain: string, opType: string): RtlLowering[] {
  return RTL_LOWERINGS.filter((l) => l.ops.some((o) => o.domain === domain && o.opType === opType));
}

/** What the emitter supports, one item per lowering, for error messages and the README. */
export function supportedLayers(): string {
  return RTL_LOWERINGS.map((l) => l.supports).join('; ');
}
