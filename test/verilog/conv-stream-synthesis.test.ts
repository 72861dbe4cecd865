// ep_conv_stream through Yosys (synth_xilinx -family xc7, flattened): a random 3x3 conv 1→4 (36 products per pixel at
// reuse factor 1), pruned to two taps per output channel (8 weights, 78% pruned), and to one tap per channel (the
// baseline: the window, 4 products and the 4 requantizers): every weight beyond the baseline's adds at most one
// DSP48E1 (a zero weight generates no multiplier), and pruning takes LUTs away. The same figures for the digits CNN's
// conv1 (1→8, 72 products) are printed by bench/rtl-conv-synthesis.ts.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { synthesize, type SynthesisResources } from '../../hw-sim/yosys/synth.js';
import { repoPath } from '../../src/util/package-root.js';
import { convWrapper, randomConv, type ConvLayer } from './conv-layers.js';

const lib = (f: string) => repoPath('templates/verilog/lib', f);

describe('ep_conv_stream.v in Yosys', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeprune-conv-synth-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function synth(layer: ConvLayer, name: string): Promise<SynthesisResources> {
    const top = path.join(dir, name, 'ep_conv_stream_tb_top.v');
    fs.mkdirSync(path.dirname(top));
    fs.writeFileSync(top, convWrapper(layer));
    return synthesize({ verilog: [top, lib('ep_conv_stream.v'), lib('ep_window_stream.v'), lib('ep_requant.v')], top: 'ep_conv_stream_tb_top', family: 'xc7' });
  }

  it('a 3x3 conv 1→4 on xc7: at most one DSP48E1 per non-zero weight, pruned weights take theirs away', async () => {
    // A 4x4 image: the DSP blocks follow the weights, not the image (6x6 gives the same 51 / 24 / 20 DSP48E1 and LUTs
    // within 3 of 776 / 331 / 292, at about 1 CPU-s more per synthesis; the file: 33.0 CPU-s instead of 40.9).
    const conv = randomConv({ name: '3x3 1→4', H: 4, W: 4, K: 3, pad: 1, stride: 1, cIn: 1, cOut: 4, sparsity: 0, xZero: -128, yZero: -128, actMin: -128, actMax: 127 }, 17);
    // Weight i is tap i % 9 (kr*3 + kc) of channel floor(i / 9): keep the taps (0, 0) and (1, 1), or (1, 1) only.
    const keep = (taps: number[]) => ({ ...conv, weights: conv.weights.map((w, i) => (taps.includes(i % 9) ? w : 0)) });
    const nonZero = (l: ConvLayer) => l.weights.filter((w) => w !== 0).length;
    const pruned = keep([0, 4]);
    const base = keep([4]);
    const [dense, sparse, least] = await Promise.all([synth(conv, 'dense'), synth(pruned, 'pruned'), synth(base, 'base')]);
    expect(dense.source).toBe('synthesis estimate (Yosys synth_xilinx -family xc7)');
    const figures = `DSP48E1 / LUTs: ${dense.dsps} / ${dense.luts} with ${nonZero(conv)} non-zero weights, ${sparse.dsps} / ${sparse.luts} with ${nonZero(pruned)}, ${least.dsps} / ${least.luts} with ${nonZero(base)}`;
    expect([nonZero(conv), nonZero(pruned), nonZero(base)], figures).toEqual([36, 8, 4]);
    // Most products of the dense layer are DSP blocks (Yosys makes a few constant multiplies, by powers of two, logic).
    expect(dense.dsps - least.dsps, figures).toBeGreaterThan((36 - 4) / 2);
    expect(dense.dsps - least.dsps, figures).toBeLessThanOrEqual(36 - 4);
    expect(sparse.dsps - least.dsps, figures).toBeLessThanOrEqual(8 - 4);
    expect(sparse.luts, figures).toBeLessThan(dense.luts);
  });
});
