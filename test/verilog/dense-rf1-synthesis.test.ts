// ep_dense_rf1 through Yosys (synth_xilinx -family xc7, flattened): weight pruning and narrowing remove hardware. A
// 16→4 layer (16 products per output, as the 16→8 layer of bench/rtl-requant.ts, which prints that layer's figures)
// 80%-pruned with narrowed requantization (exact accumulator width, 16-bit multipliers) takes at most a quarter of the
// DSP blocks and a third of the LUTs of its dense full-width form (the goal ratios), and narrowing alone saves
// DSPs and LUTs on the pruned layer (the requantizers dominate it at full width).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { synthesize, type SynthesisResources } from '../../hw-sim/yosys/synth.js';
import { repoPath } from '../../src/util/package-root.js';
import { layerWidths, randomLayer, wrapper, type LayerSpec } from './dense-layers.js';

const lib = (f: string) => repoPath('templates/verilog/lib', f);

describe('ep_dense_rf1.v in Yosys', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeprune-dense-synth-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function synth(spec: LayerSpec): Promise<SynthesisResources> {
    const top = path.join(dir, `${spec.sparsity}-${spec.multBits ?? 31}`, 'ep_dense_rf1_tb_top.v');
    fs.mkdirSync(path.dirname(top));
    fs.writeFileSync(top, wrapper(randomLayer(spec, 42)));
    return synthesize({ verilog: [top, lib('ep_dense_rf1.v'), lib('ep_requant.v')], top: 'ep_dense_rf1_tb_top', family: 'xc7' });
  }

  it('80% pruning with narrowed requantization: ≥ 4x fewer DSP blocks and ≥ 3x fewer LUTs than the dense 16→4 layer on xc7', async () => {
    const base = { name: '16→4', nIn: 16, nOut: 4, xZero: 0, yZero: 0, actMin: 0, actMax: 127 };
    const narrow = { ...base, sparsity: 0.8, multBits: 16 };
    expect(layerWidths(randomLayer(narrow, 42)).accBits).toBeLessThan(20);
    const [dense, pruned, prunedNarrow] = await Promise.all([synth({ ...base, sparsity: 0 }), synth({ ...base, sparsity: 0.8 }), synth(narrow)]);
    expect(dense.source).toBe('synthesis estimate (Yosys synth_xilinx -family xc7)');
    // Every one of the 64 products of the dense layer has its multiplier, and each requantizer more than one.
    expect(dense.dsps).toBeGreaterThanOrEqual(64 + 4);
    const figures = `dense ${dense.dsps} DSP / ${dense.luts} LUT, pruned ${pruned.dsps} / ${pruned.luts}, pruned narrowed ${prunedNarrow.dsps} / ${prunedNarrow.luts}`;
    expect(prunedNarrow.dsps, figures).toBeLessThanOrEqual(dense.dsps / 4);
    expect(prunedNarrow.luts, figures).toBeLessThanOrEqual(dense.luts / 3);
    // Narrowing alone: one DSP block per requantizer instead of three or more, and the shift and clamp logic narrow.
    expect(prunedNarrow.dsps, figures).toBeLessThanOrEqual(pruned.dsps - 2 * 4);
    expect(prunedNarrow.luts, figures).toBeLessThanOrEqual(pruned.luts / 2);
    expect(prunedNarrow.flipFlops).toBeGreaterThan(0);
  });
});
