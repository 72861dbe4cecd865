// The worst-case bound's pure parts: the data-dependence table per core class, the bound (exact when every kernel is
// data-independent, the worst prediction plus the typical error otherwise), worst-case calibrations, adversarial vectors,
// a max pool that no NaN reaches.
import { describe, expect, it } from 'vitest';
import { digitsCnn, digitsMlp } from '../../bench/cost-models.js';
import { loadCalibration } from '../../src/cost/calibration.js';
import { coreClassOf, kernelDependence } from '../../src/cost/data-dependence.js';
import { lowerForCost } from '../../src/cost/lowered.js';
import { predictWorstCase } from '../../src/cost/worst-case.js';
import { currentWorstCaseCalibration, loadWorstCaseCalibration, type WorstCaseCalibration } from '../../src/cost/worst-case-calibration.js';
import { quantizedForBench } from '../../bench/cost-models.js';
import { attr, GraphBuilder } from '../../src/ir/builder.js';
import { Tensor } from '../../src/ir/tensor.js';
import { findMcuTarget } from '../../src/targets/load-targets.js';
import { adversarialVectors } from '../../src/verify/adversarial-vectors.js';
import { EDGEPRUNE_DOMAIN } from '../../src/ops/util/int8-params.js';
import { int8AddModel } from '../support/int8-models.js';

const f405 = findMcuTarget('stm32f405');
const m3 = findMcuTarget('lm3s6965');

describe('kernelDependence', () => {
  it('classes cores by FPU and Cortex-M0', () => {
    expect(coreClassOf(f405)).toBe('fpu');
    expect(coreClassOf(m3)).toBe('thumb2-soft');
    expect(coreClassOf({ core: 'cortex-m0plus', fpu: null })).toBe('m0-soft');
  });

  it('has the soft-float MAC depend on zeros and subnormals, the FPU MAC not; data movement never; math always', () => {
    expect(kernelDependence('ep_dense_f32', 'fpu').dependent).toBe(false);
    const soft = kernelDependence('ep_dense_f32', 'thumb2-soft');
    expect(soft.dependent).toBe(true);
    expect(soft.on.join(' ')).toMatch(/zero factor/);
    expect(soft.on.join(' ')).toMatch(/subnormal/);
    for (const core of ['fpu', 'thumb2-soft', 'm0-soft'] as const) {
      expect(kernelDependence('ep_transpose_s8', core).dependent).toBe(false);
      expect(kernelDependence('ep_softmax_f32', core).dependent).toBe(true);
      expect(kernelDependence('ep_quantize_f32_s8', core).dependent).toBe(true);
      expect(kernelDependence('ep_no_such_kernel', core).on).toEqual(['not analyzed']);
    }
    expect(kernelDependence('ep_conv2d_s8', 'fpu').dependent).toBe(false);
    expect(kernelDependence('ep_conv2d_s8', 'm0-soft').dependent).toBe(true);
  });
});

