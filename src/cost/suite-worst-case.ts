// Cases the worst-case calibration runs besides the calibration suite's: int8 QuantizeLinear at more scales and zero
// points. On Cortex-M3 (ep__quantize_int) the per-element code is the same for every scale (the reciprocal of the
// scale's mantissa is a constant loaded once; the four divisions per element whose multiply-high sequences varied with
// the scale are gone), but the zero point folds into the clamp and the sign: in QEMU on lm3s6965, on the rounding-tie
// fills (src/verify/quantize-tie-vectors.ts), 52 to 64 instructions per element over these scales
// (bench/kernels/quantize-s8.ts), against 52 to 55 on random data.
import { GraphBuilder } from '../ir/builder.js';
import { Tensor } from '../ir/tensor.js';
import { Random } from '../util/random.js';
import type { SuiteCase } from './suite-common.js';

/** Scales of the longest division sequences of the former long division (1/255, 0.0137, 0.1173) and a middle one (0.0457). */
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
