// Channel transfers of the ops with weights: a Conv (group 1), Gemm or MatMul absorbs its input's channels into its
// weights and starts a source of its own output channels; a depthwise Conv, BatchNormalization and PRelu carry the
// channels through, slicing their per-channel parameters.

import type { Node } from '../../ir/graph.js';
import { nodeAttrs } from '../../ir/interpreter.js';
import type { GemmAttrs } from '../../ops/gemm.js';
import type { ConvAttrs } from '../../ops/util/conv-geometry.js';
import { describe, PLAIN, type ChannelMap } from './channel-map.js';
import type { Analyzer } from './dependency-graph.js';

export function conv(an: Analyzer, node: Node, x: ChannelMap | undefined, consumed: Set<number>): (ChannelMap | undefined)[] {
  const [, w, b] = node.inputs;
  const { group } = nodeAttrs(node) as ConvAttrs;
  const constant = an.privateInit(w) && (!b || an.privateInit(b));
  if (x) consumed.add(0);
  if (!constant) {
    if (x) an.blockMap(x, `read by ${describe(node)}, whose weights are not private constants`);
    return [];
  }
  const wShape = an.shape(w);
  const M = wShape[0];
  const C = an.shape(node.inputs[0])[1];
  if (group === 1) {
    if (x) {
      if (x.axis !== 1) an.blockMap(x, `${describe(node)} reads channels on axis 1, these are on axis ${x.axis}`);
      else an.touchParamBySegments(x, node, 1, 1, 'in');
    }
    const elem = an.newSource(node, M, w, b || undefined);
    an.touchParam(elem, node, 1, 0, PLAIN, 'out');
    if (b) an.touchParam(elem, node, 2, 0, PLAIN, 'out');
    return [{ axis: 1, length: M, segments: [{ elem, ...PLAIN }] }];
  }
  if (group === C && M % group === 0) {
    // Depthwise: input channel c feeds output channels [c·k, (c+1)·k) through its own filters.
    if (!x) return [];
    if (x.axis !== 1) return an.refuse(x, `${describe(node)} reads channels on axis 1, these are on axis ${x.axis}`);
    const k = M / group;
    const out: ChannelMap = { axis: 1, length: M, segments: x.segments.map((s) => ({ ...s, offset: s.offset * k, block: s.block * k, period: s.period * k })) };
    an.touchParamBySegments(out, node, 1, 0, 'out');
    if (b) an.touchParamBySegments(out, node, 2, 0, 'out');
    return [out];
  }
  if (x) an.blockMap(x, `read by ${describe(node)}, a grouped convolution (group ${group} of ${C} channels)`);
  return [];
}

export function gemm(an: Analyzer, node: Node, x: ChannelMap | undefined, consumed: Set<number>): (ChannelMap | undefined)[] {
  const [, w, c] = node.inputs;
  const attrs = nodeAttrs(node) as GemmAttrs;
  if (x) consumed.add(0);
  if (!an.privateInit(w) || (c && !an.privateInit(c))) {
    if (x) an.blockMap(x, `read by ${describe(node)}, whose weights are not private constants`);
    return [];
  }
  if (x) {
    if (attrs.transA) an.blockMap(x, `read by ${describe(node)} with transA`);
    else if (x.axis !== 1) an.blockMap(x, `${describe(node)} reads features on axis 1, these are on axis ${x.axis}`);
    else an.touchParamBySegments(x, node, 1, attrs.transB ? 1 : 0, 'in');
  }
  const wShape = an.shape(w);
  const N = attrs.transB ? wShape[0] : wShape[1];
  const elem = an.newSource(node, N, w, c || undefined);
  an.touchParam(elem, node, 1, attrs.transB ? 0 : 1, PLAIN, 'out');
  if (c) {
    const cShape = an.shape(c);
    // A bias with one value per output neuron is sliced; a broadcast one (1, scalar) stays.
    if (cShape.length > 0 && cShape[cShape.length - 1] === N) an.touchParam(elem, node, 2, cShape.length - 1, PLAIN, 'out');
  }
  return [{ axis: 1, length: N, segments: [{ elem, ...PLAIN }] }];
}

export function matMul(an: Analyzer, node: Node, maps: (ChannelMap | undefined)[], consumed: Set<number>): (ChannelMap | undefined)[] {
  const [a, w] = node.inputs;
  const x = maps[0];
  if (x) consumed.add(0);
  const wShape = an.g.initializers.has(w) ? an.shape(w) : [];
  if (!an.privateInit(w) || wShape.length !== 2) {
    if (x) an.blockMap(x, `read by ${describe(node)}, whose right operand is not a private constant matrix`);
    return [];
  }
  const aRank = an.shape(a).length;
  if (x) {
    if (x.axis !== aRank - 1) an.blockMap(x, `${describe(node)} reads features on its last axis, these are on axis ${x.axis}`);
    else an.touchParamBySegments(x, node, 1, 0, 'in');
  }
  const N = wShape[1];
  const outRank = an.shape(node.outputs[0]).length;
  const elem = an.newSource(node, N, w);
  an.touchParam(elem, node, 1, 1, PLAIN, 'out');
  return [{ axis: outRank - 1, length: N, segments: [{ elem, ...PLAIN }] }];
}

export function batchNorm(an: Analyzer, node: Node, x: ChannelMap): (ChannelMap | undefined)[] {
  if (x.axis !== 1) return an.refuse(x, `${describe(node)} normalizes axis 1, the channels are on axis ${x.axis}`);
  for (let i = 1; i <= 4; i++) {
    if (!an.privateInit(node.inputs[i])) return an.refuse(x, `${describe(node)} has parameters that are not private constants`);
  }
  for (let i = 1; i <= 4; i++) an.touchParamBySegments(x, node, i, 0, 'channelwise');
  return [x];
}

export function prelu(an: Analyzer, node: Node, x: ChannelMap, slopeMap: ChannelMap | undefined): (ChannelMap | undefined)[] {
  const slope = node.inputs[1];
  if (slopeMap) return an.refuse(x, `${describe(node)} has a run-time slope`);
  const rank = an.shape(node.inputs[0]).length;
  const sShape = an.shape(slope);
  const j = x.axis - (rank - sShape.length);
  const dim = j < 0 ? 1 : sShape[j];
  if (dim === 1 && x.length !== 1) return [x];
  if (!an.privateInit(slope)) return an.refuse(x, `${describe(node)} has a per-channel slope that is not a private constant`);
  an.touchParamBySegments(x, node, 1, j, 'channelwise');
  return [x];
}
