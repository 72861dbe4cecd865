// Cases the worst-case calibration runs besides the calibration suite's: int8 QuantizeLinear at more scales. On
// Cortex-M3 (ep__quantize_int) gcc turns the four divisions by the scale's mantissa into multiply-high sequences whose
// length depends on that constant, so the price of the longest path depends on the scale: in QEMU on lm3s6965, on the
// rounding-tie fills (src/verify/quantize-tie-vectors.ts), ~81 to ~94 instructions per element over 20 scales, the
// suite's 0.02 at ~85 and 1/255 (pixel inputs) the most.

import { GraphBuilder } from '../ir/builder.js';
import { Tensor } from '../ir/tensor.js';
import { Random } from '../util/random.js';
import type { SuiteCase } from './suite-common.js';

/** Scales of the longest sequences found (1/255, 0.0137, 0.1173) and of a middle one (0.0457). */
const SCALES: [string, number][] = [['1_255', 1 / 255], ['0.0137', 0.0137], ['0.1173', 0.1173], ['0.0457', 0.0457]];

export function worstCaseOnlyCases(): SuiteCase[] {
  const r = new Random(20261206);
  return SCALES.flatMap(([tag, scale]) => [64, 200].map((n, i) => {
    const zp = i === 0 ? -128 : 3;
    const b = new GraphBuilder('quantize_s8');
    const x = b.input('x', 'float32', [1, n]);
    b.output(b.op('QuantizeLinear', [x, b.initializer('scale', Tensor.fromNumbers('float32', [1], [scale])), b.initializer('zero_point', Tensor.fromNumbers('int8', [1], [zp]))]));
    const data = Tensor.fromNumbers('float32', [1, n], Array.from({ length: n }, () => r.normal() * 60 * scale));
    return { name: `quantize_s8.s${tag}n${n}`, graph: b.build(), inputs: [[data]] };
  }));
}
