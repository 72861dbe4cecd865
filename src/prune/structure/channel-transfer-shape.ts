// Channel transfers of the ops that join or reshape values: broadcasting elementwise ops (a residual Add unites the
// groups of its operands), Concat (offsets the maps), Reshape/Flatten (channels as blocks of features), Squeeze,
// Unsqueeze and reductions (move the channel axis).

import type { Node } from '../../ir/graph.js';
import { nodeAttrs } from '../../ir/interpreter.js';
import type { ReduceAttrs } from '../../ops/util/ew-reduce.js';
import { describe, prod, type ChannelMap, type Segment } from './channel-map.js';
import type { Analyzer } from './dependency-graph.js';

/** Broadcasting elementwise ops: per-channel constants are sliced, mapped operands are united. */
export function elementwise(an: Analyzer, node: Node, maps: (ChannelMap | undefined)[], consumed: Set<number>): (ChannelMap | undefined)[] {
  const mapped = maps.flatMap((m, i) => (m ? [{ m, i }] : []));
  if (mapped.length === 0) return [];
  for (const { i } of mapped) consumed.add(i);
  const outShape = an.shape(node.outputs[0]);
  const R = outShape.length;
  const alignedAxis = (i: number, axis: number) => axis + (R - an.shape(node.inputs[i]).length);
  const A = alignedAxis(mapped[0].i, mapped[0].m.axis);
  const L = outShape[A];
  const refuseAll = (reason: string) => {
    for (const { m } of mapped) an.blockMap(m, reason);
    return [];
  };
  if (mapped.some(({ m, i }) => alignedAxis(i, m.axis) !== A || m.length !== L)) {
    return refuseAll(`${describe(node)} combines channels that do not line up`);
  }
  // All mapped operands must own the same positions with the same channel sizes.
  const key = (m: ChannelMap) =>
    [...m.segments].sort((p, q) => p.offset - q.offset).map((s) => `${s.offset}:${s.block}:${s.period}:${s.repeat}:${an.sources[s.elem].size}`).join(',');
  const first = mapped[0].m;
  const firstKey = key(first);
  if (mapped.some(({ m }) => key(m) !== firstKey)) return refuseAll(`${describe(node)} combines channels that do not line up`);
  // Unmapped operands: broadcast along the channel axis, or a per-channel constant to slice.
  const slices: { i: number; axis: number }[] = [];
  for (let i = 0; i < node.inputs.length; i++) {
    const name = node.inputs[i];
    if (!name || maps[i]) continue;
    const s = an.shape(name);
    const j = A - (R - s.length);
    const dim = j < 0 ? 1 : s[j];
    if (dim === 1 && L !== 1) continue;
    if (!an.privateInit(name)) return refuseAll(`${describe(node)} combines them with '${name}', whose channels cannot be removed`);
    slices.push({ i, axis: j });
  }
  const sorted = (m: ChannelMap) => [...m.segments].sort((p, q) => p.offset - q.offset);
  const base = sorted(first);
  for (const { m } of mapped.slice(1)) sorted(m).forEach((s, k) => an.union(base[k].elem, s.elem));
  for (const { i, axis } of slices) an.touchParamBySegments(first, node, i, axis, 'channelwise');
  return [{ axis: A, length: L, segments: first.segments.map((s) => ({ ...s })) }];
}

export function concat(an: Analyzer, node: Node, maps: (ChannelMap | undefined)[], consumed: Set<number>): (ChannelMap | undefined)[] {
  const mapped = maps.flatMap((m, i) => (m ? [{ m, i }] : []));
  if (mapped.length === 0) return [];
  for (const { i } of mapped) consumed.add(i);
  const outShape = an.shape(node.outputs[0]);
  const { axis } = nodeAttrs(node) as { axis: number };
  const catAxis = axis < 0 ? axis + outShape.length : axis;
  if (mapped.every(({ m }) => m.axis === catAxis)) {
    const segments: Segment[] = [];
    let offset = 0;
    node.inputs.forEach((name, i) => {
      if (!name) return;
      for (const s of maps[i]?.segments ?? []) segments.push({ ...s, offset: s.offset + offset });
      offset += an.shape(name)[catAxis];
    });
    return [{ axis: catAxis, length: outShape[catAxis], segments }];
  }
  // Joined along another axis: every input must carry the same channels, as for Add.
  if (mapped.length === node.inputs.filter((n) => n).length) {
    return elementwise(an, node, maps, consumed);
  }
  for (const { m } of mapped) an.blockMap(m, `${describe(node)} joins them with values whose channels cannot be removed`);
  return [];
}

