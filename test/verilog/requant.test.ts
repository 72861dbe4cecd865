// templates/verilog/lib/ep_requant.v in Verilator, bit-exact with requantizeToInt8 (src/quant/fixed-point.ts) on the
// edge values of every field (int32 extremes, multiplier 0 and the ends of [2^30, 2^31), shifts 1 and 62, zero
// points and clamps at -128 and 127) and on seeded random cases; one output per clock (II = 1), two cycles deep.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildVerilatorHarness, runVerilatorHarness, type VerilatorHarness } from '../../hw-sim/verilator/harness.js';
import { requantizeToInt8 } from '../../src/quant/fixed-point.js';
import { repoPath } from '../../src/util/package-root.js';
import { Random } from '../../src/util/random.js';

interface Case {
  acc: number;
  multiplier: number;
  shift: number;
  zeroPoint: number;
  actMin: number;
  actMax: number;
}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

function edgeCases(): Case[] {
  const accs = [INT32_MIN, INT32_MIN + 1, -65536, -1, 0, 1, 65535, INT32_MAX];
  const multipliers = [0, 2 ** 30, 2 ** 30 + 1, 1518500250, INT32_MAX];
  const shifts = [1, 2, 15, 16, 17, 31, 32, 33, 61, 62];
  const out: Case[] = [];
  for (const acc of accs) {
    for (const multiplier of multipliers) {
      for (const shift of shifts) {
        out.push({ acc, multiplier, shift, zeroPoint: 0, actMin: -128, actMax: 127 });
        out.push({ acc, multiplier, shift, zeroPoint: -128, actMin: -128, actMax: 127 });
        out.push({ acc, multiplier, shift, zeroPoint: 127, actMin: 0, actMax: 6 });
      }
    }
  }
  return out;
}

/** Seeded cases in the range layers use: shifts around 30-45, accumulators up to 2^24, varied zero points and clamps. */
function randomCases(count: number): Case[] {
  const r = new Random(1010);
  const int = (lo: number, hi: number) => lo + Math.floor(r.next() * (hi - lo + 1));
  return Array.from({ length: count }, () => {
    const actMin = int(-128, 0);
    return {
      acc: int(-(2 ** 24), 2 ** 24),
      multiplier: int(2 ** 30, INT32_MAX),
      shift: int(20, 50),
      zeroPoint: int(-128, 127),
      actMin,
      actMax: int(actMin, 127),
    };
  });
}

describe('ep_requant.v in Verilator', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeprune-requant-'));
  let harness: VerilatorHarness;
  const design = {
    top: 'ep_requant',
    verilog: [repoPath('templates/verilog/lib/ep_requant.v')],
    testbench: [repoPath('templates/verilog/lib/tb/ep_requant_tb.cpp')],
  };

  beforeAll(async () => {
    harness = await buildVerilatorHarness(design);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it.each([
    ['edge values of every field', edgeCases()],
    ['seeded random layer-like cases', randomCases(4000)],
  ])('%s: every output equals requantizeToInt8', async (_name, cases) => {
    const file = path.join(dir, 'cases.txt');
    fs.writeFileSync(file, cases.map((c) => `${c.acc} ${c.multiplier} ${c.shift} ${c.zeroPoint} ${c.actMin} ${c.actMax}`).join('\n'));
    const got = (await runVerilatorHarness(harness, [file], 'simulating ep_requant')).trim().split('\n').map(Number);
    expect(got).toHaveLength(cases.length);
    const wrong = cases.flatMap((c, i) => {
      const want = requantizeToInt8(c.acc, { multiplier: c.multiplier, shift: c.shift }, c.zeroPoint, c.actMin, c.actMax);
      return got[i] === want ? [] : [`case ${i} ${JSON.stringify(c)}: Verilator ${got[i]}, interpreter ${want}`];
    });
    expect(wrong.slice(0, 5)).toEqual([]);
  });

  it('the second build of the same design comes from the cache', async () => {
    const again = await buildVerilatorHarness(design);
    expect(again.cached).toBe(true);
    expect(again.executable).toBe(harness.executable);
  });
});
