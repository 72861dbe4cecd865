// The reference interpreter: runs an IR graph on given inputs. Every backend is compared against it.

import { nodeError, UserError } from '../errors.js';
import { opFor } from '../ops/registry.js';
import { readAttrs } from '../ops/op-def.js';
import { consumers, isStaticShape, type Graph, type Node } from './graph.js';
import { countText, limits, storageBytesPerElement } from './limits.js';
import { sameShape, shapeSize, shapeToString, Tensor } from './tensor.js';

const attrCache = new WeakMap<Node, unknown>();

/** Parsed attributes of a node (cached per node object). */
export function nodeAttrs(node: Node): unknown {
  let a = attrCache.get(node);
  if (a === undefined) {
    a = readAttrs(opFor(node), node);
    attrCache.set(node, a);
  }
  return a;
}

/** Forget cached attributes after a pass changed a node in place. */
export function invalidateAttrs(node: Node): void {
  attrCache.delete(node);
}

/** Evaluate one node on its input values. */
export function evaluateNode(node: Node, inputs: (Tensor | undefined)[]): Tensor[] {
  const op = opFor(node);
  const outs = op.evaluate(inputs, nodeAttrs(node), node);
  if (outs.length < node.outputs.filter((o) => o).length) {
    throw new Error(`node '${node.name}' (${node.opType}) produced ${outs.length} outputs, expected ${node.outputs.length}`);
  }
  return outs;
}

export interface RunOptions {
  /** Keep every intermediate value in the result (for per-layer comparison). */
  keepIntermediates?: boolean;
}

/** Check that the feeds match the graph's inputs in name, type and shape. */
function checkFeeds(g: Graph, feeds: Record<string, Tensor>): void {
  for (const input of g.inputs) {
    const t = feeds[input.name];
    if (!t) throw new UserError(`missing input '${input.name}' (expected ${input.dtype} ${shapeToString(input.shape as number[])})`);
    if (t.dtype !== input.dtype) throw new UserError(`input '${input.name}' has type ${t.dtype}, the model expects ${input.dtype}`);
    if (!sameShape(t.shape, input.shape as number[])) {
      throw new UserError(`input '${input.name}' has shape ${shapeToString(t.shape)}, the model expects ${shapeToString(input.shape as number[])}`);
    }
  }
}

const tensorBytes = (t: Tensor) => t.size * storageBytesPerElement(t.dtype);

/** Bytes the node's outputs will take, from their inferred types (0 for a value without one). */
function outputBytes(g: Graph, node: Node): number {
  let bytes = 0;
  for (const name of node.outputs) {
    const v = name ? g.values.get(name) : undefined;
    if (v && isStaticShape(v.shape)) bytes += shapeSize(v.shape) * storageBytesPerElement(v.dtype);
  }
  return bytes;
}

/**
 * Run the graph; returns the graph outputs (and every intermediate with keepIntermediates). Refuses,
 * before evaluating it, a node whose outputs would bring the values alive at once past the limit.
 */
export function runGraph(g: Graph, feeds: Record<string, Tensor>, options: RunOptions = {}): Map<string, Tensor> {
  checkFeeds(g, feeds);
  const env = new Map<string, Tensor>(g.initializers);
  for (const input of g.inputs) env.set(input.name, feeds[input.name]);
  const maxLive = limits().maxLiveBytes;
  let liveBytes = g.inputs.reduce((s, v) => s + tensorBytes(feeds[v.name]), 0);
  const remainingUses = new Map<string, number>();
  if (!options.keepIntermediates) {
    for (const [name, users] of consumers(g)) remainingUses.set(name, users.length);
    for (const o of g.outputs) remainingUses.set(o.name, Infinity);
  }
  for (const node of g.nodes) {
    const inputs = node.inputs.map((name) => {
      if (!name) return undefined;
      const v = env.get(name);
      if (!v) throw new Error(`node '${node.name}' reads '${name}', which has no value yet`);
      return v;
    });
    const more = outputBytes(g, node);
    if (liveBytes + more > maxLive) {
      throw nodeError(node, `running it would hold ${countText(liveBytes + more)} bytes of values at once, more than the limit of ${countText(maxLive)}`);
    }
    const outs = evaluateNode(node, inputs);
    node.outputs.forEach((name, i) => {
      if (!name) return;
      env.set(name, outs[i]);
      liveBytes += tensorBytes(outs[i]);
    });
    if (!options.keepIntermediates) {
      for (const name of node.inputs) {
        if (!name || g.initializers.has(name)) continue;
        const left = (remainingUses.get(name) ?? 1) - 1;
        remainingUses.set(name, left);
        const dead = left <= 0 ? env.get(name) : undefined;
        if (dead) {
          liveBytes -= tensorBytes(dead);
          env.delete(name);
        }
      }
    }
  }
  if (options.keepIntermediates) return env;
  const result = new Map<string, Tensor>();
  for (const o of g.outputs) {
    const v = env.get(o.name);
    if (!v) throw new Error(`graph output '${o.name}' was not computed`);
    result.set(o.name, v);
  }
  return result;
}