describe('predictWorstCase', () => {
  it('takes an FPU max pool reading a Relu\'s output (or a view of one) as data-independent: NaN, its only dependence there, cannot reach it', () => {
    const pool = (relu: boolean, view: boolean) => {
      const b = new GraphBuilder('pool');
      let x = b.input('x', 'float32', [1, 4, 8, 8]);
      if (relu) x = b.op('Relu', [x]);
      if (view) x = b.op('Reshape', [x, b.initializer('shape', Tensor.fromNumbers('int64', [4], [1, 8, 4, 8]))]);
      b.output(b.op('MaxPool', [x], { kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]) }));
      return lowerForCost(b.build());
    };
    const dependenceOf = (program: ReturnType<typeof pool>, target = f405) => {
      const cal = loadCalibration(target);
      return predictWorstCase(program, target, cal, currentWorstCaseCalibration(target, cal)).kernels.find((k) => k.key === 'ep_maxpool2d_f32')!;
    };
    expect(dependenceOf(pool(true, false))).toMatchObject({ dependent: false, on: [] });
    expect(dependenceOf(pool(true, true)).dependent).toBe(false);
    const fed = dependenceOf(pool(false, false));
    expect(fed).toMatchObject({ dependent: true, worstFrom: 'calibration' });
    // The worst-case calibration saw NaNs: a window done twice.
    expect(fed.worst).toBeGreaterThan(2 * fed.typical);
    // Without an FPU the compares are libgcc's, which depend on more than NaN.
    expect(dependenceOf(pool(true, false), m3).dependent).toBe(true);
    // The digits CNN's pool reads conv2's fused Relu: every step of it but the tiled convs' is independent on an FPU.
    const p = predictWorstCase(lowerForCost(digitsCnn()), f405, loadCalibration(f405), currentWorstCaseCalibration(f405, loadCalibration(f405)));
    expect(p.steps.find((st) => st.nodes.includes('pool'))).toMatchObject({ dependent: false, spread: 0 });
    expect(p.kernels.filter((k) => k.dependent).map((k) => k.key)).toEqual(['ep_conv2d_f32']);
  });

  it('finds every kernel of the float32 MLP on an FPU data-independent, each step at its typical price', () => {
    const p = predictWorstCase(lowerForCost(digitsMlp()), f405, loadCalibration(f405));
    expect(p.independent).toBe(true);
    expect(p.worst).toBe(p.typical);
    expect(p.steps.length).toBeGreaterThan(0);
    for (const s of p.steps) expect(s).toMatchObject({ dependent: false, worst: s.typical, spread: 0 });
  });

  it('prices the soft-float MACs at their worst branch, per key and per step', () => {
    const cal = loadCalibration(m3);
    const p = predictWorstCase(lowerForCost(digitsMlp()), m3, cal, null);
    expect(p.independent).toBe(false);
    const dense = p.kernels.find((k) => k.key === 'ep_dense_f32')!;
    expect(dense).toMatchObject({ dependent: true, worstFrom: 'factor' });
    // 270 instructions per MAC on the library's path against ~57 on normal operands.
    expect(dense.worst / dense.typical).toBeGreaterThan(3.5);
    // Per step: the dense steps dependent, priced at their worst; without a worst-case calibration no spread is known.
    const steps = p.steps.filter((st) => st.dependent);
    expect(steps.length).toBeGreaterThan(0);
    for (const st of steps) {
      expect(st.worst).toBeGreaterThan(st.typical);
      expect(st.spread).toBe(Infinity);
    }
    expect(p.steps.reduce((sum, st) => sum + st.worst, 0) + cal.library.instructions).toBeCloseTo(p.worst, 6);
  });

  it('takes a key\'s worst-case coefficients from the worst-case calibration when it has them', () => {
    const cal = loadCalibration(m3);
    const program = lowerForCost(digitsMlp());
    const doubled = Object.fromEntries(Object.entries(cal.kernels.ep_dense_f32.instructions).map(([t, c]) => [t, 2 * c]));
    const worstCal: WorstCaseCalibration = {
      format: 'edgeprune-worst-case-calibration/1', about: [], target: 'lm3s6965', kernelHeaders: cal.kernelHeaders, vectors: [],
      kernels: { ep_dense_f32: { instructions: doubled, fit: { cases: 1, raisedBy: 1, maxOverPrediction: 0 } } },
    };
    const dense = predictWorstCase(program, m3, cal, worstCal).kernels.find((k) => k.key === 'ep_dense_f32')!;
    expect(dense.worstFrom).toBe('calibration');
    expect(dense.worst).toBeCloseTo(2 * dense.typical, 6);
    // With the worst ÷ typical ratio of the calibration cases too: the smaller of the two bounds.
    worstCal.kernels.ep_dense_f32.worstOverTypical = 1.5;
    expect(predictWorstCase(program, m3, cal, worstCal).kernels.find((k) => k.key === 'ep_dense_f32')!.worst).toBeCloseTo(1.5 * dense.typical, 6);
    worstCal.kernels.ep_dense_f32.worstOverTypical = 3;
    expect(predictWorstCase(program, m3, cal, worstCal).kernels.find((k) => k.key === 'ep_dense_f32')!.worst).toBeCloseTo(2 * dense.typical, 6);
  });

  it('marks an int8 call dependent when a literal requantization shift leaves [33, 55] (Int8Add\'s output, a global average pool\'s)', () => {
    const addDependence = (yScale: number, target: typeof m3) => {
      const cal = loadCalibration(target);
      const program = lowerForCost(int8AddModel([1, 64], yScale));
      return { shifts: program.steps[0].calls[0].requantShifts, key: predictWorstCase(program, target, cal, currentWorstCaseCalibration(target, cal)).kernels[0] };
    };
    for (const target of [m3, f405]) {
      // 0.06 / (2^20 · 0.07) ≈ 0.86 · 2^-20: shift 51, the fast form, no branch on the value.
      expect(addDependence(0.07, target)).toMatchObject({ shifts: [51], key: { key: 'ep_add_s8', dependent: false } });
      // 0.06 / (2^20 · 1e-7) ≈ 0.57: shift 31, the exact rule's saturation and clamp branches.
      const exact = addDependence(1e-7, target);
      expect(exact.shifts).toEqual([31]);
      expect(exact.key).toMatchObject({ key: 'ep_add_s8', dependent: true, on: [expect.stringMatching(/exact rule \(a shift outside \[33, 55\]\)/)] });
      expect(exact.key.worst).toBeGreaterThan(exact.key.typical);
    }
    // The global average pool's shift, a literal argument too: four taps at equal scales, 1/4 → shift 32.
    const b = new GraphBuilder('gavgpool_s8');
    const x = b.input('x', 'int8', [1, 8, 2, 2]);
    const f32 = (name: string) => b.initializer(name, Tensor.fromNumbers('float32', [1], [0.05]));
    const s8 = (name: string) => b.initializer(name, Tensor.fromNumbers('int8', [1], [0]));
    b.output(b.node('Int8GlobalAveragePool', [x, f32('x_scale'), s8('x_zero_point'), f32('y_scale'), s8('y_zero_point')], {}, { name: 'pool', domain: EDGEPRUNE_DOMAIN })[0]);
    const pool = lowerForCost(b.build());
    expect(pool.steps[0].calls[0].requantShifts).toEqual([32]);
    expect(predictWorstCase(pool, f405, loadCalibration(f405), currentWorstCaseCalibration(f405, loadCalibration(f405))).kernels[0]).toMatchObject({ key: 'ep_global_avgpool_s8', dependent: true });
  });

  it('finds the committed worst-case calibration of stm32f405, whose keys are data-dependent there', () => {
    const worstCal = loadWorstCaseCalibration(f405)!;
    expect(worstCal.target).toBe('stm32f405');
    // Made with the kernels of the typical calibration: used; after a recalibration of those kernels: not.
    expect(currentWorstCaseCalibration(f405, loadCalibration(f405))).toEqual(worstCal);
    expect(currentWorstCaseCalibration(f405, { kernelHeaders: { ...loadCalibration(f405).kernelHeaders, 'ep_dense.h': 'changed' } })).toBeNull();
    for (const key of Object.keys(worstCal.kernels)) expect(kernelDependence(key, 'fpu').dependent, key).toBe(true);
    const p = predictWorstCase(lowerForCost(quantizedForBench(digitsCnn())), f405, loadCalibration(f405), worstCal);
    expect(p.kernels.find((k) => k.key === 'ep_quantize_f32_s8')).toMatchObject({ dependent: true, worstFrom: 'calibration' });
  });
});

