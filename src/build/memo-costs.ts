// The cost model's predictions kept by graph content: the budget search prices the same candidate more than once (a
// channel cut probed for the constrained budget and again for another unmet one, the current model each iteration),
// and each prediction lowers the whole graph. Keyed by the SHA-256 of the graph as exact JSON, so a hit is the same
// graph, bit for bit, and gets the very figures the cost model gave it: the search goes exactly the same way.

import { createHash } from 'node:crypto';
import { graphToJson } from '../ir/graph-json.js';
import type { Graph } from '../ir/graph.js';

/** Predictions kept (the oldest dropped first): a search iteration prices a few dozen graphs. */
const KEPT = 512;

export function graphContentKey(g: Graph): string {
  return createHash('sha256').update(JSON.stringify(graphToJson(g))).digest('hex');
}

/** `predict` with its results kept by graph content (each caller gets its own copy of the figures). */
export function memoizedByContent<T extends object>(predict: (g: Graph) => T, kept = KEPT): (g: Graph) => T {
  const memo = new Map<string, T>();
  return (g) => {
    const key = graphContentKey(g);
    let value = memo.get(key);
    if (value === undefined) {
      value = predict(g);
      memo.set(key, value);
      if (memo.size > kept) memo.delete(memo.keys().next().value!);
    }
    return { ...value };
  };
}
