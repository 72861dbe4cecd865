// Fresh value and node names for passes that add nodes and constants to a graph (QDQ export, quantized-ONNX import).

import type { Graph } from '../ir/graph.js';
import type { Tensor } from '../ir/tensor.js';

/** Every name a graph already uses (values, initializers, nodes), handing out new ones from hints. */
export class GraphNames {
  private readonly used = new Set<string>();
  private readonly nextSuffix = new Map<string, number>();

  constructor(g: Graph) {
    for (const v of [...g.inputs, ...g.outputs]) this.used.add(v.name);
    for (const name of g.initializers.keys()) this.used.add(name);
    for (const name of g.values.keys()) this.used.add(name);
    for (const n of g.nodes) {
      this.used.add(n.name);
      for (const v of [...n.inputs, ...n.outputs]) if (v) this.used.add(v);
    }
  }

  /** `hint` if unused, else `hint_1`, `hint_2`, ... (linear over many names from one hint). */
  fresh(hint: string): string {
    let name = hint;
    let i = this.nextSuffix.get(hint) ?? 1;
    while (this.used.has(name)) name = `${hint}_${i++}`;
    this.nextSuffix.set(hint, i);
    this.used.add(name);
    return name;
  }

  /** Add a constant to the graph under a fresh name; returns the name. */
  constant(g: Graph, hint: string, value: Tensor): string {
    const name = this.fresh(hint);
    g.initializers.set(name, value);
    return name;
  }
}
