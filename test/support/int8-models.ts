// Small int8 graphs for the C backend's tests (the quantized sample models are in src/models/int8-sample-models.ts).
import { attr, GraphBuilder } from '../../src/ir/builder.js';
import type { Graph } from '../../src/ir/graph.js';
import { Tensor } from '../../src/ir/tensor.js';

/** int8 in and out, no arithmetic: Transpose, Concat with an int8 constant, Flatten (a view). */
export function int8MovesModel(): Graph {
  const b = new GraphBuilder('int8_moves');
  const x = b.input('x', 'int8', [1, 2, 3, 5]);
  const t = b.op('Transpose', [x], { perm: attr.ints([0, 2, 3, 1]) }, 'transpose');
  const extra = b.initializer('extra', Tensor.fromNumbers('int8', [1, 3, 5, 1], Array.from({ length: 15 }, (_, i) => i * 17 - 128)));
  const c = b.op('Concat', [t, extra], { axis: attr.int(3) }, 'concat');
  b.output(b.op('Flatten', [c], {}, 'flatten'));
  return b.build();
}
