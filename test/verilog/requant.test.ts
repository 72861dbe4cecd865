// templates/verilog/lib/ep_requant.v in Verilator, bit-exact with requantizeToInt8 (src/quant/fixed-point.ts) on the
// edge values of every field (accumulator extremes of its width, multiplier 0 and the ends of [2^30, 2^31), the
// smallest and largest shifts, zero points and clamps at -128 and 127) and on seeded random cases; one output per
// clock (II = 1), two cycles deep. Full width (32-bit accumulator, 31-bit multipliers) and narrowed instances
// (ACC_BITS, MULT_BITS: multipliers with their low 31 - MULT_BITS bits zero, as the quantizer's multiplier_bits makes them).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildVerilatorHarness, runVerilatorHarness, type VerilatorHarness } from '../../hw-sim/verilator/harness.js';
import { quantizeMultiplier, requantizeToInt8 } from '../../src/quant/fixed-point.js';
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

interface Width {
  accBits: number;
  multBits: number;
  /** Pipeline stages (STAGES; default 2). */
  stages?: number;
}

/** The wrapper the testbench drives: a 32-bit acc port feeding the instance's low ACC_BITS. */
function wrapper({ accBits, multBits, stages }: Width): string {
  return `module ep_requant_tb_top (
    input wire clk, input wire rst, input wire en, input wire in_valid,
    /* verilator lint_off UNUSEDSIGNAL */
    input wire signed [31:0] acc,
    /* verilator lint_on UNUSEDSIGNAL */
    input wire [30:0] multiplier, input wire [5:0] shift,
    input wire signed [7:0] zero_point, input wire signed [7:0] act_min, input wire signed [7:0] act_max,
    output wire out_valid, output wire signed [7:0] out
);
    ep_requant #(.ACC_BITS(${accBits}), .MULT_BITS(${multBits}), .STAGES(${stages ?? 2})) requant (
        .clk(clk), .rst(rst), .en(en), .in_valid(in_valid), .acc(acc[${accBits - 1}:0]), .multiplier(multiplier),
        .shift(shift), .zero_point(zero_point), .act_min(act_min), .act_max(act_max), .out_valid(out_valid), .out(out)
    );
endmodule
`;
}

function edgeCases({ accBits, multBits }: Width): Case[] {
  const lo = -(2 ** (accBits - 1));
  const hi = 2 ** (accBits - 1) - 1;
  const low = 2 ** (31 - multBits);
  const accs = [lo, lo + 1, -65536, -1, 0, 1, 65535, hi].filter((a) => a >= lo && a <= hi);
  const multipliers = [0, 2 ** 30, 2 ** 30 + low, Math.round(1518500250 / low) * low, 2 ** 31 - low];
  const shifts = [1, 2, 15, 16, 17, 31, 32, 33, accBits + multBits - 1, accBits + multBits, accBits + multBits + 1, 61, 62].map((s) => s + 31 - multBits).filter((s) => s <= 62);
  const out: Case[] = [];
  for (const acc of accs) {
    for (const multiplier of multipliers) {
      for (const shift of new Set(shifts)) {
        out.push({ acc, multiplier, shift, zeroPoint: 0, actMin: -128, actMax: 127 });
        out.push({ acc, multiplier, shift, zeroPoint: -128, actMin: -128, actMax: 127 });
        out.push({ acc, multiplier, shift, zeroPoint: 127, actMin: 0, actMax: 6 });
      }
    }
  }
  // Around the saturation of the shifted value to [-512, 511] (acc · 2^30 / 2^31 = acc / 2, rounded half up), with
  // zero points at both ends and clamps that those values reach or not.
  for (const acc of [1021, 1022, 1023, 1024, 1026, -1022, -1024, -1025, -1026, -1028, 254, 256, -258].filter((a) => a >= lo && a <= hi)) {
    for (const zeroPoint of [-128, 127, 0]) {
      for (const [actMin, actMax] of [[-128, 127], [-5, 9]]) out.push({ acc, multiplier: 2 ** 30, shift: 31, zeroPoint, actMin, actMax });
    }
  }
  return out;
}

/** Seeded cases in the range layers use: multipliers of real values in [2^-20, 1) at the width's bits, accumulators of the width. */
function randomCases({ accBits, multBits }: Width, count: number): Case[] {
  const r = new Random(1010 + multBits);
  const int = (lo: number, hi: number) => lo + Math.floor(r.next() * (hi - lo + 1));
  return Array.from({ length: count }, () => {
    const actMin = int(-128, 0);
    const m = quantizeMultiplier(2 ** (-20 * r.next()) * (1 - r.next() / 2) * 2 ** -(accBits - 12), 'm', multBits);
    return {
      acc: int(-(2 ** (accBits - 1)), 2 ** (accBits - 1) - 1),
      multiplier: m.multiplier,
      shift: m.shift,
      zeroPoint: int(-128, 127),
      actMin,
      actMax: int(actMin, 127),
    };
  });
}

