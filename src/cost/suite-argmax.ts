// The ArgMax cases of the calibration suite (included by suite.ts): ep_argmax_f32 and ep_argmax_s8 over a contiguous
// axis (classifier heads of 3 to 400 classes) and a strided one, each a one-node graph with a seeded input.

import { attr, GraphBuilder } from '../ir/builder.js';
import { shapeSize, Tensor } from '../ir/tensor.js';
import { Random } from '../util/random.js';
import type { SuiteCase } from './suite-common.js';

const SPECS: [number[], number][] = [[[1, 3], 1], [[1, 10], 1], [[1, 100], 1], [[4, 32], 1], [[1, 400], 1], [[1, 8, 16], 1], [[2, 5, 12], 1]];

export function argMaxCalibrationCases(): SuiteCase[] {
  const r = new Random(20261205);
  const out: SuiteCase[] = [];
  for (const dtype of ['float32', 'int8'] as const) {
    for (const [shape, axis] of SPECS) {
      const b = new GraphBuilder('argmax');
      const x = b.input('x', dtype, shape);
      b.output(b.op('ArgMax', [x], { axis: attr.int(axis), keepdims: attr.int(0) }));
      const values = Array.from({ length: shapeSize(shape) }, () => (dtype === 'int8' ? r.int(256) - 128 : r.normal() * 3));
      out.push({ name: `argmax_${dtype === 'int8' ? 's8' : 'f32'}.${shape.join('x')}a${axis}`, graph: b.build(), inputs: [[Tensor.fromNumbers(dtype, shape, values)]] });
    }
  }
  return out;
}
