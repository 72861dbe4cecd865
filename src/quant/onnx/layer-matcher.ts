// The contract of a quantized-layer matcher, and the sweep that applies the matchers over a graph in order.

import type { Graph, Node } from '../../ir/graph.js';
import type { Tensor } from '../../ir/tensor.js';
import { GraphNames } from '../graph-names.js';
import { int8LayerNode, layerConstant, type Int8LayerSpec } from './int8-layer.js';
import { QuantGraph } from './quant-graph.js';

/** One node standing for a matched pattern, and the nodes it replaces (it takes the place of the first). */
export interface LayerRewrite {
  node: Node;
  replaced: Node[];
}

/** Build the int8 layer of a spec; `replaced` are the layer's nodes before its output part (which the spec carries). */
export type BuildLayer = (spec: Int8LayerSpec, replaced: Node[]) => LayerRewrite;

/** What a matcher works with: the graph's facts, and the makers of int8 nodes and their constants. */
export interface MatchContext {
  qg: QuantGraph;
  /** An Int8Conv or Int8Gemm from a spec. */
  build: BuildLayer;
  /** A constant input `<layer>.<part>` of a new int8 node (src/quant/onnx/int8-layer.ts, layerConstant). */
  constant(layer: string, part: string, value: Tensor): string;
}

/** Look at a node (the pattern's anchor): the rewrite when the pattern holds, undefined to leave it. May refuse with a UserError. */
export type LayerMatcher = (anchor: Node, ctx: MatchContext) => LayerRewrite | undefined;

/**
 * Apply the matchers to every standard-domain node in graph order, each node taking part in one rewrite at most.
 * Mutates g's nodes and initializers; values are left to the caller to re-infer. Returns how many nodes of each op
 * the rewrites made.
 */
export function applyMatchers(g: Graph, matchers: Readonly<Record<string, LayerMatcher>>): Map<string, number> {
  const qg = new QuantGraph(g);
  const names = new GraphNames(g);
  const made = new Map<string, number>();
  const taken = new Set<Node>();
  const replacement = new Map<Node, Node>();
  const ctx: MatchContext = {
    qg,
    build: (spec, replaced) => ({ node: int8LayerNode(g, names, spec), replaced: [...replaced, ...spec.out.replaced] }),
    constant: (layer, part, value) => layerConstant(g, names, layer, part, value),
  };
  for (const node of g.nodes) {
    const matcher = node.domain === '' && !taken.has(node) ? matchers[node.opType] : undefined;
    const rewrite = matcher?.(node, ctx);
    if (!rewrite || rewrite.replaced.some((n) => taken.has(n))) continue;
    for (const n of rewrite.replaced) taken.add(n);
    replacement.set(rewrite.replaced[0], rewrite.node);
    made.set(rewrite.node.opType, (made.get(rewrite.node.opType) ?? 0) + 1);
  }
  g.nodes = g.nodes.flatMap((n) => (replacement.has(n) ? [replacement.get(n)!] : taken.has(n) ? [] : [n]));
  return made;
}
