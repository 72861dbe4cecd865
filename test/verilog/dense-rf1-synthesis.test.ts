// ep_dense_rf1 through Yosys (synth_xilinx -family xc7, flattened): weight pruning removes hardware. The same 16→8
// layer 80%-pruned takes at most half the DSP blocks and half the LUTs of its dense form (the products of zero
// weights are never generated; what remains is the pruned products and the per-output requantizers).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { synthesize, type SynthesisResources } from '../../hw-sim/yosys/synth.js';
import { repoPath } from '../../src/util/package-root.js';
import { randomLayer, wrapper, type LayerSpec } from './dense-layers.js';

const lib = (f: string) => repoPath('templates/verilog/lib', f);

describe('ep_dense_rf1.v in Yosys', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeprune-dense-synth-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function synth(spec: LayerSpec): Promise<SynthesisResources> {
    const top = path.join(dir, `${spec.sparsity}`, 'ep_dense_rf1_tb_top.v');
    fs.mkdirSync(path.dirname(top));
    fs.writeFileSync(top, wrapper(randomLayer(spec, 42)));
    return synthesize({ verilog: [top, lib('ep_dense_rf1.v'), lib('ep_requant.v')], top: 'ep_dense_rf1_tb_top', family: 'xc7' });
  }

  it('80% weight pruning at least halves the DSP blocks and the LUTs of a 16→8 layer on xc7', async () => {
    const base = { name: '16→8', nIn: 16, nOut: 8, xZero: 0, yZero: 0, actMin: 0, actMax: 127 };
    const [dense, pruned] = await Promise.all([synth({ ...base, sparsity: 0 }), synth({ ...base, sparsity: 0.8 })]);
    expect(dense.source).toBe('synthesis estimate (Yosys synth_xilinx -family xc7)');
    // Every one of the 128 products of the dense layer has its multiplier.
    expect(dense.dsps).toBeGreaterThanOrEqual(128);
    expect(pruned.dsps, `DSP48E1: dense ${dense.dsps}, pruned ${pruned.dsps}`).toBeLessThanOrEqual(dense.dsps / 2);
    expect(pruned.luts, `LUTs: dense ${dense.luts}, pruned ${pruned.luts}`).toBeLessThanOrEqual(dense.luts / 2);
    expect(pruned.flipFlops).toBeGreaterThan(0);
  });
});
