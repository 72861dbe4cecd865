// Unstructured (weight) pruning: magnitude masks per layer or global, the threshold rule, and applying masks.

import { nodeParams } from '../analysis/model-stats.js';
import { cloneGraph, type Graph } from '../ir/graph.js';
import { countZeros, Tensor } from '../ir/tensor.js';

/** 1 = keep, 0 = pruned; one mask per weight initializer, in its IR layout. */
export type Masks = Map<string, Uint8Array>;

export type MaskScope = 'layer' | 'global';

/** Float weights of Conv/Gemm/MatMul-like layers (the 'weight' parameters; biases and norms stay dense). */
export function prunableWeights(g: Graph): Map<string, Tensor> {
  const out = new Map<string, Tensor>();
  for (const node of g.nodes) {
    for (const p of nodeParams(g, node)) {
      if (p.role === 'weight' && p.tensor.dtype === 'float32' && g.initializers.get(p.name) === p.tensor) out.set(p.name, p.tensor);
    }
  }
  return out;
}

function absValues(t: Tensor): Float32Array {
  return Float32Array.from(t.data as Float32Array, Math.abs);
}

/** Mask out the `count` smallest |w| of one tensor, keeping what `previous` already pruned pruned. */
function maskSmallest(t: Tensor, count: number, previous?: Uint8Array): Uint8Array {
  const abs = absValues(t);
  const mask = new Uint8Array(t.size).fill(1);
  if (previous) for (let i = 0; i < t.size; i++) if (!previous[i]) {
    mask[i] = 0;
    abs[i] = -1; // already pruned: first in line
  }
  const order = Array.from(abs.keys()).sort((a, b) => abs[a] - abs[b] || a - b);
  for (let i = 0; i < Math.min(count, order.length); i++) mask[order[i]] = 0;
  return mask;
}

/**
 * Masks reaching `sparsity` (fraction of zero weights) by magnitude, per layer (each tensor pruned to the
 * same sparsity) or global (one threshold over all weights, so layers with many small weights lose more).
 */
export function magnitudeMasks(g: Graph, sparsity: number, scope: MaskScope, previous: Masks = new Map()): Masks {
  const weights = prunableWeights(g);
  const masks: Masks = new Map();
  if (scope === 'layer') {
    for (const [name, t] of weights) masks.set(name, maskSmallest(t, Math.round(sparsity * t.size), previous.get(name)));
    return masks;
  }
  // One ranking over every weight: already-pruned ones first, then by |w| (ties by position).
  const entries = [...weights];
  const offsets: number[] = [];
  let total = 0;
  for (const [, t] of entries) {
    offsets.push(total);
    total += t.size;
  }
  const abs = new Float32Array(total);
  entries.forEach(([name, t], k) => {
    const prev = previous.get(name);
    const d = t.data as Float32Array;
    for (let i = 0; i < t.size; i++) abs[offsets[k] + i] = prev && !prev[i] ? -1 : Math.abs(d[i]);
  });
  const order = Uint32Array.from(abs.keys()).sort((a, b) => abs[a] - abs[b] || a - b);
  const keep = new Uint8Array(total).fill(1);
  const cut = Math.round(sparsity * total);
  for (let i = 0; i < cut; i++) keep[order[i]] = 0;
  entries.forEach(([name, t], k) => masks.set(name, keep.slice(offsets[k], offsets[k] + t.size)));
  return masks;
}

/** The threshold rule: per layer, prune |w| < mean(|w| of the weights still kept) / alpha. */
export function thresholdMasks(g: Graph, alpha: number, previous: Masks = new Map()): Masks {
  const masks: Masks = new Map();
  for (const [name, t] of prunableWeights(g)) {
    const prev = previous.get(name);
    const d = t.data as Float32Array;
    let sum = 0;
    let kept = 0;
    for (let i = 0; i < t.size; i++) if (!prev || prev[i]) {
      sum += Math.abs(d[i]);
      kept++;
    }
    const threshold = kept ? sum / kept / alpha : 0;
    const mask = new Uint8Array(t.size);
    for (let i = 0; i < t.size; i++) mask[i] = (!prev || prev[i]) && Math.abs(d[i]) >= threshold ? 1 : 0;
    masks.set(name, mask);
  }
  return masks;
}

/** A copy of the graph with masked weights set to exactly zero. */
export function applyMasks(g: Graph, masks: Masks): Graph {
  const out = cloneGraph(g);
  for (const [name, mask] of masks) {
    const t = out.initializers.get(name);
    if (!t) throw new Error(`mask for '${name}', which is not an initializer`);
    const zeroed = t.clone();
    const d = zeroed.data as Float32Array;
    for (let i = 0; i < d.length; i++) if (!mask[i]) d[i] = 0;
    out.initializers.set(name, zeroed);
  }
  return out;
}

/** Masks that keep exactly the non-zero weights of a graph (to continue from a pruned model). */
export function masksFromZeros(g: Graph): Masks {
  const masks: Masks = new Map();
  for (const [name, t] of prunableWeights(g)) masks.set(name, Uint8Array.from(t.data as Float32Array, (v) => (v === 0 ? 0 : 1)));
  return masks;
}

/** Fraction of zero weights over all prunable weights. */
export function weightSparsity(g: Graph): number {
  let zeros = 0;
  let total = 0;
  for (const t of prunableWeights(g).values()) {
    zeros += countZeros(t);
    total += t.size;
  }
  return total ? zeros / total : 0;
}
