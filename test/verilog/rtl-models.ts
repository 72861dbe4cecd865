// Small int8 models for the RTL emitter's tests: a chain of Int8Gemm 4→4 layers (each node named after one name of a
// ModelNames list, hostile or plain) with a Flatten between each pair and an ArgMax at the end, built directly in
// edgeprune's int8 ops with seeded weights.
import { attr, GraphBuilder } from '../../src/ir/builder.js';
import type { Graph } from '../../src/ir/graph.js';
import { Tensor } from '../../src/ir/tensor.js';
import { EDGEPRUNE_DOMAIN } from '../../src/ops/util/int8-params.js';
import { Random } from '../../src/util/random.js';
import type { ModelNames } from '../support/hostile-names.js';

/**
 * float [1, 4] → QuantizeLinear → (Int8Gemm 4→4, ReLU clamp → Flatten) per name → ArgMax. Int8Gemm i is named after
 * name i (`node_<i>` when empty), the other nodes after their op; value k `v<k>:<name k>`, constant j `<j>:<name j>`.
 */
export function int8ChainModel(names: ModelNames): Graph {
  const b = new GraphBuilder(names.graph);
  const layers = names.layers;
  const name = (k: number) => layers[k % layers.length];
  let nodes = 0;
  let constants = 0;
  const constant = (t: Tensor) => b.initializer(`${constants}:${name(constants++)}`, t);
  const scalar = (v: number) => constant(Tensor.fromNumbers('float32', [1], [v]));
  const zero = (v: number) => constant(Tensor.fromNumbers('int8', [1], [v]));
  const add = (opType: string, inputs: string[], attrs = {}, domain = '', nodeName?: string) => {
    const k = nodes++;
    return b.node(opType, inputs, attrs, { name: nodeName ?? `${opType.toLowerCase()}_${k}`, outputs: [`v${k}:${name(k)}`], domain })[0];
  };
  const rng = new Random(21);
  let x = add('QuantizeLinear', [b.input(names.input, 'float32', [1, 4]), scalar(1 / 32), zero(-3)]);
  let zp = -3;
  for (let i = 0; i < layers.length; i++) {
    const w = Tensor.fromNumbers('int8', [4, 4], Array.from({ length: 16 }, () => rng.int(255) - 127));
    const wScale = Tensor.fromNumbers('float32', [4], Array.from({ length: 4 }, () => rng.uniform(0.002, 0.01)));
    const bias = Tensor.fromNumbers('int32', [4], Array.from({ length: 4 }, () => rng.int(2001) - 1000));
    x = add('Int8Gemm', [x, scalar(1 / 32), zero(zp), constant(w), constant(wScale), scalar(1 / 32), zero(-128), constant(bias)], { act_min: attr.int(-128) }, EDGEPRUNE_DOMAIN, layers[i] || `node_${i}`);
    zp = -128;
    if (i < layers.length - 1) x = add('Flatten', [x], { axis: attr.int(1) });
  }
  const out = add('ArgMax', [x], { axis: attr.int(1), keepdims: attr.int(1) });
  b.output(out);
  return b.build();
}
