// The cache of FPGA tool results (hw-sim/fpga/result-cache.ts): the second synthesis, or place and route, of the same
// design is a lookup (shown by an entry altered in between, whose figures come back), a changed source runs the tools
// again, a cached placement still writes its bitstream where it is asked for; EDGEPRUNE_FPGA_CACHE_DIR (the test run's
// folder) replaces the per-user folder.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fpgaCacheDir } from '../../hw-sim/fpga/result-cache.js';
import { placeIce40 } from '../../hw-sim/nextpnr/place-ice40.js';
import { synthesize } from '../../hw-sim/yosys/synth.js';
import { keepProcessHelpers } from './support.js';

const design = (add: number) => `module tiny (input wire clk, input wire [7:0] a, output reg [7:0] y);
    always @(posedge clk) y <= y + a + 8'd${add};
endmodule
`;

/** Set (or, with undefined, remove) an environment variable. */
function setEnv(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}

describe('FPGA tool results cached', () => {
  let dir: string;
  let folder: string;
  const saved = { xdg: process.env.XDG_CACHE_HOME, dir: process.env.EDGEPRUNE_FPGA_CACHE_DIR };
  beforeAll(async () => {
    await keepProcessHelpers(); // in the real cache: the per-user folder below is deleted after this file
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeprune-fpga-cache-'));
  });
  afterAll(() => {
    setEnv('XDG_CACHE_HOME', saved.xdg);
    setEnv('EDGEPRUNE_FPGA_CACHE_DIR', saved.dir);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("under test, in the run's own folder (test/global-setup.ts): an earlier run's results never skip a tool", () => {
    expect(process.env.EDGEPRUNE_TEST_RUN_TMP).toBeTruthy();
    expect(saved.dir).toBe(path.join(process.env.EDGEPRUNE_TEST_RUN_TMP ?? '', 'fpga-cache'));
  });

  it('in EDGEPRUNE_FPGA_CACHE_DIR when it is an absolute path, else in the per-user folder', () => {
    setEnv('XDG_CACHE_HOME', path.join(dir, 'xdg'));
    setEnv('EDGEPRUNE_FPGA_CACHE_DIR', undefined);
    expect(fpgaCacheDir()).toBe(path.join(dir, 'xdg', 'edgeprune', 'fpga'));
    setEnv('EDGEPRUNE_FPGA_CACHE_DIR', 'relative/folder');
    expect(fpgaCacheDir()).toBe(path.join(dir, 'xdg', 'edgeprune', 'fpga'));
    setEnv('EDGEPRUNE_FPGA_CACHE_DIR', path.join(dir, 'run-cache'));
    expect(fpgaCacheDir()).toBe(path.join(dir, 'run-cache'));
  });

  /** Rewrite every cached entry whose name starts with `kind` through `edit`. */
  function alter(kind: string, edit: (value: Record<string, unknown>) => void): number {
    const entries = fs.readdirSync(folder).filter((f) => f.startsWith(kind) && f.endsWith('.json'));
    for (const f of entries) {
      const stored = JSON.parse(fs.readFileSync(path.join(folder, f), 'utf8'));
      edit(stored.value);
      fs.writeFileSync(path.join(folder, f), JSON.stringify(stored));
    }
    return entries.length;
  }

  it('synthesize: the second run of the same sources is a lookup; other sources run Yosys', async () => {
    // The test run's folder (as test/global-setup.ts sets it): the per-user folder stays empty.
    folder = path.join(dir, 'run-cache');
    setEnv('EDGEPRUNE_FPGA_CACHE_DIR', folder);
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
    expect(fs.existsSync(path.join(dir, 'xdg', 'edgeprune', 'fpga'))).toBe(false);
  });

  it('placeIce40: a cached placement writes the same bitstream into the folder asked for', async () => {
    // Without EDGEPRUNE_FPGA_CACHE_DIR: the per-user folder.
    setEnv('EDGEPRUNE_FPGA_CACHE_DIR', undefined);
    folder = path.join(dir, 'xdg', 'edgeprune', 'fpga');
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
