// Remove nodes whose outputs nobody reads, and initializers no node reads.

import { cloneGraph, type Graph } from '../ir/graph.js';
import type { Pass } from './pass.js';

export const eliminateDeadCode: Pass = {
  name: 'eliminate-dead-code',
  run(input: Graph) {
    const g = cloneGraph(input);
    const needed = new Set(g.outputs.map((o) => o.name));
    const kept = [];
    for (let i = g.nodes.length - 1; i >= 0; i--) {
      const node = g.nodes[i];
      if (!node.outputs.some((o) => o && needed.has(o))) continue;
      kept.push(node);
      for (const name of node.inputs) if (name) needed.add(name);
    }
    kept.reverse();
    let changed = kept.length !== g.nodes.length;
    g.nodes = kept;
    for (const name of [...g.initializers.keys()]) {
      if (!needed.has(name)) {
        g.initializers.delete(name);
        changed = true;
      }
    }
    const defined = new Set([...g.inputs.map((v) => v.name), ...kept.flatMap((n) => n.outputs)]);
    for (const name of [...g.values.keys()]) if (!defined.has(name)) g.values.delete(name);
    return { graph: g, changed };
  },
};
