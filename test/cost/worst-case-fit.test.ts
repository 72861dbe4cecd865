// The worst-case calibration's bounding fits (raised least squares, the excess over the typical count), the excess
// form's use in predictWorstCase, and the calibration's infinity and NaN vectors (verify's NaN vectors too).
import { describe, expect, it } from 'vitest';
import { digitsCnn, digitsMlp, quantizedForBench } from '../../bench/cost-models.js';
import { loadCalibration } from '../../src/cost/calibration.js';
import { chooseConstantTimeMac } from '../../src/cost/constant-time-choice.js';
import { kernelEstimator } from '../../src/cost/estimator.js';
import { intArg } from '../../src/cost/kernel-models/common.js';
import { lowerForCost } from '../../src/cost/lowered.js';
import { predictWorstCase } from '../../src/cost/worst-case.js';
import { currentWorstCaseCalibration, type WorstCaseCalibration } from '../../src/cost/worst-case-calibration.js';
import { boundsEveryRow, excessFit, raisedFit, singleTermBound } from '../../src/cost/worst-case-fit.js';
import { GraphBuilder } from '../../src/ir/builder.js';
import { findMcuTarget } from '../../src/targets/load-targets.js';
import { adversarialVectors, calibrationAdversarialVectors, NAN_FILL_NAMES, worstCaseVectors } from '../../src/verify/adversarial-vectors.js';

const TERMS = ['macs', 'outputs', 'call'];
// Spreads (largest − smallest count over the vectors) of int8 dense cases: a few instructions per output (the
// requantization's branches), none per MAC.
const rows = [
  { terms: { macs: 18, outputs: 6, call: 1 }, y: 18 },
  { terms: { macs: 4096, outputs: 64, call: 1 }, y: 11 },
  { terms: { macs: 2560, outputs: 10, call: 1 }, y: 18 },
  { terms: { macs: 8192, outputs: 32, call: 1 }, y: 0 },
];
const typical = [262, 9542, 5143, 15155];

describe('bounding fits', () => {
  it('raises the least-squares fit until it bounds every row, and gives up when a row has no fitted term', () => {
    const fit = raisedFit(TERMS, rows, 1000)!;
    expect(boundsEveryRow(fit.coefficients, rows)).toBe(true);
    expect(fit.raisedBy).toBeGreaterThanOrEqual(1);
    expect(raisedFit(TERMS, [{ terms: { macs: 10 }, y: 0 }, { terms: {}, y: 5 }], 1000)).toBeNull();
  });

  it('prices a single term at its largest count per unit, only when every row with a count has the term', () => {
    expect(singleTermBound('outputs', TERMS, rows)!.coefficients).toEqual({ macs: 0, outputs: 3, call: 0 });
    expect(singleTermBound('macs', TERMS, [{ terms: { outputs: 1 }, y: 2 }])).toBeNull();
  });

  it('takes the excess form that bounds every row with the least slack relative to the typical counts', () => {
    const e = excessFit(TERMS, rows, typical, 1000)!;
    expect(boundsEveryRow(e.coefficients, rows)).toBe(true);
    // The ratio form would charge every case 18/262 = 6.9% of its typical count; the excess stays far below that on
    // the large cases.
    const slack = (r: (typeof rows)[number]) => TERMS.reduce((s, t) => s + e.coefficients[t] * ((r.terms as Record<string, number>)[t] ?? 0), 0);
    expect(slack(rows[3]) / typical[3]).toBeLessThan(0.02);
    expect(excessFit(TERMS, [{ terms: {}, y: 3 }], [100], 1000)).toBeNull();
  });
});

describe('predictWorstCase with an excess', () => {
  it('prices a call at its typical price + the excess when that is the smallest of the three bounds', () => {
    const f405 = findMcuTarget('stm32f405');
    const cal = loadCalibration(f405);
    const program = lowerForCost(quantizedForBench(digitsMlp()));
    const worstCal: WorstCaseCalibration = {
      format: 'edgeprune-worst-case-calibration/1', about: [], target: 'stm32f405', kernelHeaders: cal.kernelHeaders, vectors: [],
      kernels: { ep_quantize_f32_s8: { instructions: Object.fromEntries(Object.entries(cal.kernels.ep_quantize_f32_s8.instructions).map(([t, c]) => [t, 2 * c])), worstOverTypical: 1.5, fit: { cases: 1, raisedBy: 1, maxOverPrediction: 0 } } },
    };
    const quantize = () => predictWorstCase(program, f405, cal, worstCal).kernels.find((k) => k.key === 'ep_quantize_f32_s8')!;
    const before = quantize();
    expect(before.worst).toBeCloseTo(1.5 * before.typical, 6);
    worstCal.kernels.ep_quantize_f32_s8.excess = { instructions: { elements: 3 }, raisedBy: 1 };
    const elements = program.steps.flatMap((s) => s.calls).filter((c) => c.kernel === 'ep_quantize_f32_s8').reduce((s, c) => s + intArg(c, 2), 0);
    expect(elements).toBeGreaterThan(0);
    const after = quantize();
    expect(after.worst).toBeCloseTo(after.typical + 3 * elements, 6);
    expect(after.worst).toBeLessThan(before.worst);
  });
});

