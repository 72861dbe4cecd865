// verify --worst-case and report.html say what would tighten a loose bound: a worst-case calibration for kernels priced
// by default factors, --constant-time-mac for the library soft-float MAC; nothing when neither applies.
import { describe, expect, it } from 'vitest';
import type { KernelDependenceUse } from '../../src/cost/worst-case.js';
import { findMcuTarget } from '../../src/targets/load-targets.js';
import { tighteningAdvice } from '../../src/verify/worst-case-report.js';

const use = (key: string, dependent: boolean, worstFrom?: 'calibration' | 'factor'): KernelDependenceUse => ({ key, dependent, on: dependent ? ['x'] : [], typical: 100, worst: 200, ...(worstFrom ? { worstFrom } : {}) });

describe('tighteningAdvice', () => {
  const m3 = findMcuTarget('lm3s6965');
  const f405 = findMcuTarget('stm32f405');

  it('names the kernels priced by default factors and the command that calibrates them', () => {
    const advice = tighteningAdvice([use('ep_conv2d_f32', true, 'factor'), use('ep_maxpool2d_f32', true, 'calibration'), use('ep_dense_f32', false)], 'fpu', f405, false);
    expect(advice).toHaveLength(1);
    expect(advice[0]).toMatch(/^ep_conv2d_f32: priced at default worst-case factors, as stm32f405 has no worst-case calibration/);
    expect(advice[0]).toContain('`edgeprune calibrate --target stm32f405`');
  });

  it('points a soft-float build with the library MAC at --constant-time-mac, and not one built with it', () => {
    const kernels = [use('ep_conv2d_f32', true, 'calibration'), use('ep_dense_f32', true, 'calibration'), use('ep_maxpool2d_f32', true, 'calibration')];
    const advice = tighteningAdvice(kernels, 'thumb2-soft', m3, false);
    expect(advice).toEqual([expect.stringMatching(/^ep_conv2d_f32, ep_dense_f32: every multiply-accumulate is priced at the soft-float MAC's slowest .* --constant-time-mac/)]);
    expect(tighteningAdvice(kernels, 'thumb2-soft', m3, true)).toEqual([]);
    // With an FPU the conv's dependence is its clamp, calibrated: nothing to say.
    expect(tighteningAdvice(kernels, 'fpu', f405, false)).toEqual([]);
  });
});
