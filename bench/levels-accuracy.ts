// Issue 15 §2's accuracy goal: nested levels of the digits CNN at 1.0 / 0.6 / 0.35 of the dense model's predicted
// instructions on stm32f405, fine-tuned jointly with weights shared (searchLevels), against each level pruned alone
// (the same uniform widths) and fine-tuned separately with the same epochs; per level and seed: kept channels,
// predicted instructions, test accuracy and the drop from the dense model (goal: every level within 1.5 points).
//
//   npx tsc -p . && node dist/bench/levels-accuracy.js [--seeds 0,1] [--epochs 10] [--fractions 1,0.6,0.35]
//       [--order largest-first|smallest-first] [--parts 1] [--no-separate] [--json]
//
// The split is the one the bundled model was trained on (--seed 0 of edgeprune train); the seeds vary the fine-tunes'
// shuffling. Fine-tunes distil the dense model, with the build's defaults (batch 32, Adam lr 1e-3). --parts N: the levels
// take turns on N parts of the training set each epoch (searchLevels' interleave; 1: once per epoch on the whole set).

import { bindCostModel } from '../src/build/cost-binding.js';
import { sampleVectors } from '../src/build/build.js';
import { fineTuneSeed } from '../src/build/fine-tuner.js';
import { loadFittedSplit } from '../src/cli/data-options.js';
import { createFineTuner } from '../src/cli/training-options.js';
import type { Dataset } from '../src/data/dataset.js';
import { loadModel } from '../src/import/load-model.js';
import { levelGraph } from '../src/levels/nested-levels.js';
import { searchLevels, type SearchLevelsOptions } from '../src/levels/search-levels.js';
import { masksFromZeros } from '../src/prune/weight-masks.js';
import { findMcuTarget } from '../src/targets/load-targets.js';
import { repoPath } from '../src/util/package-root.js';
import { isMain, table } from './kernels/bench-lib.js';

const MODEL = repoPath('examples', 'models', 'digits-cnn.onnx');
const DATA = repoPath('examples', 'digits', 'digits.csv.gz');
const SPLIT_SEED = 0;
const GOAL_POINTS = 1.5;

interface Args {
  seeds: number[];
  epochs: number;
  fractions: number[];
  order: SearchLevelsOptions['order'];
  parts: number;
  separate: boolean;
  json: boolean;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { seeds: [0, 1], epochs: 10, fractions: [1, 0.6, 0.35], order: 'largest-first', parts: 1, separate: true, json: false };
  for (let i = 0; i < argv.length; i++) {
    const v = argv[i + 1];
    if (argv[i] === '--seeds') (a.seeds = v.split(',').map(Number)), i++;
    else if (argv[i] === '--epochs') (a.epochs = Number(v)), i++;
    else if (argv[i] === '--fractions') (a.fractions = v.split(',').map(Number)), i++;
    else if (argv[i] === '--order') (a.order = v as Args['order']), i++;
    else if (argv[i] === '--parts') (a.parts = Number(v)), i++;
    else if (argv[i] === '--no-separate') a.separate = false;
    else if (argv[i] === '--json') a.json = true;
    else throw new Error(`unknown argument ${argv[i]}`);
  }
  return a;
}

interface Row {
  seed: number;
  level: number;
  fraction: number;
  keep: string;
  instructions: number;
  instructionsWorstCase: number;
  denseTest: number;
  jointValidation: number;
  jointTest: number;
  jointDrop: number;
  jointSe: number | null;
  separateTest: number | null;
  separateDrop: number | null;
  cpuSeconds: number;
}

const cpu = () => (process.cpuUsage().user + process.cpuUsage().system) / 1e6;

async function runSeed(seed: number, a: Args): Promise<Row[]> {
  const model = await loadModel(MODEL);
  const target = findMcuTarget('stm32f405', 'build');
  const o = { seed: SPLIT_SEED, validation: 0.15, batchSize: 32, lr: 1e-3, distill: true };
  const data = loadFittedSplit(DATA, o, model);
  const cost = await bindCostModel(target, { graph: model, vectors: sampleVectors(model, data.validation, 16) });
  const trainer = await createFineTuner({ ...o, seed }, data.train, model);
  const started = cpu();
  const interleave = a.parts > 1 ? { parts: a.parts, trainerOn: (part: Dataset) => createFineTuner({ ...o, seed }, part, model) } : undefined;
  const r = await searchLevels(model, data, { fractions: a.fractions, cost: cost.costs, trainer, epochs: a.epochs, seed, order: a.order, interleave });
  const jointSeconds = cpu() - started;
  const rows: Row[] = [];
  for (const level of r.perLevel) {
    let separateTest: number | null = null;
    if (a.separate) {
      // The same widths pruned from the ordered, untuned model and fine-tuned alone for the same epochs.
      const alone = levelGraph(r.ordered, level.level);
      const tuned = a.epochs > 0 ? await trainer.fineTune(alone, masksFromZeros(alone), a.epochs, undefined, fineTuneSeed(seed, ['separate', level.level])) : alone;
      separateTest = await trainer.score(tuned, data.test);
    }
    rows.push({
      seed, level: level.level, fraction: level.fraction, keep: Object.values(level.keep).join('/'), instructions: level.instructions, instructionsWorstCase: level.instructionsWorstCase, jointValidation: level.validation,
      denseTest: r.dense.test, jointTest: level.test, jointDrop: level.testDrop, jointSe: level.uncertainty.test.standardError,
      separateTest, separateDrop: separateTest === null ? null : (r.dense.test - separateTest) * 100, cpuSeconds: jointSeconds,
    });
  }
  trainer.dispose();
  return rows;
}

async function main(): Promise<void> {
  const a = parseArgs(process.argv.slice(2));
  const rows: Row[] = [];
  for (const seed of a.seeds) rows.push(...(await runSeed(seed, a)));
  if (a.json) {
    console.log(JSON.stringify(rows, null, 2));
    return;
  }
  const pct = (x: number | null) => (x === null ? '-' : (x * 100).toFixed(2));
  const pts = (x: number | null) => (x === null ? '-' : x.toFixed(2));
  console.log(`digits CNN on stm32f405, levels ${a.fractions.join(' / ')}, ${a.epochs} epoch(s) per level, order ${a.order}, ${a.parts} part(s) of the training set per epoch`);
  console.log(table(
    ['seed', 'level', 'fraction', 'kept (conv1/conv2/fc1)', 'predicted instr.', 'worst case', 'dense test %', 'joint val. %', 'joint test %', 'joint drop pts', '± se', 'separate test %', 'separate drop pts'],
    rows.map((r) => [String(r.seed), String(r.level), String(r.fraction), r.keep, Math.round(r.instructions), Math.round(r.instructionsWorstCase), pct(r.denseTest), pct(r.jointValidation), pct(r.jointTest), pts(r.jointDrop), pts(r.jointSe), pct(r.separateTest), pts(r.separateDrop)]),
    4,
  ));
  const worst = Math.max(...rows.map((r) => r.jointDrop));
  console.log(`worst joint drop ${worst.toFixed(2)} points (goal ≤ ${GOAL_POINTS}): ${worst <= GOAL_POINTS ? 'met' : 'NOT met'}`);
  console.log(`joint search CPU time per seed: ${[...new Set(rows.map((r) => `${r.seed}: ${r.cpuSeconds.toFixed(1)} s`))].join(', ')}`);
}

if (isMain(import.meta.url)) {
  main().catch((e) => {
    console.error(e);
    process.exitCode = 1;
  });
}
