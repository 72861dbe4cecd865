// The per-user cache of FPGA tool results (hw-sim/fpga/result-cache.ts): the second synthesis, or place and route, of
// the same design is a lookup (shown by an entry altered in between, whose figures come back), a changed source runs
// the tools again, and a cached placement still writes its bitstream where it is asked for.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { placeIce40 } from '../../hw-sim/nextpnr/place-ice40.js';
import { synthesize } from '../../hw-sim/yosys/synth.js';

const design = (add: number) => `module tiny (input wire clk, input wire [7:0] a, output reg [7:0] y);
    always @(posedge clk) y <= y + a + 8'd${add};
endmodule
`;

describe('FPGA tool results cached per user', () => {
  let dir: string;
  let cache: string;
  const saved = process.env.XDG_CACHE_HOME;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeprune-fpga-cache-'));
    cache = path.join(dir, 'cache');
    process.env.XDG_CACHE_HOME = cache;
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.XDG_CACHE_HOME;
    else process.env.XDG_CACHE_HOME = saved;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Rewrite every cached entry whose name starts with `kind` through `edit`. */
  function alter(kind: string, edit: (value: Record<string, unknown>) => void): number {
    const folder = path.join(cache, 'edgeprune', 'fpga');
    const entries = fs.readdirSync(folder).filter((f) => f.startsWith(kind) && f.endsWith('.json'));
    for (const f of entries) {
      const stored = JSON.parse(fs.readFileSync(path.join(folder, f), 'utf8'));
      edit(stored.value);
      fs.writeFileSync(path.join(folder, f), JSON.stringify(stored));
    }
    return entries.length;
  }

  it('synthesize: the second run of the same sources is a lookup; other sources run Yosys', async () => {
    const file = path.join(dir, 'tiny.v');
    fs.writeFileSync(file, design(1));
    const first = await synthesize({ verilog: [file], top: 'tiny', family: 'ice40' });
    expect(first.luts).toBeGreaterThan(0);
    expect(await synthesize({ verilog: [file], top: 'tiny', family: 'ice40' })).toEqual(first);
    expect(alter('yosys-', (v) => { v.luts = 99_999; })).toBe(1);
    expect((await synthesize({ verilog: [file], top: 'tiny', family: 'ice40' })).luts).toBe(99_999);
    // Another option, or another content under the same name: Yosys again.
    expect((await synthesize({ verilog: [file], top: 'tiny', family: 'ice40', dsp: true })).luts).toBe(first.luts);
    fs.writeFileSync(file, design(3));
    expect((await synthesize({ verilog: [file], top: 'tiny', family: 'ice40' })).luts).not.toBe(99_999);
  });

  it('placeIce40: a cached placement writes the same bitstream into the folder asked for', async () => {
    const file = path.join(dir, 'placed.v');
    fs.writeFileSync(file, design(5));
    const place = (out: string) => placeIce40({ verilog: [file], top: 'tiny', device: 'up5k', package: 'sg48', freqMHz: 12, outDir: path.join(dir, out) });
    const first = await place('a');
    expect(alter('nextpnr-ice40-', (v) => { v.fmaxMHz = 1234.5; })).toBe(1);
    const second = await place('b');
    expect(second.fmaxMHz).toBe(1234.5);
    expect(second.bitstream).toEqual({ path: path.join(dir, 'b', 'tiny.bin'), bytes: first.bitstream.bytes });
    expect(fs.readFileSync(second.bitstream.path)).toEqual(fs.readFileSync(first.bitstream.path));
    expect({ ...second, fmaxMHz: first.fmaxMHz, bitstream: first.bitstream }).toEqual(first);
  });
});
