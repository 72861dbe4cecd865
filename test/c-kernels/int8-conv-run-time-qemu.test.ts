// The int8 conv with its channel counts at run time (as the nested levels' shared kernel functions call it:
// src/levels/shared-kernels.ts), on QEMU bit for bit against the interpreter: the conv cases of int8-cases.ts that take
// distinct tile paths, with C and M hidden from the compiler, with and without the range hint the levels' functions
// give (1..C, 1..M).
// The assembly tiles then take the channel count from a register (ep_s8_tile_dsp / ep_s8_tile_m3 with xend), and the
// Cortex-M3 path splits the exact sums into chunks at run time (the 640-tap case). (The M4's C tiles, EP_S8_NO_ASM,
// loop over a run-time C as over a literal one: int8-qemu.test.ts runs them.)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LM3S6965, missingTools, MPS2_AN386 } from '../../bench/kernels/bench-lib.js';
import { skipForMissingTools } from '../support/toolchain.js';
import { mismatch, type KernelCase } from './harness.js';
import { allInt8Cases } from './int8-cases.js';
import { runCasesOnTarget } from './int8-target.js';

const skip = skipForMissingTools('test/c-kernels/int8-conv-run-time-qemu.test.ts', await missingTools());

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ep-int8-run-time-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
// EP_RT(v): v as the compiler cannot know it; EP_RT_IN(v, lo, hi): the same, with the range a levels function states.
const header = path.join(dir, 'run-time.h');
fs.writeFileSync(header, [
  'static inline int ep_rt(int v) { __asm__ volatile("" : "+r"(v)); return v; }',
  'static inline int ep_rt_in(int v, int lo, int hi) { v = ep_rt(v); if (v < lo || v > hi) __builtin_unreachable(); return v; }',
  '#define EP_RT(v) ep_rt(v)',
  '#define EP_RT_IN(v, lo, hi) ep_rt_in(v, lo, hi)',
  '',
].join('\n'));

/** Argument 6 (C) and 9 (M) of ep_conv2d_s8 / ep_conv2d_ldw_s8 at run time. */
function runTime(c: KernelCase, hinted: boolean): KernelCase {
  const args = [...c.args!];
  for (const i of [6, 9]) {
    const v = args[i] as number;
    args[i] = hinted ? `EP_RT_IN(${v}, 1, ${v})` : `EP_RT(${v})`;
  }
  return { ...c, name: `${c.name} (C, M at run time${hinted ? ', with their range' : ''})`, args };
}

// The conv cases whose shapes take distinct tile paths (kernel sizes, strides, groups, padding, the chunked exact
// sums, the ldw rows); the requantization and zero-point cases, whose code a run-time channel count does not touch,
// run with literal arguments in int8-qemu.test.ts.
const SHAPES = /^conv (MNIST conv|3x3 stride 2|depthwise|groups 2|dilation 2|1-D|7x7|2x8|3x6|5x5 stride 3|pads beyond|asymmetric|640 taps|no bias|ldw: )/;
const convs = allInt8Cases().filter((c) => (c.fn === 'ep_conv2d_s8' || c.fn === 'ep_conv2d_ldw_s8') && SHAPES.test(c.name));
const cases = [...convs.map((c) => runTime(c, false)), ...convs.map((c) => runTime(c, true))];

for (const [target, flags, what] of [
  [MPS2_AN386, [], 'assembly tiles'],
  [LM3S6965, [], 'assembly tiles'],
] as const) {
  describe.skipIf(skip)(`int8 conv with run-time channels on QEMU ${target.name} (${what})`, () => {
    const outputs: Int32Array[] = [];
    beforeAll(async () => {
      // (-Wno-array-bounds: with M unknown gcc cannot see that a 1-channel case's pair branch, reading mult[m + 1], is
      // dead; firmwares of at most 16 cases: each call's code covers every tile shape, and all of them overflow the
      // lm3s6965's 256 KiB of flash)
      for (let i = 0; i < cases.length; i += 16) outputs.push(...(await runCasesOnTarget(cases.slice(i, i + 16), target, [...flags, '-Wno-array-bounds', '-include', header])));
    }, 600_000);

    it('covers the cases the chunked exact sums and the ldw rows need', () => {
      expect(convs).toHaveLength(21);
      expect(cases.some((c) => /640 taps/.test(c.name))).toBe(true);
      expect(cases.filter((c) => c.fn === 'ep_conv2d_ldw_s8')).toHaveLength(8);
    });

    it.each(cases.map((c, i) => [c.name, i] as const))('%s', (_name, i) => {
      expect(mismatch(cases[i], outputs[i])).toBeNull();
    });
  });
}
