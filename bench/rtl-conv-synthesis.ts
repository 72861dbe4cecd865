// Bench: what weight pruning removes from a streaming conv in Yosys synthesis (synth_xilinx -family xc7, flattened): the
// digits CNN's conv1 (1→8, 3x3, 72 products per pixel at reuse factor 1) quantized on the digits as `edgeprune
// quantize` does, pruned to two taps per output channel (16 weights) and to one (8 weights: the window, 8 products and
// the 8 requantizers). Each weight beyond the one-tap form's adds at most one DSP48E1. The test
// test/verilog/conv-stream-synthesis.test.ts checks the same on a small random conv; this prints the model's figures
// (three syntheses, minutes on a loaded machine).
//
//   npx tsc -p . && node dist/bench/rtl-conv-synthesis.js [--json]

import fs from 'node:fs';
import path from 'node:path';
import { synthesize, type SynthesisResources } from '../hw-sim/yosys/synth.js';
import { loadDataset } from '../src/data/load-dataset.js';
import { loadModel } from '../src/import/load-model.js';
import { calibrationInputs } from '../src/quant/calibration-data.js';
import { quantizeModel } from '../src/quant/quantize.js';
import { repoPath } from '../src/util/package-root.js';
import { makeTempDir, removeTempDir } from '../src/util/temp-dir.js';
import { convWrapper, modelConv, type ConvLayer } from './rtl-conv-layers.js';

const lib = (f: string) => repoPath('templates/verilog/lib', f);

async function main(): Promise<void> {
  const float = await loadModel(repoPath('examples/models/digits-cnn.onnx'));
  const graph = quantizeModel(float, calibrationInputs(float, loadDataset(repoPath('examples/digits/digits.csv.gz')))).graph;
  const node = graph.nodes.find((n) => n.opType === 'Int8Conv');
  if (!node) throw new Error('the quantized digits CNN has no Int8Conv');
  const conv1 = modelConv(graph, node, 8, 8);
  // Weight i is tap i % 9 (kr*3 + kc) of channel floor(i / 9): keep the taps (0, 0) and (1, 1), or (1, 1) only.
  const keep = (taps: number[]): ConvLayer => ({ ...conv1, weights: conv1.weights.map((w, i) => (taps.includes(i % 9) ? w : 0)) });
  const forms = [
    { what: `${node.name} dense`, layer: conv1 },
    { what: `${node.name} two taps per channel`, layer: keep([0, 4]) },
    { what: `${node.name} one tap per channel`, layer: keep([4]) },
  ];
  const dir = makeTempDir('bench-conv-synth');
  try {
    const rows: { what: string; nonZeroWeights: number; dsps: number; luts: number; flipFlops: number; seconds: number }[] = [];
    for (const [i, { what, layer }] of forms.entries()) {
      const top = path.join(dir, `conv-${i}.v`);
      fs.writeFileSync(top, convWrapper(layer));
      const t0 = performance.now();
      const r: SynthesisResources = await synthesize({ verilog: [top, lib('ep_conv_stream.v'), lib('ep_window_stream.v'), lib('ep_requant.v')], top: 'ep_conv_stream_tb_top', family: 'xc7' });
      const row = { what, nonZeroWeights: layer.weights.filter((w) => w !== 0).length, dsps: r.dsps, luts: r.luts, flipFlops: r.flipFlops, seconds: (performance.now() - t0) / 1000 };
      rows.push(row);
      if (!process.argv.includes('--json')) {
        console.log(`${what.padEnd(32)} ${String(row.nonZeroWeights).padStart(3)} non-zero weights: ${String(row.dsps).padStart(4)} DSP48E1 ${String(row.luts).padStart(6)} LUTs ${String(row.flipFlops).padStart(5)} FFs (${row.seconds.toFixed(1)} s)`);
      }
    }
    const [dense, , least] = rows;
    const perWeight = (dense.dsps - least.dsps) / (dense.nonZeroWeights - least.nonZeroWeights);
    if (process.argv.includes('--json')) console.log(JSON.stringify({ source: 'synthesis estimate (Yosys synth_xilinx -family xc7)', rows, dspsPerExtraWeight: perWeight }, null, 2));
    else console.log(`DSP48E1 per weight beyond the one-tap form: ${perWeight.toFixed(2)} (at most 1: a zero weight generates no multiplier)`);
  } finally {
    removeTempDir(dir);
  }
}

await main();
