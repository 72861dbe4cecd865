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
// The idea follows Torch-Pruning's DependencyGraph and NNI's mask propagation, written for this IR. This file holds
// the walk and the result; channel-transfer*.ts what each op does to a map.

import { consumers, producers, staticInfo, type Graph, type Node } from '../../ir/graph.js';
import type { ParamRole } from '../../ops/op-def.js';
import { opFor } from '../../ops/registry.js';
import { costPerChannel, nodeMacsOf } from './channel-cost.js';
import { describe, spanOf, type ChannelMap, type Source } from './channel-map.js';
import { transfer } from './channel-transfer.js';
import type { BlockedGroup, ChannelSpan, ParamTouch, PruneAnalysis, PruneGroup, TouchSide, ValueTouch } from './types.js';

/**
 * The walk over the graph: channel maps per value, channel sources in a union-find, and what each group touches and
 * why it is blocked. The op transfers (channel-transfer*.ts) call its recording methods.
 */
export class Analyzer {
  private readonly maps = new Map<string, ChannelMap>();
  readonly sources: Source[] = [];
  private readonly parent: number[] = [];
  private readonly reasons = new Map<number, string[]>();
  private readonly paramTouches: { elem: number; touch: ParamTouch }[] = [];
  private readonly valueTouches: { elem: number; touch: ValueTouch }[] = [];
  private readonly initUses = new Map<string, number>();
  readonly users: Map<string, Node[]>;
  readonly graphOutputs: Set<string>;

  constructor(readonly g: Graph) {
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

  union(a: number, b: number): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra === rb) return;
    // The earlier source stays the root, so that ids and producer order follow the graph.
    if (ra < rb) this.parent[rb] = ra;
    else this.parent[ra] = rb;
  }

  // ---- recording ----

  shape(name: string): number[] {
    return staticInfo(this.g, name).shape;
  }

  /** An initializer read by this one input only, so that slicing it changes nothing else. */
  privateInit(name: string | undefined): boolean {
    return !!name && this.g.initializers.has(name) && this.initUses.get(name) === 1;
  }

  blockMap(map: ChannelMap, reason: string): void {
    for (const s of map.segments) {
      const list = this.reasons.get(s.elem) ?? [];
      if (!list.includes(reason)) list.push(reason);
      this.reasons.set(s.elem, list);
    }
  }

  touchParam(elem: number, node: Node, input: number, axis: number, span: ChannelSpan, side: TouchSide): void {
    const tensor = node.inputs[input];
    const role: ParamRole | 'constant' = opFor(node).paramInputs?.[input] ?? 'constant';
    this.paramTouches.push({ elem, touch: { tensor, node: node.name, axis, side, role, ...spanOf(span) } });
  }

  /** Slice an initializer input at the positions of every segment of `map` (on the tensor's `axis`). */
  touchParamBySegments(map: ChannelMap, node: Node, input: number, axis: number, side: TouchSide): void {
    for (const s of map.segments) this.touchParam(s.elem, node, input, axis, s, side);
  }

  newSource(node: Node, size: number, weight: string, bias?: string): number {
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
    const outs: (ChannelMap | undefined)[] = node.domain === '' ? transfer(this, node, maps, consumed) : [];
    maps.forEach((m, i) => {
      if (m && !consumed.has(i)) this.blockMap(m, `read by ${describe(node)}, which structural pruning cannot slice (input ${i})`);
    });
    node.outputs.forEach((o, i) => {
      const m = outs[i];
      if (o && m && m.segments.length > 0) this.setMap(o, m);
    });
  }

  refuse(map: ChannelMap, reason: string): [] {
    this.blockMap(map, reason);
    return [];
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
