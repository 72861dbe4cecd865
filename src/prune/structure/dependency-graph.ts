// Dependency groups for structural pruning: which channels are coupled and must be removed together.
//
// One pass over the graph in execution order gives every run-time value a *channel map*: the axis
// that carries prunable channels and, along it, the segments owned by channel sources. A source is a
// Conv (group 1) or a Gemm/MatMul whose weights are private initializers; each starts a group of its
// output channels. Ops that keep channels apart pass the map on (activations, BatchNorm, pooling,
// per-channel elementwise ops, depthwise Conv, Transpose, Squeeze...), possibly moving it (Concat
// offsets; Flatten/Reshape turn a channel into a block of features, or into every C-th feature after
// an NHWC flatten). Ops that read channels with weights absorb it (the next Conv's
// input channels, a Gemm/MatMul's input features). Elementwise ops over two mapped operands (a
// residual Add) unite their groups. Anything else that sees a map blocks its groups, with the reason.
// The idea follows Torch-Pruning's DependencyGraph and NNI's mask propagation, written for this IR.

import { consumers, producers, staticInfo, type Graph, type Node } from '../../ir/graph.js';
import { inferInputs } from '../../ir/infer-shapes.js';
import { nodeAttrs } from '../../ir/interpreter.js';
import { shapeSize } from '../../ir/tensor.js';
import type { GemmAttrs } from '../../ops/gemm.js';
import type { ParamRole } from '../../ops/op-def.js';
import { resolvePads } from '../../ops/pad.js';
import { opFor } from '../../ops/registry.js';
import { permutation, type TransposeAttrs } from '../../ops/transpose.js';
import type { ConvAttrs } from '../../ops/util/conv-geometry.js';
import type { ReduceAttrs } from '../../ops/util/ew-reduce.js';
import { costPerChannel, nodeMacsOf } from './channel-cost.js';
import type { BlockedGroup, ChannelSpan, GroupProducer, ParamTouch, PruneAnalysis, PruneGroup, TouchSide, ValueTouch } from './types.js';

/** Ops whose output channel c depends only on input channel c (same shape, same axis). */
const PASS_THROUGH = new Set([
  'Relu', 'LeakyRelu', 'Sigmoid', 'Tanh', 'HardSigmoid', 'HardSwish', 'Elu', 'Selu', 'Celu', 'Gelu',
  'Softplus', 'Softsign', 'Mish', 'Erf', 'Exp', 'Log', 'Abs', 'Neg', 'Sqrt', 'Reciprocal', 'Floor',
  'Ceil', 'Round', 'Sign', 'Identity', 'Dropout', 'Clip', 'Cast',
]);

/** Pooling ops: per (N, C) plane, channels on axis 1. */
const POOLS = new Set(['MaxPool', 'AveragePool', 'GlobalAveragePool', 'GlobalMaxPool', 'LpPool', 'GlobalLpPool']);

/** Broadcasting elementwise ops (binary and variadic). */
const ELEMENTWISE = new Set(['Add', 'Sub', 'Mul', 'Div', 'Pow', 'Max', 'Min', 'Sum', 'Mean']);

const REDUCTIONS = new Set(['ReduceMean', 'ReduceMax', 'ReduceMin', 'ReduceSum']);

interface Segment extends ChannelSpan {
  /** Union-find element: the source that created the channels. */
  elem: number;
}

/** The prunable channels of one value: segments along `axis` (of length `length`); other positions are fixed. */
interface ChannelMap {
  axis: number;
  length: number;
  segments: Segment[];
}

interface Source {
  node: Node;
  size: number;
  producer: GroupProducer;
}

const prod = (dims: readonly number[]) => shapeSize(dims);

/** Plain channels: channel i is position i. */
const PLAIN: ChannelSpan = { offset: 0, block: 1, period: 0, repeat: 1 };

const spanOf = (s: ChannelSpan): ChannelSpan => ({ offset: s.offset, block: s.block, period: s.period, repeat: s.repeat });

function describe(node: Node): string {
  return `${node.opType} '${node.name}'`;
}

class Analyzer {
  private readonly maps = new Map<string, ChannelMap>();
  private readonly sources: Source[] = [];
  private readonly parent: number[] = [];
  private readonly reasons = new Map<number, string[]>();
  private readonly paramTouches: { elem: number; touch: ParamTouch }[] = [];
  private readonly valueTouches: { elem: number; touch: ValueTouch }[] = [];
  private readonly initUses = new Map<string, number>();
  private readonly users: Map<string, Node[]>;
  private readonly graphOutputs: Set<string>;