/**
 * Reshape (and Flatten) keep channels apart when each channel's elements land on whole positions of
 * one output axis b: the dims before b must be a leading part of the dims before the channel axis
 * (the rest become repeats, as in an NHWC flatten), and the channel's element blocks must align to
 * the elements behind b.
 */
export function reshape(an: Analyzer, node: Node, x: ChannelMap, inShape: number[], outShape: number[]): (ChannelMap | undefined)[] {
  const outer = prod(inShape.slice(0, x.axis));
  const L = inShape[x.axis];
  const innerIn = prod(inShape.slice(x.axis + 1));
  for (let b = 0; b < outShape.length; b++) {
    const outerOut = prod(outShape.slice(0, b));
    if (outerOut === 0 || outer % outerOut !== 0) continue;
    const q = outer / outerOut;
    const innerOut = prod(outShape.slice(b + 1));
    if (outShape[b] * innerOut !== q * L * innerIn) continue;
    const scaled = (v: number) => ((v * innerIn) % innerOut === 0 ? (v * innerIn) / innerOut : undefined);
    const segments: Segment[] = [];
    for (const s of x.segments) {
      const offset = scaled(s.offset);
      const block = scaled(s.block);
      if (offset === undefined || block === undefined || (s.repeat > 1 && q > 1)) break;
      const period = s.repeat > 1 ? scaled(s.period) : q > 1 ? scaled(L) : 0;
      if (period === undefined) break;
      segments.push({ elem: s.elem, offset, block, period, repeat: s.repeat > 1 ? s.repeat : q });
    }
    if (segments.length === x.segments.length) return [{ axis: b, length: outShape[b], segments }];
  }
  return an.refuse(x, `${describe(node)} reshapes [${inShape.join(',')}] to [${outShape.join(',')}], which mixes channels`);
}

export function constantAxes(an: Analyzer, node: Node, input: number, rank: number): number[] | undefined {
  const name = node.inputs[input];
  if (!name) return undefined;
  const t = an.g.initializers.get(name);
  if (!t) return undefined;
  return t.toNumbers().map((a) => (a < 0 ? a + rank : a));
}

export function squeeze(an: Analyzer, node: Node, x: ChannelMap): (ChannelMap | undefined)[] {
  const inShape = an.shape(node.inputs[0]);
  if (node.inputs[1] && !an.g.initializers.has(node.inputs[1])) return an.refuse(x, `${describe(node)} has run-time axes`);
  const axes = constantAxes(an, node, 1, inShape.length) ?? inShape.flatMap((d, i) => (d === 1 ? [i] : []));
  if (axes.includes(x.axis)) return an.refuse(x, `${describe(node)} removes the channel axis`);
  return [{ ...x, axis: x.axis - axes.filter((a) => a < x.axis).length }];
}

export function unsqueeze(an: Analyzer, node: Node, x: ChannelMap): (ChannelMap | undefined)[] {
  const outRank = an.shape(node.outputs[0]).length;
  const axes = constantAxes(an, node, 1, outRank);
  if (!axes) return an.refuse(x, `${describe(node)} has run-time axes`);
  let seen = -1;
  for (let i = 0; i < outRank; i++) {
    if (axes.includes(i)) continue;
    if (++seen === x.axis) return [{ ...x, axis: i }];
  }
  return an.refuse(x, `${describe(node)} has axes that do not fit`);
}

export function reduce(an: Analyzer, node: Node, x: ChannelMap): (ChannelMap | undefined)[] {
  const rank = an.shape(node.inputs[0]).length;
  const attrs = nodeAttrs(node) as ReduceAttrs;
  if (node.inputs[1] && !an.g.initializers.has(node.inputs[1])) return an.refuse(x, `${describe(node)} has run-time axes`);
  const listed = constantAxes(an, node, 1, rank) ?? [];
  if (listed.length === 0 && attrs.noopWithEmptyAxes) return [x];
  const axes = listed.length === 0 ? Array.from({ length: rank }, (_, i) => i) : listed;
  if (axes.includes(x.axis)) return an.refuse(x, `${describe(node)} reduces over the channel axis`);
  return [{ ...x, axis: attrs.keepdims ? x.axis : x.axis - axes.filter((a) => a < x.axis).length }];
}
