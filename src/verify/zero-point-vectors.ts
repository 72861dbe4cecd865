// The int8 vector "all at the zero point": every element of an int8 model input equal to the zero point its first
// reader subtracts, so that the values it stands for are 0. The int8 fills' "all zeros" is the integer 0, which is a
// real 0 only when the zero point is 0; a kernel with a cheaper path for a real 0 (the soft-float multiply of
// DequantizeLinear on Cortex-M3: 373 instructions against 693 for the digits CNN's ten logits) is reached by this one.

import { staticInfo, type Graph } from '../ir/graph.js';
import { shapeSize, Tensor } from '../ir/tensor.js';
import type { AdversarialVector } from './adversarial-vectors.js';

/** The zero point at input 2 of the first node that reads `input` as its input 0 (DequantizeLinear, the int8 layers). */
function zeroPointOf(g: Graph, input: string): number | null {
  const reader = g.nodes.find((n) => n.inputs[0] === input);
  const zp = reader?.inputs[2] ? g.initializers.get(reader.inputs[2]) : undefined;
  return zp && zp.dtype === 'int8' && zp.size === 1 ? Number(zp.data[0]) : null;
}

/** The vector when every input is int8 and one of them has a non-zero zero point (none otherwise). */
export function zeroPointVectors(g: Graph): AdversarialVector[] {
  const infos = g.inputs.map((v) => ({ ...staticInfo(g, v.name), name: v.name }));
  if (!infos.length || infos.some((i) => i.dtype !== 'int8')) return [];
  const points = infos.map((i) => zeroPointOf(g, i.name) ?? 0);
  if (points.every((z) => z === 0)) return [];
  return [{
    name: `all at the zero point (${points.join(', ')})`,
    inputs: infos.map((info, k) => Tensor.fromNumbers('int8', info.shape, new Array<number>(shapeSize(info.shape)).fill(points[k]))),
  }];
}
