// QDQ average pools and additions → Int8AveragePool, Int8GlobalAveragePool and Int8Add: DequantizeLinear of each
// int8 input → AveragePool / GlobalAveragePool / Add → [Relu | Clip] → QuantizeLinear, per-tensor parameters.

import type { Node } from '../../ir/graph.js';
import { EDGEPRUNE_DOMAIN } from '../../ops/util/int8-params.js';
import { clampAttrs, requantizedOutput, scaleTensor, zeroPointTensor } from './int8-layer.js';
import type { LayerMatcher, MatchContext } from './layer-matcher.js';
import { dequantizedActivation } from './qdq-layers.js';
import type { TensorQuant } from './quant-graph.js';

const POOL_ATTRS = ['auto_pad', 'ceil_mode', 'count_include_pad', 'dilations', 'kernel_shape', 'pads', 'strides'];

/** The int8 node standing for `anchor`: its dequantized inputs read as int8, each with its scale and zero point, then the output's. */
function int8Node(anchor: Node, ctx: MatchContext, opType: string, attrNames: readonly string[]) {
  const inputs = anchor.inputs.map((v) => dequantizedActivation(ctx.qg, v));
  const out = requantizedOutput(ctx.qg, anchor.outputs[0]);
  if (!out || inputs.length === 0 || inputs.some((x) => !x)) return undefined;
  const parts = inputs.length === 1 ? ['x'] : ['a', 'b'];
  const params = (part: string, q: TensorQuant) => [
    ctx.constant(anchor.name, `${part}_scale`, scaleTensor([q.scale])),
    ctx.constant(anchor.name, `${part}_zero_point`, zeroPointTensor(q.zeroPoint)),
  ];
  const node: Node = {
    name: anchor.name,
    opType,
    domain: EDGEPRUNE_DOMAIN,
    inputs: [...inputs.flatMap((x, i) => [x!.q, ...params(parts[i], x!.quant)]), ...params('y', out.quant)],
    outputs: [out.output],
    attrs: { ...Object.fromEntries(Object.entries(anchor.attrs).filter(([k]) => attrNames.includes(k))), ...clampAttrs(out.clamp) },
  };
  return { node, replaced: [anchor, ...out.replaced] };
}

export const POOL_ADD_MATCHERS: Readonly<Record<string, LayerMatcher>> = {
  AveragePool: (pool, ctx) => int8Node(pool, ctx, 'Int8AveragePool', POOL_ATTRS),
  GlobalAveragePool: (pool, ctx) => int8Node(pool, ctx, 'Int8GlobalAveragePool', []),
  Add: (add, ctx) => (add.inputs.length === 2 ? int8Node(add, ctx, 'Int8Add', []) : undefined),
};
