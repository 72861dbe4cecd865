// The worst case in QEMU: the kernel keys the data-dependence table marks independent give the same instruction count
// on a typical and on every adversarial vector (a key marked independent that varies fails here), and verify's bound
// holds on adversarial vectors for a soft-float model whose kernels are data-dependent, built from per-step counts; a
// max pool fed NaNs keeps the interpreter's NaN rule and is bounded by its calibrated price on both targets.
import { describe, expect, it } from 'vitest';
import { missingTools } from '../../bench/kernels/bench-lib.js';
import { digitsMlp } from '../../bench/cost-models.js';
import { checkIndependence, counterResolution } from '../../src/cost/check-independence.js';
import { attr, GraphBuilder } from '../../src/ir/builder.js';
import { Tensor } from '../../src/ir/tensor.js';
import { findMcuTarget } from '../../src/targets/load-targets.js';
import { NAN_FILL_NAMES } from '../../src/verify/adversarial-vectors.js';
import { loadVectors } from '../../src/verify/vectors.js';
import { verifyOnTarget } from '../../src/verify/verify-mcu.js';
import { skipForMissingTools } from '../support/toolchain.js';

const skip = skipForMissingTools('test/verify/worst-case-qemu.test.ts', await missingTools());

/**
 * Keys checked on the FPU core (one suite case each): the MAC kernels, activations, int8 kernels of the bench models,
 * and keys the table marks dependent after QEMU found them varying (skipped while they are marked so; were they marked
 * independent again, they would be run and fail).
 */
const CHECKED = new Set([
  'ep_dense_f32', 'ep_matmul_f32', 'ep_sparse_dense_f32', 'ep_unary_f32:RELU', 'ep_binary_f32:ADD', 'ep_conv2d_s8:generic', 'ep_dense_s8:pt', 'ep_maxpool2d_s8',
  'ep_conv2d_f32', 'ep_unary_f32:CLIP', 'ep_binary_f32:MAX', 'ep_dense_s8',
]);

