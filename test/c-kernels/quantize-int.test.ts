// The Cortex-M3 QuantizeLinear path of templates/c/lib/ep_int8_quant.h (EP_S8_QUANT_INT) on the host
// (test/c-kernels/quantize-int-host.c): the reciprocal estimate with one correction gives the long division's quotient
// and remainder on every mantissa of ten boundary scales and millions of other pairs, and whole elements the host
// float32 division's int8.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { KERNEL_DIR } from '../../bench/kernels/bench-lib.js';
import { skipWithoutTools } from '../support/toolchain.js';

const noGcc = await skipWithoutTools('test/c-kernels/quantize-int.test.ts', ['gcc']);

describe.skipIf(noGcc)('ep__mantissa_quotient and ep_quantize_f32_s8 (integer path) on the host', () => {
  it('match the long division and the float32 division bit for bit', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quantize-int-'));
    try {
      const exe = path.join(dir, 'quantize-int-host');
      await execa('gcc', ['-std=c11', '-ffp-contract=off', '-O2', '-Wall', '-Wextra', '-Wshadow', '-Wdouble-promotion', '-Werror', '-DEP_S8_QUANT_INT', '-I', KERNEL_DIR, 'test/c-kernels/quantize-int-host.c', '-o', exe], { timeout: 120_000 });
      const out = await execa(exe, ['4000000'], { timeout: 300_000, reject: false });
      const lines = out.stdout.trim().split('\n').filter((l) => !l.startsWith('first mismatch')).map((l) => l.split(' '));
      expect(lines.map((l) => l[0])).toEqual(['reciprocal-every-ms', 'every-m-of-boundary-ms', 'random-pairs', 'edge-pairs', 'exact-quotients', 'rounding-ties', 'elements']);
      for (const l of lines) {
        expect(Number(l[1]), l[0]).toBeGreaterThan(1_000_000);
        expect(l[2], `${l[0]}: ${out.stdout}`).toBe('0');
      }
      expect(out.exitCode, String(out.stderr)).toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
