// Memory of the int8 C library against the float32 one: weight bytes (flash) and the static arena against its lower
// bound (the largest sum of buffers live at one step), for the MNIST-like CNN and the digits models, quantized here by
// quantizeModel (post-training) twice: dense layers' weights per channel (the default) and per tensor (one scale,
// multiplier and shift per dense layer: --dense-weights per-tensor). Goals (issue 9): int8 weight flash ≤ 0.27x the
// float model's (met when either scheme meets it; the line says which); arena at its lower bound. No emulator: the
// figures are the compiler's (src/emit/c/arena.ts).
//
//   make build && node dist/bench/int8-memory.js

import path from 'node:path';
import { loadDataset } from '../src/data/load-dataset.js';
import { compileToC } from '../src/emit/c/compile-c.js';
import type { Graph } from '../src/ir/graph.js';
import { Tensor } from '../src/ir/tensor.js';
import { loadModel } from '../src/import/load-model.js';
import { mnistLikeCnn } from '../src/models/sample-models.js';
import { calibrationInputs } from '../src/quant/calibration-data.js';
import type { WeightGranularity } from '../src/quant/qparams.js';
import { quantizeModel } from '../src/quant/quantize.js';
import { repoPath } from '../src/util/package-root.js';
import { Random } from '../src/util/random.js';

const WEIGHT_GOAL = 0.27;
const DIGITS = repoPath('examples/digits/digits.csv.gz');

interface Case {
  name: string;
  float: Graph;
  calibration: string;
  feeds: Record<string, Tensor>[];
}

/** Seeded inputs in [0, 1] shaped like the model's input: the repository holds no 28x28 images. */
function randomFeeds(g: Graph, count: number): Record<string, Tensor>[] {
  const rng = new Random(9);
  const input = g.inputs[0];
  const shape = input.shape as number[];
  const size = shape.reduce((p, d) => p * d, 1);
  return Array.from({ length: count }, () => ({ [input.name]: Tensor.fromNumbers('float32', shape, Array.from({ length: size }, () => rng.next())) }));
}

async function cases(): Promise<Case[]> {
  const mnist = mnistLikeCnn();
  const list: Case[] = [{ name: 'mnist-like CNN', float: mnist, calibration: '64 seeded random inputs in [0, 1]', feeds: randomFeeds(mnist, 64) }];
  const digits = loadDataset(DIGITS);
  for (const file of ['digits-cnn.onnx', 'digits-mlp.onnx']) {
    const g = await loadModel(repoPath(path.join('examples/models', file)));
    const feeds = calibrationInputs(g, digits);
    list.push({ name: file, float: g, calibration: `${feeds.length} rows of digits.csv.gz`, feeds });
  }
  return list;
}

const pad = (s: string, n: number) => s.padEnd(n);
const num = (n: number) => n.toLocaleString('en-US').padStart(9);

const SCHEMES: readonly WeightGranularity[] = ['per-channel', 'per-tensor'];

async function main(): Promise<void> {
  console.log(`${pad('model', 16)} ${pad('precision', 21)} ${'weights B'.padStart(9)} ${'arena B'.padStart(9)} ${'lower B'.padStart(9)}  arena = bound   weights int8/float`);
  let arenasAtBound = true;
  const overWeightGoal: string[] = [];
  const metBy: string[] = [];
  for (const c of await cases()) {
    const float = compileToC(c.float);
    const libs: [string, ReturnType<typeof compileToC>, number | undefined][] = [['float32', float, undefined]];
    for (const denseWeights of SCHEMES) {
      const lib = compileToC(quantizeModel(c.float, c.feeds, { denseWeights }).graph);
      libs.push([`int8 dense ${denseWeights}`, lib, lib.view.weightBytes / float.view.weightBytes]);
    }
    for (const [label, lib, ratio] of libs) {
      const atBound = lib.plan.arenaBytes === lib.plan.lowerBoundBytes;
      arenasAtBound &&= atBound;
      const last = ratio === undefined ? '' : `   ${ratio.toFixed(3)}x (${ratio <= WEIGHT_GOAL ? 'within' : 'over'} the goal of ${WEIGHT_GOAL}x)`;
      console.log(`${pad(label === 'float32' ? c.name : '', 16)} ${pad(label, 21)} ${num(lib.view.weightBytes)} ${num(lib.plan.arenaBytes)} ${num(lib.plan.lowerBoundBytes)}  ${atBound ? 'yes' : 'NO '}${last}`);
    }
    const meeting = libs.filter(([, , r]) => r !== undefined && r <= WEIGHT_GOAL).map(([label]) => label.replace('int8 dense ', ''));
    if (meeting.length === 0) overWeightGoal.push(c.name);
    else metBy.push(`${c.name}: ${meeting.join(' and ')}`);
    console.log(`${pad('', 16)} calibration: ${c.calibration}`);
  }
  console.log(arenasAtBound ? 'every arena (float32 and int8) at its lower bound' : 'ARENA ABOVE ITS LOWER BOUND (see above)');
  console.log(`int8 weights within ${WEIGHT_GOAL}x the float model's with dense weights ${metBy.join('; ') || '(none)'}`);
  if (overWeightGoal.length) console.log(`int8 weights over ${WEIGHT_GOAL}x the float model's with either scheme: ${overWeightGoal.join(', ')}`);
  else console.log(`goal met for every model (int8 weight flash ≤ ${WEIGHT_GOAL}x)`);
}

await main();
