// --constant-time-mac's pure parts: who may ask for it, what the generated model.c includes, the data-dependence table
// and the cost model under it (the soft-float MAC kernels independent, each MAC priced at the constant-time figure).
import { describe, expect, it } from 'vitest';
import { digitsCnn, digitsMlp } from '../../bench/cost-models.js';
import { chooseConstantTimeMac } from '../../src/cost/constant-time-choice.js';
import { loadCalibration } from '../../src/cost/calibration.js';
import { kernelDependence } from '../../src/cost/data-dependence.js';
import { lowerForCost } from '../../src/cost/lowered.js';
import { constantTimeMacExtra, predictWorstCase } from '../../src/cost/worst-case.js';
import { SOFT_MAC_CONSTANT_TIME, SOFT_MAC_NORMAL } from '../../src/cost/worst-case-coefficients.js';
import { compileToC } from '../../src/emit/c/compile-c.js';
import { checkConstantTimeMac } from '../../src/emit/c/constant-time-mac.js';
import { UserError } from '../../src/errors.js';
import { findMcuTarget } from '../../src/targets/load-targets.js';

const f405 = findMcuTarget('stm32f405');
const m3 = findMcuTarget('lm3s6965');

describe('checkConstantTimeMac', () => {
  it('takes a float32 model on a Thumb-2 core without an FPU', () => {
    expect(() => checkConstantTimeMac(m3, 'float32')).not.toThrow();
  });

  it('refuses an FPU target, an int8 model and a Cortex-M0, saying why', () => {
    expect(() => checkConstantTimeMac(f405, 'float32')).toThrow(UserError);
    expect(() => checkConstantTimeMac(f405, 'float32')).toThrow(/has an FPU .*already data-independent/);
    expect(() => checkConstantTimeMac(m3, 'int8')).toThrow(/int8.*already data-independent.*--precision float32/);
    expect(() => checkConstantTimeMac({ ...m3, core: 'cortex-m0plus' }, 'float32')).toThrow(/not available on .*cortex-m0plus/);
  });
});

describe('compileToC constantTimeMac', () => {
  it('includes ep_mac_ct.h before the kernels only when asked', () => {
    const g = digitsMlp();
    const plain = compileToC(g);
    const ct = compileToC(g, { constantTimeMac: true });
    expect(plain.files.get('model.c')).not.toMatch(/ep_mac_ct/);
    const source = ct.files.get('model.c')!;
    expect(source.indexOf('#include "ep_mac_ct.h"')).toBeGreaterThan(0);
    expect(source.indexOf('#include "ep_mac_ct.h"')).toBeLessThan(source.indexOf('#include "ep_kernels.h"'));
    expect(ct.files.has('ep_mac_ct.h')).toBe(true);
    // Only model.c differs.
    for (const [name, text] of plain.files) if (name !== 'model.c') expect(ct.files.get(name), name).toBe(text);
  });
});

describe('the worst case under --constant-time-mac', () => {
  it('marks the soft-float MAC kernels independent on Thumb-2 (the bias add of ConvTranspose and the sparse conv too)', () => {
    for (const key of ['ep_dense_f32', 'ep_conv2d_f32', 'ep_matmul_f32', 'ep_sparse_dense_f32', 'ep_conv2d_f32:generic', 'ep_conv_transpose2d_f32', 'ep_sparse_conv2d_f32']) {
      expect(kernelDependence(key, 'thumb2-soft').dependent, key).toBe(true);
      expect(kernelDependence(key, 'thumb2-soft', { constantTimeMac: true }).dependent, key).toBe(false);
    }
    // Not the other soft-float kernels, and not Cortex-M0.
    expect(kernelDependence('ep_unary_f32:RELU', 'thumb2-soft', { constantTimeMac: true }).dependent).toBe(true);
    expect(kernelDependence('ep_dense_f32', 'm0-soft', { constantTimeMac: true }).dependent).toBe(true);
  });

  it('prices every executed MAC at the constant-time figure instead of the normal path\'s', () => {
    const cal = loadCalibration(m3);
    const program = lowerForCost(digitsMlp());
    const plain = predictWorstCase(program, m3, cal);
    const ct = predictWorstCase(program, m3, cal, null, { constantTimeMac: true });
    const dense = (p: typeof ct) => p.kernels.find((k) => k.key === 'ep_dense_f32')!;
    expect(dense(plain).dependent).toBe(true);
    expect(dense(ct)).toMatchObject({ dependent: false });
    expect(dense(ct).worst).toBe(dense(ct).typical);
    const macs = program.steps.flatMap((s) => s.calls).filter((c) => c.kernel === 'ep_dense_f32');
    const extra = macs.reduce((s, c) => s + constantTimeMacExtra(c, cal), 0);
    expect(extra / (SOFT_MAC_CONSTANT_TIME - SOFT_MAC_NORMAL)).toBeCloseTo(64 * 64 + 64 * 32 + 32 * 10, 6); // every MAC of 64-64-32-10
    expect(dense(ct).typical).toBeCloseTo(dense(plain).typical + extra, 3);
    // On an FPU target the option changes nothing.
    expect(predictWorstCase(lowerForCost(digitsMlp()), f405, loadCalibration(f405), null, { constantTimeMac: true }).typical)
      .toBeCloseTo(predictWorstCase(lowerForCost(digitsMlp()), f405, loadCalibration(f405)).typical, 6);
  });
});

describe('chooseConstantTimeMac (build with a worst-case budget)', () => {
  it('takes the constant-time MAC on a soft-float Thumb-2 target when its predicted worst case is smaller', () => {
    const c = chooseConstantTimeMac(digitsCnn(), m3)!;
    expect(c.worstConstantTime).toBeLessThan(c.worstDefault);
    expect(c.constantTimeMac).toBe(true);
    expect(chooseConstantTimeMac(digitsCnn(), f405)).toBeNull();
  });
});
