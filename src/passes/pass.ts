// The pass contract: a named function from graph to graph that says whether it changed anything.

import type { Graph } from '../ir/graph.js';

export interface PassResult {
  graph: Graph;
  changed: boolean;
}

export interface Pass {
  /** verb-noun, as the file name. */
  readonly name: string;
  run(g: Graph): PassResult;
}

/** Run passes in the given order; returns the final graph. */
export function runPasses(g: Graph, passes: readonly Pass[]): Graph {
  let current = g;
  for (const p of passes) current = p.run(current).graph;
  return current;
}
