// Pruning starts from a model whose parameters are finite: NaN or infinite weights make every score meaningless.

import { nodeParams } from '../analysis/model-stats.js';
import { UserError } from '../errors.js';
import type { Graph } from '../ir/graph.js';
import { countNonFinite } from '../ir/tensor.js';

/** Refuse a model whose float parameters (weights, biases, normalization) hold NaN or ±Infinity, naming the first one. */
export function checkFiniteParameters(g: Graph): void {
  for (const node of g.nodes) {
    for (const p of nodeParams(g, node)) {
      if (p.tensor.dtype !== 'float32' && p.tensor.dtype !== 'float64') continue;
      const data = p.tensor.data as Float32Array | Float64Array;
      const { count: bad, first } = countNonFinite(data);
      if (bad > 0) {
        throw new UserError(`node '${node.name}' (${node.opType}): its ${p.role} '${p.name}' holds ${first} (${bad} of ${data.length} values are not finite), so every score of the model is meaningless`, 'prune a trained model whose weights are finite (export it again, or train it with a lower learning rate)');
      }
    }
  }
}
