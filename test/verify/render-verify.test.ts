// verify's text report: the on-target accuracy line, and a per-vector table cut to the failing and first vectors.
import { describe, expect, it } from 'vitest';
import { renderVerify } from '../../src/cli/commands/verify.js';
import type { VectorResult, VerifyReport } from '../../src/verify/verify-mcu.js';
import { verification } from '../report/fixtures.js';

const result = (index: number, passed = true): VectorResult => ({
  index, passed, maxAbsError: 1e-7, maxAbsErrorExpected: null, hostBitIdentical: true, bitExact: false,
  instructions: 11_000, cycles: null, stackBytes: 100, problem: passed ? undefined : 'the model returned status 1',
});

describe('renderVerify', () => {
  it('prints the on-target accuracy next to the interpreter\'s', () => {
    const r: VerifyReport = { ...verification(true), accuracy: { vectors: 8, onTarget: 0.75, interpreter: 0.875, agreement: 0.875, maxAbsDiff: 2e-7 } };
    expect(renderVerify(r)).toContain('on-target accuracy: 75.00% on qemu netduinoplus2, interpreter 87.50% (8 labelled vectors) · top-1 agreement 87.50% · largest difference 2.0e-7');
    expect(renderVerify(verification(true))).not.toContain('on-target accuracy');
  });

  it('shows every vector of a short run, and of a long one the failing vectors first, then the first ones, up to 20 rows', () => {
    const short = renderVerify({ ...verification(true), vectors: 20, results: Array.from({ length: 20 }, (_, i) => result(i)) });
    expect(short).not.toMatch(/more vectors not shown/);
    const results = Array.from({ length: 300 }, (_, i) => result(i, i !== 250));
    const long = renderVerify({ ...verification(false), vectors: 300, results });
    const rows = long.split('\n').filter((l) => /^\s*\d+\s/.test(l));
    expect(rows).toHaveLength(20);
    expect(long).toMatch(/ 250 .*FAIL: the model returned status 1/);
    expect(long).toContain('(280 more vectors not shown, 1 failing in all; --json lists every one)');
  });
});
