// Under --constant-time-mac, ConvTranspose's and the weight-sparse conv's bias add is ep_mac_ct.h's constant-time add
// (ep__sum_end), not libgcc's: their suite cases give the same instruction count on every adversarial vector in QEMU.
import { describe, expect, it } from 'vitest';
import { missingTools } from '../../bench/kernels/bench-lib.js';
import { checkIndependence, counterResolution } from '../../src/cost/check-independence.js';
import { kernelDependence } from '../../src/cost/data-dependence.js';
import { findMcuTarget } from '../../src/targets/load-targets.js';
import { skipForMissingTools } from '../support/toolchain.js';

const skip = skipForMissingTools('test/verify/constant-time-bias-qemu.test.ts', await missingTools());
const KEYS = ['ep_conv_transpose2d_f32', 'ep_sparse_conv2d_f32'];

describe.skipIf(skip)('the constant-time bias add in QEMU', () => {
  it('gives ConvTranspose and the sparse conv one count on every adversarial vector with --constant-time-mac', async () => {
    const target = findMcuTarget('lm3s6965');
    for (const key of KEYS) expect(kernelDependence(key, 'thumb2-soft', { constantTimeMac: true }).dependent, key).toBe(false);
    const checks = await checkIndependence(target, (key) => KEYS.includes(key), undefined, { constantTimeMac: true });
    expect(checks.map((c) => c.key).sort()).toEqual(KEYS);
    for (const c of checks) {
      expect(c.runs.length, c.key).toBeGreaterThanOrEqual(6);
      expect(c.spread, `${c.key} (${c.case}): ${c.runs.join(' ')}`).toBeLessThanOrEqual(counterResolution(target));
    }
  });
});
