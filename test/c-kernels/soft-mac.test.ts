// The soft-float multiply then add in assembly (templates/c/lib/ep_mac_thumb2.h) on QEMU lm3s6965: the bits of
// libgcc's `acc + x * w` on every operand class of bench/kernels/soft-mac.c (ties, cancellation, exponent gaps, the
// ends of the range, zeros, subnormals, infinities, NaN), in far fewer instructions than libgcc on normal operands.
import { describe, expect, it } from 'vitest';
import { missingTools } from '../../bench/kernels/bench-lib.js';
import { formatSoftMac, runSoftMac } from '../../bench/kernels/soft-mac.js';
import { skipForMissingTools } from '../support/toolchain.js';
import { SOFT_MAC_NORMAL, SOFT_MAC_WORST_BOTH_FACTORS, SOFT_MAC_WORST_ONE_FACTOR } from '../../src/cost/worst-case-coefficients.js';

const skip = skipForMissingTools('test/c-kernels/soft-mac.test.ts', await missingTools());

describe.skipIf(skip)('EP_MAC on a Cortex-M3 (soft float)', () => {
  it('gives libgcc\'s bits on 20,000 triples of each operand class, in at most 60 instructions per MAC on normal operands', async () => {
    const r = await runSoftMac({ triples: 20_000 });
    console.log(formatSoftMac(r));
    expect(r.classes.map((c) => c.name)).toEqual(['random-bits', 'typical', 'cancellation', 'ties-and-gaps', 'range-ends', 'significand-carry', 'subnormals', 'specials', 'special-grid']);
    expect(r.classes.filter((c) => c.mismatches > 0)).toEqual([]);
    const cost = Object.fromEntries(r.costs.map((c) => [c.operands, c]));
    expect(cost.normal.epMac).toBeLessThanOrEqual(60);
    expect(cost.normal.libgcc - cost.normal.epMac).toBeGreaterThan(25);
    // A zero factor skips the product and the sum: at least 25 instructions fewer.
    expect(cost.normal.epMac - cost['zero-x'].epMac).toBeGreaterThan(25);
    expect(cost.normal.epMac - cost['zero-w'].epMac).toBeGreaterThan(25);
    // The worst-case bound's figures (src/cost/worst-case-coefficients.ts): no operand class costs more.
    expect(Math.abs(cost.normal.epMac - SOFT_MAC_NORMAL)).toBeLessThan(0.5);
    for (const c of r.costs) expect(c.epMac, c.operands).toBeLessThanOrEqual(SOFT_MAC_WORST_BOTH_FACTORS);
    for (const c of r.costs.filter((x) => !x.operands.endsWith('-xw'))) expect(c.epMac, c.operands).toBeLessThanOrEqual(SOFT_MAC_WORST_ONE_FACTOR);
  });
});
