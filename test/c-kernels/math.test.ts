// The deterministic float math of templates/c/lib/ep_math.h: accuracy in ulps against the host's double
// libm (bench/kernels/math-accuracy.c, a sparse sweep), and C's powf special cases against the interpreter's Pow.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { Pow } from '../../src/ops/pow.js';
import { skipWithoutTools } from '../support/toolchain.js';
import { evalOp, f32, HOST_CFLAGS, inp, ints, KERNEL_DIR, mismatch, op, OUT, runCases, Tensor, type CaseResult, type KernelCase } from './harness.js';

const SPECIAL = [0, -0, 1, -1, 0.5, -0.5, 2, -2, 3, -3, 2.5, -2.5, 1e-3, 1e30, -1e30, Infinity, -Infinity, NaN, 1e-40];

function powCase(): KernelCase {
  const bases: number[] = [];
  const exps: number[] = [];
  for (const b of SPECIAL) for (const e of SPECIAL) {
    bases.push(b);
    exps.push(e);
  }
  const a = Tensor.fromNumbers('float32', [bases.length], bases);
  const b = Tensor.fromNumbers('float32', [exps.length], exps);
  const y = evalOp(Pow, [a, b]);
  return {
    name: `Pow special cases (${bases.length} pairs of ${SPECIAL.length} special values)`,
    fn: 'ep_binary_f32',
    args: [op('EP_BINARY_POW'), inp(0), inp(1), OUT, 1, ints([bases.length]), ints([1]), ints([1])],
    inputs: [f32(a), f32(b)],
    expected: f32(y),
    tol: { abs: 0, rel: 1.2e-7 }, // within one ulp; the special values exactly
  };
}

const CASES = [powCase()];
const skip = await skipWithoutTools('test/c-kernels/math.test.ts', ['gcc']);

describe.skipIf(skip)('ep_math.h', () => {
  let results: CaseResult[] = [];
  beforeAll(async () => {
    results = await runCases(CASES);
  });

  it('follows C powf for zeros, infinities, NaN, negative bases and integer exponents', () => {
    expect(mismatch(CASES[0], results[0].literal)).toBeNull();
    expect(mismatch(CASES[0], results[0].runtime)).toBeNull();
  });

  it('stays within 1.5 ulp of the double-precision libm (exp, log, tanh, erf; pow within 0.5)', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'ep-math-'));
    try {
      const exe = path.join(dir, 'math-accuracy');
      await execa('gcc', [...HOST_CFLAGS, '-I', KERNEL_DIR, path.resolve('bench/kernels/math-accuracy.c'), '-o', exe, '-lm'], { timeout: 120_000 });
      const r = await execa(exe, ['4099'], { timeout: 120_000 });
      const worst = new Map<string, number>();
      for (const line of String(r.stdout).split('\n')) {
        const m = /^(\S+)\s+max_ulp (\S+)/.exec(line);
        if (m) worst.set(m[1], Math.max(worst.get(m[1]) ?? 0, Number(m[2])));
      }
      expect([...worst.keys()].sort()).toEqual(['erf', 'exp', 'log', 'pow_n', 'pow_x', 'pow_y', 'tanh']);
      for (const [name, ulps] of worst) expect(ulps, name).toBeLessThanOrEqual(name.startsWith('pow') ? 0.5 : 1.5);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
