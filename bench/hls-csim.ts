// The HLS goal figure: the generated HLS C++ of each bench model, C-simulated with g++, against the interpreter on every
// vector, every layer compared bit for bit (vectors bit-exact / total), at reuse factor 1 and folded; and the g++ build
// time of each design (measured from an empty C simulation cache) and the C simulation's run time. Vitis HLS is not
// run: no synthesis figures here.
//
//   npx tsc -p . && node dist/bench/hls-csim.js [--vectors N]

import path from 'node:path';
import { loadSplit } from '../src/cli/data-options.js';
import { lowerToHls } from '../src/emit/hls/hls-design.js';
import { loadModel } from '../src/import/load-model.js';
import type { Graph } from '../src/ir/graph.js';
import type { Tensor } from '../src/ir/tensor.js';
import { jetInputs, pruneWeights, quantizedJetMlp } from '../src/models/jet-mlp.js';
import { calibrationInputs } from '../src/quant/calibration-data.js';
import { quantizeModel } from '../src/quant/quantize.js';
import { makeTempDir, removeTempDir } from '../src/util/temp-dir.js';
import { simulateHlsDesign } from '../src/verify/verify-hls.js';
import { table } from './kernels/bench-lib.js';

interface Case {
  label: string;
  graph: Graph;
  feeds: Record<string, Tensor>[];
  reuseFactors?: Record<string, number>;
}

function argValue(flag: string, fallback: number): number {
  const i = process.argv.indexOf(flag);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

/** A float model quantized on the digits' training split, fed with the test split's digits. */
async function digits(file: string, sparsity: number, vectors: number): Promise<{ graph: Graph; feeds: Record<string, Tensor>[] }> {
  let float = await loadModel(path.resolve(file));
  if (sparsity) float = pruneWeights(float, sparsity);
  const split = loadSplit(path.resolve('examples/digits/digits.csv.gz'), { seed: 0, validation: 0.15, test: 0.2 });
  const graph = quantizeModel(float, calibrationInputs(float, split.train, 200)).graph;
  const feeds = calibrationInputs(float, split.test, vectors).map((f) => ({ [graph.inputs[0].name]: f[float.inputs[0].name] }));
  return { graph, feeds };
}

/** Every dense layer folded at N_OUT·2 (two chunks of N_IN/2 products per output). */
function foldDense(g: Graph): Record<string, number> {
  return Object.fromEntries(g.nodes.filter((n) => n.opType === 'Int8Gemm').map((n) => [n.name, 2 * g.initializers.get(n.inputs[3])!.shape[0]]));
}

async function main(): Promise<void> {
  const vectors = argValue('--vectors', 1000);
  const jet = quantizedJetMlp();
  const jetPruned = quantizedJetMlp({ sparsity: 0.8 });
  const mlp = await digits('examples/models/digits-mlp.onnx', 0, vectors);
  const mlpPruned = await digits('examples/models/digits-mlp.onnx', 0.8, vectors);
  const cnn = await digits('examples/models/digits-cnn.onnx', 0, vectors);
  const cases: Case[] = [
    { label: 'jet MLP, RF 1', graph: jet, feeds: jetInputs(jet, vectors, 11) },
    { label: 'jet MLP, folded (N_OUT·2)', graph: jet, feeds: jetInputs(jet, vectors, 12), reuseFactors: foldDense(jet) },
    { label: 'jet MLP 80% pruned, RF 1', graph: jetPruned, feeds: jetInputs(jetPruned, vectors, 13) },
    { label: 'digits MLP, RF 1', ...mlp },
    { label: 'digits MLP, folded (N_OUT·2)', ...mlp, reuseFactors: foldDense(mlp.graph) },
    { label: 'digits MLP 80% pruned, RF 1', ...mlpPruned },
    { label: 'digits CNN, RF 1', ...cnn },
    { label: 'digits CNN, folded (conv 24/144, dense N_OUT·2)', ...cnn, reuseFactors: { conv1: 24, conv2: 144, ...foldDense(cnn.graph) } },
  ];
  // An empty cache: every design is compiled, so the build time is g++'s.
  const cache = makeTempDir('hls-csim-bench');
  const previous = process.env.XDG_CACHE_HOME;
  process.env.XDG_CACHE_HOME = cache;
  const rows: (string | number)[][] = [];
  let failed = false;
  try {
    for (const c of cases) {
      const design = lowerToHls(c.graph, { reuseFactors: c.reuseFactors });
      const r = await simulateHlsDesign(design, c.graph, c.feeds);
      const exact = r.vectors - r.mismatchCount;
      if (!r.passed) failed = true;
      rows.push([
        c.label, design.layers.length, `${exact}/${r.vectors}`, `${((100 * exact) / r.vectors).toFixed(1)}%`,
        r.firstDivergingLayer ? r.firstDivergingLayer.node : '-', (r.durationsMs.build / 1000).toFixed(2), (r.durationsMs.run / 1000).toFixed(2),
      ]);
    }
  } finally {
    if (previous === undefined) delete process.env.XDG_CACHE_HOME;
    else process.env.XDG_CACHE_HOME = previous;
    removeTempDir(cache);
  }
  console.log(`HLS C++ in g++ C simulation (C++17 -O1 -Wall -Wextra -Werror) against the interpreter, every layer compared; Vitis HLS not run`);
  console.log(table(['model', 'layers', 'bit-exact vectors', '', 'first diverging layer', 'g++ build s', 'C-sim s'], rows));
  if (failed) process.exitCode = 4;
}

await main();
