// Channel maps of structural pruning's dependency analysis: where a value's prunable channels lie (an axis and the
// segments each channel source owns along it), with the small helpers the analyzer and the op transfers share.

import type { Node } from '../../ir/graph.js';
import { shapeSize } from '../../ir/tensor.js';
import type { ChannelSpan, GroupProducer } from './types.js';

export interface Segment extends ChannelSpan {
  /** Union-find element: the source that created the channels. */
  elem: number;
}

/** The prunable channels of one value: segments along `axis` (of length `length`); other positions are fixed. */
export interface ChannelMap {
  axis: number;
  length: number;
  segments: Segment[];
}

export interface Source {
  node: Node;
  size: number;
  producer: GroupProducer;
}

export const prod = (dims: readonly number[]) => shapeSize(dims);

/** Plain channels: channel i is position i. */
export const PLAIN: ChannelSpan = { offset: 0, block: 1, period: 0, repeat: 1 };

export const spanOf = (s: ChannelSpan): ChannelSpan => ({ offset: s.offset, block: s.block, period: s.period, repeat: s.repeat });

/** How a node is named in a reason. */
export function describe(node: Node): string {
  return `${node.opType} '${node.name}'`;
}