/** Full width, a dense-layer width with 16-bit multipliers, the narrowest the quantizer makes, and three stages (a folded layer on iCE40). */
const WIDTHS: Width[] = [
  { accBits: 32, multBits: 31 },
  { accBits: 20, multBits: 16 },
  { accBits: 11, multBits: 8 },
  { accBits: 20, multBits: 15, stages: 3 },
];

/** The testbench's design of `width`, its wrapper written into `dir`. */
function requantDesign(width: Width, dir: string) {
  const top = path.join(dir, 'ep_requant_tb_top.v');
  fs.writeFileSync(top, wrapper(width));
  return {
    top: 'ep_requant_tb_top',
    verilog: [top, repoPath('templates/verilog/lib/ep_requant.v')],
    testbench: [repoPath('templates/verilog/lib/tb/ep_requant_tb.cpp')],
  };
}

describe.each(WIDTHS)('ep_requant.v in Verilator, ACC_BITS $accBits, MULT_BITS $multBits, STAGES $stages', (width) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeprune-requant-'));
  const design = requantDesign(width, dir);
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it.each([
    ['edge values of every field', edgeCases(width)],
    ['seeded random layer-like cases', randomCases(width, 4000)],
  ])('%s: every output equals requantizeToInt8', async (name, cases) => {
    const harness = await buildVerilatorHarness(design);
    const low = 2 ** (31 - width.multBits);
    // The cases honour the module's contract: narrow multipliers, shifts above their zero bits.
    expect(cases.every((c) => c.multiplier % low === 0 && c.shift > 31 - width.multBits && c.shift <= 62)).toBe(true);
    const file = path.join(dir, 'cases.txt');
    fs.writeFileSync(file, cases.map((c) => `${c.acc} ${c.multiplier} ${c.shift} ${c.zeroPoint} ${c.actMin} ${c.actMax}`).join('\n'));
    const got = (await runVerilatorHarness(harness, [file], 'simulating ep_requant')).trim().split('\n').map(Number);
    expect(got).toHaveLength(cases.length);
    const wrong = cases.flatMap((c, i) => {
      const want = requantizeToInt8(c.acc, { multiplier: c.multiplier, shift: c.shift }, c.zeroPoint, c.actMin, c.actMax);
      return got[i] === want ? [] : [`case ${i} ${JSON.stringify(c)}: Verilator ${got[i]}, interpreter ${want}`];
    });
    expect(wrong.slice(0, 5)).toEqual([]);
    // Not all clamped: the random cases reach the rounding and the zero point.
    if (name.startsWith('seeded')) expect(new Set(got).size).toBeGreaterThan(100);
  });

  it('the second build of the same design comes from the cache', async () => {
    const first = await buildVerilatorHarness(design);
    const again = await buildVerilatorHarness(design);
    expect(again.cached).toBe(true);
    expect(again.executable).toBe(first.executable);
  });
});

describe('the Verilator harness cache', () => {
  const width = WIDTHS[2];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeprune-requant-'));
  const design = requantDesign(width, dir);
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  // The harness cache is per user and outlives a test run: on a machine that ran the suite before, every other test
  // finds its harness there. This one builds from an empty cache (Verilator, its run-time objects, the C++ compile), so
  // every run of the suite runs Verilator's build at least once, and the fresh executable simulates as the cached one.
  it('builds from an empty cache (Verilator runs) and simulates as the cached harness', async () => {
    const cases = edgeCases(width);
    const file = path.join(dir, 'fresh-cases.txt');
    fs.writeFileSync(file, cases.map((c) => `${c.acc} ${c.multiplier} ${c.shift} ${c.zeroPoint} ${c.actMin} ${c.actMax}`).join('\n'));
    const run = async (h: VerilatorHarness) => (await runVerilatorHarness(h, [file], 'simulating ep_requant')).trim();
    // Run the cached harness first: that also builds (or finds) the process guard in the real cache, which this worker
    // then remembers; the empty cache below holds only what the fresh build makes, and is deleted with `dir`.
    const want = await run(await buildVerilatorHarness(design));
    const saved = process.env.XDG_CACHE_HOME;
    process.env.XDG_CACHE_HOME = path.join(dir, 'empty-cache');
    try {
      const fresh = await buildVerilatorHarness(design);
      expect(fresh.cached).toBe(false);
      expect(fresh.executable.startsWith(path.join(dir, 'empty-cache'))).toBe(true);
      expect(await run(fresh)).toBe(want);
    } finally {
      if (saved === undefined) delete process.env.XDG_CACHE_HOME;
      else process.env.XDG_CACHE_HOME = saved;
    }
  });
});
