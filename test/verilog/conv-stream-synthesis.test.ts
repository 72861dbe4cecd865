// ep_conv_stream through Yosys (synth_xilinx -family xc7, flattened): the digits CNN's conv1 (1→8, 3x3, 72 products per
// pixel at reuse factor 1) with its quantized weights, pruned to two taps per output channel (16 weights, 78% pruned),
// and to one tap per channel (the baseline: the window, 8 products and the 8 requantizers): every weight beyond the
// baseline's adds at most one DSP48E1 (a zero weight generates no multiplier), and pruning takes LUTs away.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { synthesize, type SynthesisResources } from '../../hw-sim/yosys/synth.js';
import { repoPath } from '../../src/util/package-root.js';
import { convWrapper, modelConv, type ConvLayer } from './conv-layers.js';
import { digitsCnn } from './digits-cnn.js';

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

  it("the digits CNN's conv1 on xc7: at most one DSP48E1 per non-zero weight, pruned weights take theirs away", async () => {
    const cnn = await digitsCnn(1);
    const node = cnn.nodes('Int8Conv')[0];
    const conv1 = modelConv(cnn.graph, node, 8, 8);
    // Weight i is tap i % 9 (kr*3 + kc) of channel floor(i / 9): keep the taps (0, 0) and (1, 1), or (1, 1) only.
    const keep = (taps: number[]) => ({ ...conv1, weights: conv1.weights.map((w, i) => (taps.includes(i % 9) ? w : 0)) });
    const nonZero = (l: ConvLayer) => l.weights.filter((w) => w !== 0).length;
    const pruned = keep([0, 4]);
    const base = keep([4]);
    const [dense, sparse, least] = await Promise.all([synth(conv1, 'dense'), synth(pruned, 'pruned'), synth(base, 'base')]);
    expect(dense.source).toBe('synthesis estimate (Yosys synth_xilinx -family xc7)');
    const figures = `DSP48E1 / LUTs: ${dense.dsps} / ${dense.luts} with ${nonZero(conv1)} non-zero weights, ${sparse.dsps} / ${sparse.luts} with ${nonZero(pruned)}, ${least.dsps} / ${least.luts} with ${nonZero(base)}`;
    expect([nonZero(conv1), nonZero(pruned), nonZero(base)], figures).toEqual([72, 16, 8]);
    // Most products of the dense layer are DSP blocks (Yosys makes a few constant multiplies, by powers of two, logic).
    expect(dense.dsps - least.dsps, figures).toBeGreaterThan((72 - 8) / 2);
    expect(dense.dsps - least.dsps, figures).toBeLessThanOrEqual(72 - 8);
    expect(sparse.dsps - least.dsps, figures).toBeLessThanOrEqual(16 - 8);
    expect(sparse.luts, figures).toBeLessThan(dense.luts);
    // A hang guard, not a speed goal: three xc7 syntheses took five minutes on the loaded 2-core machine.
  }, 1_200_000);
});
