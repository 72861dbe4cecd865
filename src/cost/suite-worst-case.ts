// Cases the worst-case calibration runs besides the calibration suite's.
//
// int8 QuantizeLinear at more scales and zero points. On Cortex-M3 (ep__quantize_int) the per-element code is the same
// for every scale (the reciprocal of the scale's mantissa is a constant loaded once; the four divisions per element
// whose multiply-high sequences varied with the scale are gone), but the zero point folds into the clamp and the sign:
// in QEMU on lm3s6965, on the rounding-tie fills (src/verify/quantize-tie-vectors.ts), 52 to 64 instructions per
// element over these scales (bench/kernels/quantize-s8.ts), against 52 to 55 on random data.
//
// Float layers whose operands the suite's weights never reach. The suite's weights and biases are uniform in
// [−0.5, 0.5], so a product of ±2^-149 (the "smallest subnormals" fill) with a weight rounds to zero; with a weight of
// magnitude above 1/2 (a trained first layer's, He initialisation's) it is a subnormal, and every soft-float add of the
// accumulation then takes libgcc's subnormal path: the bench digits CNN's conv1 on lm3s6965 measured 882,880
// instructions there against a price of 873,252 fitted without such cases. A per-channel affine of scale 1 and shift 0
// (an untrained BatchNormalization) keeps a subnormal input subnormal through its multiply and add: 13,200 instructions
// for 64 elements of the largest subnormals, which the calibration without such cases priced at 11,859.
import { attr, GraphBuilder } from '../ir/builder.js';
import { Tensor } from '../ir/tensor.js';
import { Random } from '../util/random.js';
import type { SuiteCase } from './suite-common.js';
import { calibrationSuite, convGraph, denseGraph, type ConvSpec } from './suite.js';
import type { MeasureCase } from './measure.js';
import { calibrationAdversarialVectors, type AdversarialVector } from '../verify/adversarial-vectors.js';
import { loadVectors } from '../verify/vectors.js';

/** Scales of the longest division sequences of the former long division (1/255, 0.0137, 0.1173) and a middle one (0.0457). */
const SCALES: [string, number][] = [['1_255', 1 / 255], ['0.0137', 0.0137], ['0.1173', 0.1173], ['0.0457', 0.0457]];

export function worstCaseOnlyCases(): SuiteCase[] {
  return [...quantizeCases(), ...wideWeightCases(), ...identityAffineCases()];
}

/** Every case the worst-case calibration may run: the calibration suite's and the ones above. */
export function worstCaseSuite(): SuiteCase[] {
  return [...calibrationSuite(), ...worstCaseOnlyCases()];
}

/**
 * A suite case measured on its typical vector, then on `vectors`: by default the worst-case calibration's adversarial
 * ones (check-independence.ts passes verify's).
 */
export function worstCaseMeasureCase(c: SuiteCase, vectors: readonly AdversarialVector[] = calibrationAdversarialVectors(c.graph)): MeasureCase {
  return {
    name: c.name, graph: c.graph, sparse: c.sparse,
    inputs: [...(c.inputs ?? loadVectors(c.graph, { count: 1, seed: 1 }).inputs).slice(0, 1), ...vectors.map((a) => a.inputs)],
  };
}

function quantizeCases(): SuiteCase[] {
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

/** Weight magnitude of the wide-weight cases: uniform in [−2, 2]. */
const WIDE = 2;

/** Convolutions (a first layer of one and three channels, padded) and dense layers with weights in [−2, 2], zero biases too. */
function wideWeightCases(): SuiteCase[] {
  const r = new Random(20261207);
  const p1: [number, number, number, number] = [1, 1, 1, 1];
  const convs: [string, ConvSpec][] = [
    ['c1x8k3p1m8', { C: 1, H: 8, W: 8, M: 8, KH: 3, KW: 3, pad: p1, bias: false, weightScale: WIDE }],
    ['c3x10k3p1m6', { C: 3, H: 10, W: 10, M: 6, KH: 3, KW: 3, pad: p1, weightScale: WIDE }],
  ];
  const conv = convs.map(([name, spec]): SuiteCase => ({ name: `conv.wide.${name}`, graph: convGraph(r, spec) }));
  const dense = ([[64, 32, false], [48, 16, true]] as const).map(([K, N, bias]): SuiteCase => ({ name: `dense.wide.r1k${K}n${N}`, graph: denseGraph(r, 1, K, N, 'relu', bias, 0, WIDE) }));
  return [...conv, ...dense];
}

/**
 * BatchNormalization of mean 0, variance 1, scale 1 and shift 0, one channel and eight: the affine's scale is
 * 1/sqrt(1 + 1e-5), just below 1, so a subnormal input's product is a subnormal that needs rounding (a scale of exactly
 * 1 is cheaper there: 11,920 against 13,200 instructions for 64 elements of the largest subnormals in QEMU on lm3s6965).
 */
function identityAffineCases(): SuiteCase[] {
  return [[1, 1, 8, 8], [1, 8, 4, 4]].map((shape) => {
    const b = new GraphBuilder('bn');
    const x = b.input('x', 'float32', shape);
    const C = shape[1];
    const fill = (name: string, v: number) => b.initializer(name, Tensor.fromNumbers('float32', [C], Array(C).fill(v)));
    b.output(b.op('BatchNormalization', [x, fill('s', 1), fill('b', 0), fill('m', 0), fill('v', 1)], { epsilon: attr.float(1e-5) }));
    return { name: `affine.identity.${shape.join('x')}`, graph: b.build() };
  });
}
