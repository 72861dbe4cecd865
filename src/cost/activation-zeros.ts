// Zero fractions of a model's run-time values on given inputs (the reference interpreter), for the cost model's
// zero-product terms: in soft float a multiply-accumulate with a zero factor is cheaper, and how many activations are
// zero (after a ReLU: often half or more) is a property of the data, not of the graph.

import type { Graph } from '../ir/graph.js';
import { runGraph } from '../ir/interpreter.js';
import { countZeros, type Tensor } from '../ir/tensor.js';

/** Value name → fraction of exact zeros over the vectors (graph inputs and every computed value). */
export function valueZeroFractions(g: Graph, vectors: Tensor[][]): Map<string, number> {
  const zeros = new Map<string, number>();
  const sizes = new Map<string, number>();
  for (const vector of vectors) {
    const feeds = Object.fromEntries(g.inputs.map((v, i) => [v.name, vector[i]]));
    const values = runGraph(g, feeds, { keepIntermediates: true });
    for (const [name, t] of values) {
      if (g.initializers.has(name) || t.dtype !== 'float32') continue;
      zeros.set(name, (zeros.get(name) ?? 0) + countZeros(t));
      sizes.set(name, (sizes.get(name) ?? 0) + t.size);
    }
  }
  const out = new Map<string, number>();
  for (const [name, z] of zeros) out.set(name, sizes.get(name)! > 0 ? z / sizes.get(name)! : 0);
  return out;
}