describe.skipIf(skip)('worst case in QEMU', () => {
  it('gives the same count on every adversarial vector for the keys marked independent on stm32f405', async () => {
    const target = findMcuTarget('stm32f405');
    const checks = await checkIndependence(target, (key) => CHECKED.has(key));
    expect(checks.map((c) => c.key).sort()).toEqual(['ep_binary_f32:ADD', 'ep_conv2d_s8:generic', 'ep_dense_f32', 'ep_dense_s8', 'ep_dense_s8:pt', 'ep_matmul_f32', 'ep_maxpool2d_s8', 'ep_sparse_dense_f32', 'ep_unary_f32:RELU']);
    for (const c of checks) {
      expect(c.runs.length, c.key).toBeGreaterThanOrEqual(6);
      expect(c.spread, `${c.key} (${c.case}): ${c.runs.join(' ')}`).toBeLessThanOrEqual(counterResolution(target));
    }
  });

  it('bounds the soft-float digits MLP on lm3s6965: every adversarial count at most the bound, the subnormals slower', async () => {
    const g = digitsMlp();
    const r = await verifyOnTarget(g, 'digits-mlp', { target: findMcuTarget('lm3s6965'), vectors: loadVectors(g, { count: 2, seed: 1 }), worstCase: {} });
    const w = r.worstCase!;
    expect(w.exact).toBe(false);
    expect(w.holds).toBe(true);
    expect(r.passed).toBe(true);
    expect(w.kernels.find((k) => k.key === 'ep_dense_f32')).toMatchObject({ dependent: true, worstFrom: 'calibration' });
    const by = Object.fromEntries(w.adversarial.map((a) => [a.name, a.instructions]));
    // A zero factor returns early; the smallest subnormals take the library's path.
    expect(by['all zeros']).toBeLessThan(w.typicalInstructions);
    expect(by['smallest subnormals (±2^-149)']).toBeGreaterThan(w.typicalInstructions);
    for (const a of w.adversarial) expect(a.instructions, a.name).toBeLessThanOrEqual(w.instructionsWorstCase);
    // The per-step counts of the step-marks build (the report checks that its count less its marks is the build's).
    expect(w.markCost).toBeGreaterThan(0);
    expect(w.markCost).toBeLessThan(100);
    expect(w.overhead).toBeGreaterThan(-2 * counterResolution(findMcuTarget('lm3s6965')));
    expect(w.overhead).toBeLessThan(500);
    expect(w.steps.map((s) => s.nodes.length > 0)).not.toContain(false);
    const first = w.steps[0];
    expect(first).toMatchObject({ dependent: true });
    expect(first.worstMeasured).toBeGreaterThan(first.typical);
    expect(w.steps.reduce((s, st) => s + st.worstMeasured, 0)).toBeLessThanOrEqual(w.instructionsWorstCase);
  });

  it('bounds a max pool fed NaNs by its calibrated price on stm32f405 and lm3s6965, with the interpreter\'s NaN rule', async () => {
    // The calibration suite's maxpool.k2s2x8.
    const b = new GraphBuilder('pool_nan');
    b.output(b.op('MaxPool', [b.input('x', 'float32', [1, 16, 8, 8])], { kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]) }));
    const g = b.build();
    // A vector checked against the interpreter with NaNs where the kernel's rule shows: the first tap of window 0 (the
    // kernel's second pass over it), the second tap of window 1 (loses to the numbers), all four taps of window (1, 2)
    // (a NaN out). The typical vectors' NaNs are few: the cost model's error on them stays small in the bound.
    const random = loadVectors(g, { count: 2, seed: 1 }).inputs;
    const values = Array.from(random[1][0].data as Float32Array);
    for (const i of [0, 3, 2 * 8 + 4, 2 * 8 + 5, 3 * 8 + 4, 3 * 8 + 5]) values[i] = NaN;
    const vectors = { inputs: [random[0], [Tensor.fromNumbers('float32', [1, 16, 8, 8], values)]], source: 'seeded random, one with NaNs' };
    for (const name of ['stm32f405', 'lm3s6965']) {
      const target = findMcuTarget(name);
      const r = await verifyOnTarget(g, 'pool-nan', { target, vectors, worstCase: {} });
      expect(r.passed, name).toBe(true);
      expect(r.bitExactVectors, name).toBe(2);
      const w = r.worstCase!;
      expect(w.holds, w.problem).toBe(true);
      const nan = w.adversarial.filter((a) => NAN_FILL_NAMES.has(a.name));
      expect(nan.map((a) => a.name)).toEqual([...NAN_FILL_NAMES]);
      for (const a of nan) expect(a.instructions, `${name}: ${a.name}`).toBeLessThanOrEqual(w.instructionsWorstCase);
      expect(w.steps).toHaveLength(1);
      // The bound comes from the worst-case calibration's price or spread, which saw NaNs, not from the count measured
      // here (without NaN vectors in the calibration, the NaN counts were above both: the bound was only the measured).
      expect(w.steps[0]).toMatchObject({ dependent: true });
      expect(w.steps[0].from, `${name}: ${JSON.stringify(w.steps[0])}`).not.toBe('measured');
      // With an FPU a window whose first tap is NaN is done twice: a NaN vector is the dearest.
      if (name === 'stm32f405') expect(NAN_FILL_NAMES.has(w.worstVector), w.worstVector).toBe(true);
    }
  });

  it('gives the same count on every adversarial vector for the soft-float MAC kernels built with --constant-time-mac', async () => {
    const target = findMcuTarget('lm3s6965');
    const macKeys = new Set(['ep_dense_f32', 'ep_conv2d_f32', 'ep_matmul_f32', 'ep_sparse_dense_f32']);
    const checks = await checkIndependence(target, (key) => macKeys.has(key), undefined, { constantTimeMac: true });
    expect(checks.map((c) => c.key).sort()).toEqual([...macKeys].sort());
    for (const c of checks) {
      expect(c.runs.length, c.key).toBeGreaterThanOrEqual(6);
      expect(c.spread, `${c.key} (${c.case}): ${c.runs.join(' ')}`).toBeLessThanOrEqual(counterResolution(target));
    }
  });
});
