// The pass contract: a named function from graph to graph that says whether it changed anything.

import type { Graph } from '../ir/graph.js';
import { verifyProblems } from '../ir/verify.js';

export interface PassResult {
  graph: Graph;
  changed: boolean;
}

export interface Pass {
  /** verb-noun, as the file name. */
  readonly name: string;
  run(g: Graph): PassResult;
}

/**
 * Run passes in the given order and verify the graph after each one, so that a broken pass is
 * caught where it broke the graph (an internal error naming the pass). A pass that changed nothing
 * after the graph was verified once is not verified again (verifying re-infers every node).
 */
export function runPasses(g: Graph, passes: readonly Pass[], options: { verify?: boolean } = {}): Graph {
  let current = g;
  let verified = false;
  for (const p of passes) {
    const result = p.run(current);
    current = result.graph;
    if (options.verify === false || (verified && !result.changed)) continue;
    const problems = verifyProblems(current);
    if (problems.length) throw new Error(`pass ${p.name} produced an invalid graph:\n  ${problems.join('\n  ')}`);
    verified = true;
  }
  return current;
}