describe('adversarialVectors', () => {
  it('gives zeros, no zeros, the range ends, subnormals and float32 extremes for a float input, the same each time', () => {
    const g = digitsMlp();
    const v = adversarialVectors(g, { range: [0, 1] });
    const by = Object.fromEntries(v.map((a) => [a.name, Array.from(a.inputs[0].data as Float32Array)]));
    expect(by['all zeros'].every((x) => x === 0)).toBe(true);
    expect(by['random non-zero'].every((x) => x !== 0 && x >= 0 && x <= 1)).toBe(true);
    expect(by['+max of the range (1)'].every((x) => x === 1)).toBe(true);
    expect(by['smallest subnormals (±2^-149)'].every((x) => Math.abs(x) === 2 ** -149)).toBe(true);
    expect(by['largest subnormals'].every((x) => x > 0 && x < 2 ** -126)).toBe(true);
    expect(by['±float32 max'].every((x) => Math.abs(x) === 3.4028234663852886e38)).toBe(true);
    expect(adversarialVectors(g, { range: [0, 1] })).toEqual(v);
  });

  it('gives int8 extremes for an int8 input and refuses a range that is not one', () => {
    const b = new GraphBuilder('s8');
    b.output(b.op('Identity', [b.input('x', 'int8', [1, 4])], {}, 'y'));
    const v = adversarialVectors(b.build());
    expect(v.map((a) => a.name)).toContain('alternating -128 / 127');
    expect(Array.from(v.find((a) => a.name === 'all -128')!.inputs[0].data as Int8Array)).toEqual([-128, -128, -128, -128]);
    expect(() => adversarialVectors(digitsMlp(), { range: [1, 0] })).toThrow(/min ≤ max/);
  });
});