  constructor(private readonly g: Graph) {
    this.users = consumers(g);
    this.graphOutputs = new Set(g.outputs.map((o) => o.name));
    for (const n of g.nodes) for (const i of n.inputs) if (i && g.initializers.has(i)) this.initUses.set(i, (this.initUses.get(i) ?? 0) + 1);
    for (const o of g.outputs) if (g.initializers.has(o.name)) this.initUses.set(o.name, (this.initUses.get(o.name) ?? 0) + 1);
  }

  // ---- union-find over sources ----

  private find(e: number): number {
    while (this.parent[e] !== e) {
      this.parent[e] = this.parent[this.parent[e]];
      e = this.parent[e];
    }
    return e;
  }

  private union(a: number, b: number): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra === rb) return;
    // The earlier source stays the root, so that ids and producer order follow the graph.
    if (ra < rb) this.parent[rb] = ra;
    else this.parent[ra] = rb;
  }

  // ---- recording ----

  private shape(name: string): number[] {
    return staticInfo(this.g, name).shape;
  }

  /** An initializer read by this one input only, so that slicing it changes nothing else. */
  private privateInit(name: string | undefined): boolean {
    return !!name && this.g.initializers.has(name) && this.initUses.get(name) === 1;
  }

  private blockMap(map: ChannelMap, reason: string): void {
    for (const s of map.segments) {
      const list = this.reasons.get(s.elem) ?? [];
      if (!list.includes(reason)) list.push(reason);
      this.reasons.set(s.elem, list);
    }
  }

  private touchParam(elem: number, node: Node, input: number, axis: number, span: ChannelSpan, side: TouchSide): void {
    const tensor = node.inputs[input];
    const role: ParamRole | 'constant' = opFor(node).paramInputs?.[input] ?? 'constant';
    this.paramTouches.push({ elem, touch: { tensor, node: node.name, axis, side, role, ...spanOf(span) } });
  }

  /** Slice an initializer input at the positions of every segment of `map` (on the tensor's `axis`). */
  private touchParamBySegments(map: ChannelMap, node: Node, input: number, axis: number, side: TouchSide): void {
    for (const s of map.segments) this.touchParam(s.elem, node, input, axis, s, side);
  }

  private newSource(node: Node, size: number, weight: string, bias?: string): number {
    const elem = this.sources.length;
    this.sources.push({ node, size, producer: { node: node.name, opType: node.opType, weight, ...(bias ? { bias } : {}) } });
    this.parent.push(elem);
    return elem;
  }

  private setMap(value: string, map: ChannelMap): void {
    this.maps.set(value, map);
    for (const s of map.segments) {
      this.valueTouches.push({ elem: s.elem, touch: { value, axis: map.axis, ...spanOf(s) } });
    }
  }

  // ---- the walk ----

  run(): PruneAnalysis {
    for (const node of this.g.nodes) this.visit(node);
    for (const o of this.g.outputs) {
      const m = this.maps.get(o.name);
      if (m) this.blockMap(m, `channels reach the graph output '${o.name}'`);
    }
    return this.collect();
  }

  private visit(node: Node): void {
    const maps = node.inputs.map((n) => (n ? this.maps.get(n) : undefined));
    const consumed = new Set<number>();
    const outs: (ChannelMap | undefined)[] = node.domain === '' ? this.transfer(node, maps, consumed) : [];
    maps.forEach((m, i) => {
      if (m && !consumed.has(i)) this.blockMap(m, `read by ${describe(node)}, which structural pruning cannot slice (input ${i})`);
    });
    node.outputs.forEach((o, i) => {
      const m = outs[i];
      if (o && m && m.segments.length > 0) this.setMap(o, m);
    });
  }

  /** Output channel maps of a node; marks the mapped inputs it handles (blocking them itself if needed) in `consumed`. */
  private transfer(node: Node, maps: (ChannelMap | undefined)[], consumed: Set<number>): (ChannelMap | undefined)[] {
    const x = maps[0];
    const op = node.opType;
    if (op === 'Conv') return this.conv(node, x, consumed);
    if (op === 'Gemm') return this.gemm(node, x, consumed);
    if (op === 'MatMul') return this.matMul(node, maps, consumed);
    if (ELEMENTWISE.has(op)) return this.elementwise(node, maps, consumed);
    if (op === 'Concat') return this.concat(node, maps, consumed);
    if (!x) return [];
    consumed.add(0);
    if (PASS_THROUGH.has(op)) {
      // Dropout's mask and any other extra output carry the same channels.
      return node.outputs.map(() => x);
    }
    if (POOLS.has(op)) {
      if (x.axis !== 1) return this.refuse(x, `${describe(node)} pools planes of axis 1, the channels are on axis ${x.axis}`);
      const indices = node.outputs[1];
      if (indices && ((this.users.get(indices) ?? []).length > 0 || this.graphOutputs.has(indices))) {
        return this.refuse(x, `${describe(node)} outputs indices that count across channels`);
      }
      return [x];
    }
    switch (op) {
      case 'BatchNormalization':
        return this.batchNorm(node, x);
      case 'PRelu':
        return this.prelu(node, x, maps[1]);
      case 'Softmax':
      case 'LogSoftmax': {
        const rank = this.shape(node.inputs[0]).length;
        const { axis } = nodeAttrs(node) as { axis: number };
        if ((axis < 0 ? axis + rank : axis) === x.axis) return this.refuse(x, `${describe(node)} normalizes over the channel axis`);
        return [x];
      }
      case 'Flatten': {
        const inShape = this.shape(node.inputs[0]);
        const { axis } = nodeAttrs(node) as { axis: number };
        const k = axis < 0 ? axis + inShape.length : axis;
        return this.reshape(node, x, inShape, [prod(inShape.slice(0, k)), prod(inShape.slice(k))]);
      }
      case 'Reshape':
        if (!this.g.initializers.has(node.inputs[1])) return this.refuse(x, `${describe(node)} takes its shape from a run-time value`);
        return this.reshape(node, x, this.shape(node.inputs[0]), this.shape(node.outputs[0]));
      case 'Transpose': {
        const perm = permutation(this.shape(node.inputs[0]).length, nodeAttrs(node) as TransposeAttrs, node);
        return [{ ...x, axis: perm.indexOf(x.axis) }];
      }
      case 'Squeeze':
        return this.squeeze(node, x);
      case 'Unsqueeze':
        return this.unsqueeze(node, x);
      case 'Pad': {
        const constant = node.inputs.slice(1).every((n) => !n || this.g.initializers.has(n));
        if (!constant) return this.refuse(x, `${describe(node)} takes its pads from a run-time value`);
        const { begins, ends } = resolvePads(inferInputs(this.g, node), node);
        if (begins[x.axis] !== 0 || ends[x.axis] !== 0) return this.refuse(x, `${describe(node)} pads the channel axis`);
        return [x];
      }
      default:
        if (REDUCTIONS.has(op)) return this.reduce(node, x);
        consumed.delete(0);
        return [];
    }
  }

  private refuse(map: ChannelMap, reason: string): [] {
    this.blockMap(map, reason);
    return [];
  }

  private conv(node: Node, x: ChannelMap | undefined, consumed: Set<number>): (ChannelMap | undefined)[] {
    const [, w, b] = node.inputs;
    const { group } = nodeAttrs(node) as ConvAttrs;
    const constant = this.privateInit(w) && (!b || this.privateInit(b));
    if (x) consumed.add(0);
    if (!constant) {
      if (x) this.blockMap(x, `read by ${describe(node)}, whose weights are not private constants`);
      return [];
    }
    const wShape = this.shape(w);
    const M = wShape[0];
    const C = this.shape(node.inputs[0])[1];
    if (group === 1) {
      if (x) {
        if (x.axis !== 1) this.blockMap(x, `${describe(node)} reads channels on axis 1, these are on axis ${x.axis}`);
        else this.touchParamBySegments(x, node, 1, 1, 'in');
      }
      const elem = this.newSource(node, M, w, b || undefined);
      this.touchParam(elem, node, 1, 0, PLAIN, 'out');
      if (b) this.touchParam(elem, node, 2, 0, PLAIN, 'out');
      return [{ axis: 1, length: M, segments: [{ elem, ...PLAIN }] }];
    }
    if (group === C && M % group === 0) {
      // Depthwise: input channel c feeds output channels [c·k, (c+1)·k) through its own filters.
      if (!x) return [];
      if (x.axis !== 1) return this.refuse(x, `${describe(node)} reads channels on axis 1, these are on axis ${x.axis}`);
      const k = M / group;
      const out: ChannelMap = { axis: 1, length: M, segments: x.segments.map((s) => ({ ...s, offset: s.offset * k, block: s.block * k, period: s.period * k })) };
      this.touchParamBySegments(out, node, 1, 0, 'out');
      if (b) this.touchParamBySegments(out, node, 2, 0, 'out');
      return [out];
    }
    if (x) this.blockMap(x, `read by ${describe(node)}, a grouped convolution (group ${group} of ${C} channels)`);
    return [];
  }

  private gemm(node: Node, x: ChannelMap | undefined, consumed: Set<number>): (ChannelMap | undefined)[] {
    const [, w, c] = node.inputs;
    const attrs = nodeAttrs(node) as GemmAttrs;
    if (x) consumed.add(0);
    if (!this.privateInit(w) || (c && !this.privateInit(c))) {
      if (x) this.blockMap(x, `read by ${describe(node)}, whose weights are not private constants`);
      return [];
    }
    if (x) {
      if (attrs.transA) this.blockMap(x, `read by ${describe(node)} with transA`);
      else if (x.axis !== 1) this.blockMap(x, `${describe(node)} reads features on axis 1, these are on axis ${x.axis}`);
      else this.touchParamBySegments(x, node, 1, attrs.transB ? 1 : 0, 'in');
    }
    const wShape = this.shape(w);
    const N = attrs.transB ? wShape[0] : wShape[1];
    const elem = this.newSource(node, N, w, c || undefined);
    this.touchParam(elem, node, 1, attrs.transB ? 0 : 1, PLAIN, 'out');
    if (c) {
      const cShape = this.shape(c);
      // A bias with one value per output neuron is sliced; a broadcast one (1, scalar) stays.
      if (cShape.length > 0 && cShape[cShape.length - 1] === N) this.touchParam(elem, node, 2, cShape.length - 1, PLAIN, 'out');
    }
    return [{ axis: 1, length: N, segments: [{ elem, ...PLAIN }] }];
  }

  private matMul(node: Node, maps: (ChannelMap | undefined)[], consumed: Set<number>): (ChannelMap | undefined)[] {
    const [a, w] = node.inputs;
    const x = maps[0];
    if (x) consumed.add(0);
    const wShape = this.g.initializers.has(w) ? this.shape(w) : [];
    if (!this.privateInit(w) || wShape.length !== 2) {
      if (x) this.blockMap(x, `read by ${describe(node)}, whose right operand is not a private constant matrix`);
      return [];
    }
    const aRank = this.shape(a).length;
    if (x) {
      if (x.axis !== aRank - 1) this.blockMap(x, `${describe(node)} reads features on its last axis, these are on axis ${x.axis}`);
      else this.touchParamBySegments(x, node, 1, 0, 'in');
    }
    const N = wShape[1];
    const outRank = this.shape(node.outputs[0]).length;
    const elem = this.newSource(node, N, w);
    this.touchParam(elem, node, 1, 1, PLAIN, 'out');
    return [{ axis: outRank - 1, length: N, segments: [{ elem, ...PLAIN }] }];
  }

  private batchNorm(node: Node, x: ChannelMap): (ChannelMap | undefined)[] {
    if (x.axis !== 1) return this.refuse(x, `${describe(node)} normalizes axis 1, the channels are on axis ${x.axis}`);
    for (let i = 1; i <= 4; i++) {
      if (!this.privateInit(node.inputs[i])) return this.refuse(x, `${describe(node)} has parameters that are not private constants`);
    }
    for (let i = 1; i <= 4; i++) this.touchParamBySegments(x, node, i, 0, 'channelwise');
    return [x];
  }

  private prelu(node: Node, x: ChannelMap, slopeMap: ChannelMap | undefined): (ChannelMap | undefined)[] {
    const slope = node.inputs[1];
    if (slopeMap) return this.refuse(x, `${describe(node)} has a run-time slope`);
    const rank = this.shape(node.inputs[0]).length;
    const sShape = this.shape(slope);
    const j = x.axis - (rank - sShape.length);
    const dim = j < 0 ? 1 : sShape[j];
    if (dim === 1 && x.length !== 1) return [x];
    if (!this.privateInit(slope)) return this.refuse(x, `${describe(node)} has a per-channel slope that is not a private constant`);
    this.touchParamBySegments(x, node, 1, j, 'channelwise');
    return [x];
  }

  /** Broadcasting elementwise ops: per-channel constants are sliced, mapped operands are united. */
  private elementwise(node: Node, maps: (ChannelMap | undefined)[], consumed: Set<number>): (ChannelMap | undefined)[] {
    const mapped = maps.flatMap((m, i) => (m ? [{ m, i }] : []));
    if (mapped.length === 0) return [];
    for (const { i } of mapped) consumed.add(i);
    const outShape = this.shape(node.outputs[0]);
    const R = outShape.length;
    const alignedAxis = (i: number, axis: number) => axis + (R - this.shape(node.inputs[i]).length);
    const A = alignedAxis(mapped[0].i, mapped[0].m.axis);
    const L = outShape[A];
    const refuseAll = (reason: string) => {
      for (const { m } of mapped) this.blockMap(m, reason);
      return [];
    };
    if (mapped.some(({ m, i }) => alignedAxis(i, m.axis) !== A || m.length !== L)) {
      return refuseAll(`${describe(node)} combines channels that do not line up`);
    }
    // All mapped operands must own the same positions with the same channel sizes.
    const key = (m: ChannelMap) =>
      [...m.segments].sort((p, q) => p.offset - q.offset).map((s) => `${s.offset}:${s.block}:${s.period}:${s.repeat}:${this.sources[s.elem].size}`).join(',');
    const first = mapped[0].m;
    const firstKey = key(first);
    if (mapped.some(({ m }) => key(m) !== firstKey)) return refuseAll(`${describe(node)} combines channels that do not line up`);
    // Unmapped operands: broadcast along the channel axis, or a per-channel constant to slice.
    const slices: { i: number; axis: number }[] = [];
    for (let i = 0; i < node.inputs.length; i++) {
      const name = node.inputs[i];
      if (!name || maps[i]) continue;
      const s = this.shape(name);
      const j = A - (R - s.length);
      const dim = j < 0 ? 1 : s[j];
      if (dim === 1 && L !== 1) continue;
      if (!this.privateInit(name)) return refuseAll(`${describe(node)} combines them with '${name}', whose channels cannot be removed`);
      slices.push({ i, axis: j });
    }
    const sorted = (m: ChannelMap) => [...m.segments].sort((p, q) => p.offset - q.offset);
    const base = sorted(first);
    for (const { m } of mapped.slice(1)) sorted(m).forEach((s, k) => this.union(base[k].elem, s.elem));
    for (const { i, axis } of slices) this.touchParamBySegments(first, node, i, axis, 'channelwise');
    return [{ axis: A, length: L, segments: first.segments.map((s) => ({ ...s })) }];
  }

  private concat(node: Node, maps: (ChannelMap | undefined)[], consumed: Set<number>): (ChannelMap | undefined)[] {
    const mapped = maps.flatMap((m, i) => (m ? [{ m, i }] : []));
    if (mapped.length === 0) return [];
    for (const { i } of mapped) consumed.add(i);
    const outShape = this.shape(node.outputs[0]);
    const { axis } = nodeAttrs(node) as { axis: number };
    const catAxis = axis < 0 ? axis + outShape.length : axis;
    if (mapped.every(({ m }) => m.axis === catAxis)) {
      const segments: Segment[] = [];
      let offset = 0;
      node.inputs.forEach((name, i) => {
        if (!name) return;
        for (const s of maps[i]?.segments ?? []) segments.push({ ...s, offset: s.offset + offset });
        offset += this.shape(name)[catAxis];
      });
      return [{ axis: catAxis, length: outShape[catAxis], segments }];
    }
    // Joined along another axis: every input must carry the same channels, as for Add.
    if (mapped.length === node.inputs.filter((n) => n).length) {
      return this.elementwise(node, maps, consumed);
    }
    for (const { m } of mapped) this.blockMap(m, `${describe(node)} joins them with values whose channels cannot be removed`);
    return [];
  }

  /**
   * Reshape (and Flatten) keep channels apart when each channel's elements land on whole positions of
   * one output axis b: the dims before b must be a leading part of the dims before the channel axis
   * (the rest become repeats, as in an NHWC flatten), and the channel's element blocks must align to
   * the elements behind b.
   */
  private reshape(node: Node, x: ChannelMap, inShape: number[], outShape: number[]): (ChannelMap | undefined)[] {
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
    return this.refuse(x, `${describe(node)} reshapes [${inShape.join(',')}] to [${outShape.join(',')}], which mixes channels`);
  }

  private constantAxes(node: Node, input: number, rank: number): number[] | undefined {
    const name = node.inputs[input];
    if (!name) return undefined;
    const t = this.g.initializers.get(name);
    if (!t) return undefined;
    return t.toNumbers().map((a) => (a < 0 ? a + rank : a));
  }

  private squeeze(node: Node, x: ChannelMap): (ChannelMap | undefined)[] {
    const inShape = this.shape(node.inputs[0]);
    if (node.inputs[1] && !this.g.initializers.has(node.inputs[1])) return this.refuse(x, `${describe(node)} has run-time axes`);
    const axes = this.constantAxes(node, 1, inShape.length) ?? inShape.flatMap((d, i) => (d === 1 ? [i] : []));
    if (axes.includes(x.axis)) return this.refuse(x, `${describe(node)} removes the channel axis`);
    return [{ ...x, axis: x.axis - axes.filter((a) => a < x.axis).length }];
  }

  private unsqueeze(node: Node, x: ChannelMap): (ChannelMap | undefined)[] {
    const outRank = this.shape(node.outputs[0]).length;
    const axes = this.constantAxes(node, 1, outRank);
    if (!axes) return this.refuse(x, `${describe(node)} has run-time axes`);
    let seen = -1;
    for (let i = 0; i < outRank; i++) {
      if (axes.includes(i)) continue;
      if (++seen === x.axis) return [{ ...x, axis: i }];
    }
    return this.refuse(x, `${describe(node)} has axes that do not fit`);
  }

  private reduce(node: Node, x: ChannelMap): (ChannelMap | undefined)[] {
    const rank = this.shape(node.inputs[0]).length;
    const attrs = nodeAttrs(node) as ReduceAttrs;
    if (node.inputs[1] && !this.g.initializers.has(node.inputs[1])) return this.refuse(x, `${describe(node)} has run-time axes`);
    const listed = this.constantAxes(node, 1, rank) ?? [];
    if (listed.length === 0 && attrs.noopWithEmptyAxes) return [x];
    const axes = listed.length === 0 ? Array.from({ length: rank }, (_, i) => i) : listed;
    if (axes.includes(x.axis)) return this.refuse(x, `${describe(node)} reduces over the channel axis`);
    return [{ ...x, axis: attrs.keepdims ? x.axis : x.axis - axes.filter((a) => a < x.axis).length }];
  }

  // ---- result ----

  private collect(): PruneAnalysis {
    const order = new Map(this.g.nodes.map((n, i) => [n.name, i]));
    const producerOf = producers(this.g);
    const nodeMacs = nodeMacsOf(this.g);
    const groups: PruneGroup[] = [];
    const blocked: BlockedGroup[] = [];
    for (let root = 0; root < this.sources.length; root++) {
      if (this.find(root) !== root) continue;
      const members = this.sources.flatMap((s, e) => (this.find(e) === root ? [s] : []));
      const memberElems = new Set(this.sources.flatMap((_, e) => (this.find(e) === root ? [e] : [])));
      const id = members.map((s) => s.node.name).join('+');
      const size = this.sources[root].size;
      const reasons = [...memberElems].flatMap((e) => this.reasons.get(e) ?? []);
      if (reasons.length > 0) {
        blocked.push({ id, size, producers: members.map((s) => s.node.name), reasons: [...new Set(reasons)] });
        continue;
      }
      const params = this.paramTouches.filter((t) => memberElems.has(t.elem)).map((t) => t.touch);
      const values = this.valueTouches.filter((t) => memberElems.has(t.elem)).map((t) => t.touch);
      const nodes = new Set<string>(params.map((p) => p.node));
      for (const v of values) {
        const p = producerOf.get(v.value);
        if (p) nodes.add(p.name);
        for (const u of this.users.get(v.value) ?? []) nodes.add(u.name);
      }
      groups.push({
        id,
        kind: members.some((s) => s.node.opType === 'Conv') ? 'filters' : 'neurons',
        size,
        producers: members.map((s) => s.producer),
        params,
        values,
        nodes: [...nodes].sort((p, q) => (order.get(p) ?? 0) - (order.get(q) ?? 0)),
        perChannel: costPerChannel(this.g, params, nodeMacs),
      });
    }
    return { groups, blocked };
  }
}

/** Every group of coupled channels, prunable or not (with the reasons for the blocked ones). */
export function analyzePruneGroups(g: Graph): PruneAnalysis {
  return new Analyzer(g).run();
}

/** The prunable groups of a graph, in graph order of their first producer. */
export function findPruneGroups(g: Graph): PruneGroup[] {
  return analyzePruneGroups(g).groups;
}
