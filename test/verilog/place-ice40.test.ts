// hw-sim/nextpnr/place-ice40.ts on a small folded layer (ep_dense_folded, 32→8 at RF 64, weights in block RAM, in the
// bit-serial I/O shell): Yosys maps the weight ROM to SB_RAM40_4K, nextpnr places and routes it on the iCE40 UP5K
// (sg48), reports an Fmax and the utilisation, icepack writes a non-empty bitstream; the same layer on a device
// without DSP blocks is refused as a UserError that names what does not fit.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ioShell } from '../../hw-sim/nextpnr/io-shell.js';
import { placeIce40 } from '../../hw-sim/nextpnr/place-ice40.js';
import { UserError } from '../../src/errors.js';
import { repoPath } from '../../src/util/package-root.js';
import { foldedWrapper, randomLayer, type LayerSpec } from './dense-layers.js';

const lib = (f: string) => repoPath('templates/verilog/lib', f);

describe('iCE40 place and route of a folded layer', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeprune-place-ice40-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  function design(spec: LayerSpec, rf: number): string[] {
    const layer = path.join(dir, `${spec.nIn}x${spec.nOut}`, 'layer.v');
    fs.mkdirSync(path.dirname(layer));
    fs.writeFileSync(layer, foldedWrapper(randomLayer(spec, 9), rf));
    const shell = path.join(path.dirname(layer), 'shell.v');
    fs.writeFileSync(shell, ioShell({ top: 'place_top', inner: 'ep_dense_folded_tb_top', inBytes: spec.nIn, outBytes: spec.nOut }));
    return [shell, layer, lib('ep_dense_folded.v'), lib('ep_requant.v')];
  }

  it('32→8 at RF 64 on up5k-sg48: weights in EBR, placed and routed, Fmax reported, bitstream written', async () => {
    const spec: LayerSpec = { name: '32→8', nIn: 32, nOut: 8, sparsity: 0, xZero: -128, yZero: -128, actMin: -128, actMax: 127 };
    const outDir = path.join(dir, 'out');
    const r = await placeIce40({ verilog: design(spec, 64), top: 'place_top', device: 'up5k', package: 'sg48', freqMHz: 24, dsp: true, outDir, label: 'folded 32→8' });
    // The 64 words of 4 weights (32 bits) are one ROM in block RAM: two 16-bit-wide SB_RAM40_4K.
    expect(r.synthesis.cells.SB_RAM40_4K).toBeGreaterThanOrEqual(1);
    expect(r.utilisation.ebr.used).toBeGreaterThanOrEqual(1);
    expect(r.utilisation.ebr.available).toBe(30);
    expect(r.utilisation.dsp.available).toBe(8);
    expect(r.utilisation.logicCells.available).toBe(5280);
    expect(r.utilisation.logicCells.used).toBeGreaterThan(0);
    expect(r.utilisation.logicCells.used).toBeLessThanOrEqual(5280);
    expect(r.utilisation.luts).toBe(r.synthesis.luts);
    expect(r.fmaxMHz).toBeGreaterThan(0);
    expect(r.meetsTarget).toBe(r.fmaxMHz >= 24);
    expect(r.bitstream.path).toBe(path.join(outDir, 'place_top.bin'));
    expect(r.bitstream.bytes).toBeGreaterThan(0);
    expect(fs.statSync(r.bitstream.path).size).toBe(r.bitstream.bytes);
    expect(r.toolVersions.yosys).toMatch(/Yosys/);
    expect(r.toolVersions.nextpnr).toMatch(/nextpnr/);
  });

  it('a layer whose multipliers are DSP blocks does not fit an iCE40 without them: a UserError naming the cell type', async () => {
    const spec: LayerSpec = { name: '8→4', nIn: 8, nOut: 4, sparsity: 0, xZero: 0, yZero: 0, actMin: -128, actMax: 127 };
    const placing = placeIce40({ verilog: design(spec, 8), top: 'place_top', device: 'lp1k', package: 'cm81', freqMHz: 24, dsp: true, outDir: path.join(dir, 'none') });
    await expect(placing).rejects.toThrow(UserError);
    await expect(placing).rejects.toThrow(/does not fit iCE40 lp1k-cm81: it needs more ICESTORM_DSP than the device has/);
    expect(fs.existsSync(path.join(dir, 'none'))).toBe(false);
  });
});
