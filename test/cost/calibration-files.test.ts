// The committed calibrations (targets/calibration/<target>.json): one per target, valid, covering every
// kernel key the cost model has a formula for, fitted well, and up to date with the kernel headers; and each MCU
// target's worst-case calibration (worst-case/<target>.json), made with that calibration's kernels.
import { describe, expect, it } from 'vitest';
import { loadCalibration, staleHeaders, staleKeys } from '../../src/cost/calibration.js';
import { KERNEL_MODELS } from '../../src/cost/kernels.js';
import { coreClassOf, kernelDependence } from '../../src/cost/data-dependence.js';
import { currentWorstCaseCalibration, loadWorstCaseCalibration } from '../../src/cost/worst-case-calibration.js';
import { findMcuTarget, listMcuTargets } from '../../src/targets/load-targets.js';

const keys = [...KERNEL_MODELS.values()].flatMap((k) => k.keys);

describe.each(listMcuTargets().map((t) => t.name))('calibration of %s', (name) => {
  const cal = loadCalibration(name);

  it('is for this target and has every kernel key', () => {
    expect(cal.target).toBe(name);
    for (const key of keys) expect(cal.kernels[key], key).toBeDefined();
    expect(cal.about.join('\n')).toMatch(/ep_conv2d_f32/);
  });

  it('has a coefficient for every term of every formula', () => {
    for (const model of KERNEL_MODELS.values()) {
      for (const key of model.keys) {
        for (const t of model.timeTerms) expect(cal.kernels[key].instructions[t], `${key}.${t}`).toBeTypeOf('number');
        for (const t of model.codeTerms) expect(cal.kernels[key].codeBytes[t], `${key}.${t}`).toBeTypeOf('number');
      }
    }
  });

  it('fits the main kernels closely', () => {
    for (const key of ['ep_conv2d_f32', 'ep_dense_f32', 'ep_maxpool2d_f32', 'ep_sparse_dense_f32', 'ep_sparse_conv2d_f32', 'ep_softmax_f32', 'ep_channel_affine_f32']) {
      expect(cal.kernels[key].fit.instructionsRmsError, key).toBeLessThan(0.06);
    }
  });

  it('is up to date with the kernel headers (else: edgeprune calibrate --target <name>)', () => {
    expect(staleHeaders(cal)).toEqual([]);
    expect(staleKeys(cal)).toEqual([]);
  });

  it('has a worst-case calibration made with its kernels, pricing its data-dependent keys (else: the loose default factors)', () => {
    const worst = loadWorstCaseCalibration(name);
    expect(worst, 'edgeprune calibrate --target ' + name).not.toBeNull();
    expect(worst!.target).toBe(name);
    expect(currentWorstCaseCalibration(name, cal), 'made with other kernel headers: edgeprune calibrate --target ' + name).not.toBeNull();
    const core = coreClassOf(findMcuTarget(name));
    const dependent = Object.keys(cal.kernels).filter((key) => kernelDependence(key, core).dependent);
    expect(dependent.length).toBeGreaterThan(0);
    expect(dependent.filter((key) => !(key in worst!.kernels))).toEqual([]);
  });
});