describe('calibrationAdversarialVectors', () => {
  it('adds infinities after the adversarial vectors for a float input, nothing for an int8 one', () => {
    const g = digitsMlp();
    const v = calibrationAdversarialVectors(g);
    expect(v.slice(0, adversarialVectors(g).length)).toEqual(adversarialVectors(g));
    const by = Object.fromEntries(v.map((a) => [a.name, Array.from(a.inputs[0].data as Float32Array)]));
    expect(by['+infinity'].every((x) => x === Infinity)).toBe(true);
    expect(by['-infinity'].every((x) => x === -Infinity)).toBe(true);
    expect(by['alternating ±infinity'].slice(0, 2)).toEqual([Infinity, -Infinity]);
    const b = new GraphBuilder('s8');
    b.output(b.op('Identity', [b.input('x', 'int8', [1, 4])], {}, 'y'));
    expect(calibrationAdversarialVectors(b.build())).toEqual(adversarialVectors(b.build()));
  });

  it('adds NaN vectors after the infinities, and verify runs the same NaN vectors (a NaN reaching a max pool)', () => {
    const g = digitsMlp();
    const v = calibrationAdversarialVectors(g);
    const names = v.map((a) => a.name);
    expect(names.slice(-3)).toEqual(['NaN everywhere', 'NaN alternating with finite values', 'NaN at one position']);
    expect(names.indexOf('NaN everywhere')).toBeGreaterThan(names.indexOf('alternating ±infinity'));
    const by = Object.fromEntries(v.map((a) => [a.name, Array.from(a.inputs[0].data as Float32Array)]));
    // The quiet NaN 0x7fc00000 (a signalling one would be quieted by the first float operation on it).
    expect(new Uint32Array(v.find((a) => a.name === 'NaN everywhere')!.inputs[0].data.buffer)[0]).toBe(0x7fc00000);
    expect(by['NaN everywhere'].every(Number.isNaN)).toBe(true);
    const alternating = by['NaN alternating with finite values'];
    expect(alternating.every((x, i) => (i % 2 ? Number.isFinite(x) && x !== 0 && Math.abs(x) <= 1 : Number.isNaN(x)))).toBe(true);
    const one = by['NaN at one position'];
    expect(Number.isNaN(one[0])).toBe(true);
    expect(one.slice(1).every((x) => Number.isFinite(x) && x !== 0)).toBe(true);
    // verify's worst case: the adversarial vectors, then the same NaN vectors (in the range asked for), none for int8.
    const verify = worstCaseVectors(g);
    expect(verify.slice(0, adversarialVectors(g).length)).toEqual(adversarialVectors(g));
    expect(verify.filter((a) => NAN_FILL_NAMES.has(a.name))).toEqual(v.filter((a) => NAN_FILL_NAMES.has(a.name)));
    const pixels = worstCaseVectors(g, { range: [0, 1] }).find((a) => a.name === 'NaN alternating with finite values')!;
    expect(Array.from(pixels.inputs[0].data as Float32Array).filter((x) => !Number.isNaN(x)).every((x) => x > 0 && x <= 1)).toBe(true);
    const b = new GraphBuilder('s8');
    b.output(b.op('Identity', [b.input('x', 'int8', [1, 4])], {}, 'y'));
    expect(worstCaseVectors(b.build()).some((a) => NAN_FILL_NAMES.has(a.name))).toBe(false);
  });
});

describe('predictWorstCase under --constant-time-mac', () => {
  it('prices the non-MAC kernels from the worst-case calibration, the MAC kernels not', () => {
    const m3 = findMcuTarget('lm3s6965');
    const cal = loadCalibration(m3);
    const program = lowerForCost(digitsCnn());
    const worstCal: WorstCaseCalibration = {
      format: 'edgeprune-worst-case-calibration/1', about: [], target: 'lm3s6965', kernelHeaders: cal.kernelHeaders, vectors: [],
      // A fit far above the ratio's bound: the ratio prices the pool.
      kernels: Object.fromEntries(['ep_maxpool2d_f32', 'ep_conv2d_f32'].map((k) => [k, { instructions: Object.fromEntries(Object.keys(cal.kernels[k].instructions).map((t) => [t, 1e9])), worstOverTypical: 1.25, fit: { cases: 1, raisedBy: 1, maxOverPrediction: 0 } }])),
    };
    const p = predictWorstCase(program, m3, cal, worstCal, { constantTimeMac: true });
    const pool = p.kernels.find((k) => k.key === 'ep_maxpool2d_f32')!;
    expect(pool).toMatchObject({ dependent: true, worstFrom: 'calibration' });
    expect(pool.worst).toBeCloseTo(1.25 * pool.typical, 6);
    expect(p.kernels.find((k) => k.key === 'ep_conv2d_f32')).toMatchObject({ dependent: false });
  });
});

describe('chooseConstantTimeMac', () => {
  it('compares the two builds\' worst cases both with the worst-case calibration of lm3s6965', () => {
    const m3 = findMcuTarget('lm3s6965');
    const cal = loadCalibration(m3);
    const worstCal = currentWorstCaseCalibration(m3, cal);
    expect(worstCal).not.toBeNull();
    const program = lowerForCost(digitsCnn(), { estimator: kernelEstimator(m3, cal) });
    const c = chooseConstantTimeMac(digitsCnn(), m3)!;
    expect(c.worstConstantTime).toBeCloseTo(predictWorstCase(program, m3, cal, worstCal, { constantTimeMac: true }).worst, 3);
    expect(c.worstDefault).toBeCloseTo(predictWorstCase(program, m3, cal, worstCal).worst, 3);
  });
});
