// The data model of structural pruning: groups of coupled channels, and where each touches the graph.

import type { ParamRole } from '../../ops/op-def.js';

/**
 * Where a group's channels sit along one axis of a tensor: channel i owns the positions
 * offset + r·period + i·block + j for r in [0, repeat) and j in [0, block).
 * - plain channels: block 1, repeat 1 (period 0);
 * - after an NCHW Flatten: block H·W (channel c owns features [c·H·W, (c+1)·H·W));
 * - after a depthwise Conv with multiplier k: block k;
 * - after an NHWC flatten (Transpose to channels-last, then Reshape): block 1, period C, repeat H·W
 *   (channel c owns features c, c + C, c + 2C, ...).
 */
export interface ChannelSpan {
  offset: number;
  block: number;
  /** Distance between repeats (0 when repeat is 1). */
  period: number;
  repeat: number;
}

/** The positions of channel i of a span, in increasing order. */
export function spanPositions(span: ChannelSpan, i: number): number[] {
  const out: number[] = [];
  for (let r = 0; r < span.repeat; r++) {
    const start = span.offset + r * span.period + i * span.block;
    for (let j = 0; j < span.block; j++) out.push(start + j);
  }
  return out;
}

/**
 * Which side of the channel a parameter slice is on:
 * - 'out': it produces the channel (Conv filters W[c], Gemm/MatMul weight rows or columns, their
 *   bias, and the filters of a depthwise Conv the channel passes through);
 * - 'in': it reads the channel (next Conv's W[:, c], a Gemm/MatMul's input-feature rows);
 * - 'channelwise': a per-channel constant the channel passes through (BatchNorm parameters, a PRelu
 *   slope, the constant operand of an elementwise op).
 */
export type TouchSide = 'out' | 'in' | 'channelwise';

/** A parameter (initializer) sliced along `axis` when the group loses channels. */
export interface ParamTouch extends ChannelSpan {
  /** Initializer name. */
  tensor: string;
  /** The node that reads it. */
  node: string;
  axis: number;
  side: TouchSide;
  /** The role the op gives this input (as model-stats counts it), or 'constant' for other constants. */
  role: ParamRole | 'constant';
}

/** A run-time value whose `axis` shrinks when the group loses channels. */
export interface ValueTouch extends ChannelSpan {
  value: string;
  axis: number;
}

/** A node whose weights define the group's channels (a Conv's filters or a Gemm/MatMul's output neurons). */
export interface GroupProducer {
  node: string;
  opType: string;
  weight: string;
  bias?: string;
}

/** What one channel of a group costs, as model-stats counts it: removing one channel saves this much. */
export interface ChannelCost {
  macs: number;
  params: number;
}

/**
 * A set of coupled channels that are removed together: channel i of the group is channel i of
 * every producer, and every tensor and parameter listed shrinks at the positions of channel i.
 */
export interface PruneGroup {
  /** Stable across pruning rounds: the producers' node names joined with '+', in graph order. */
  id: string;
  /** 'filters' when a Conv produces the channels, 'neurons' for Gemm/MatMul producers. */
  kind: 'filters' | 'neurons';
  /** Channel count. */
  size: number;
  producers: GroupProducer[];
  params: ParamTouch[];
  values: ValueTouch[];
  /** Every node whose parameters, attributes or tensors change (graph order). */
  nodes: string[];
  /** MACs and parameters one channel costs (marginal: removing the first channel saves exactly this). */
  perChannel: ChannelCost;
}

/** A group that cannot be pruned, and why (for diagnostics). */
export interface BlockedGroup {
  id: string;
  size: number;
  producers: string[];
  reasons: string[];
}

export interface PruneAnalysis {
  groups: PruneGroup[];
  blocked: BlockedGroup[];
}
