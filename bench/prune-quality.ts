// Issue-4 quality figures on the bundled digits, for a CNN and an MLP, averaged over seeds:
// weight sparsity 80% / 90% with their accuracy drop, structural MAC reduction, progressive vs one-shot,
// and the wall time of a progressive run to 80%.
//
//   make build && node dist/bench/prune-quality.js [--seeds 3] [--json]

import { readCsvDataset } from '../src/data/csv.js';
import { fitToModel } from '../src/data/fit-model.js';
import { splitDataset } from '../src/data/split.js';
import type { Graph } from '../src/ir/graph.js';
import { buildArchitecture, inputStatistics, type Architecture } from '../src/models/architectures.js';
import { pruneProgressively, type ProgressiveOptions, type ProgressiveResult } from '../src/prune/progressive.js';
import { createGraphTrainer } from '../src/train/index.js';
import { repoPath } from '../src/util/package-root.js';

const DENSE_EPOCHS = 40;

interface Scenario {
  name: string;
  options: Partial<ProgressiveOptions>;
  /** Goal on the test-accuracy drop in points, and what must be reached. */
  maxDropGoal?: number;
  reach?: (r: ProgressiveResult) => boolean;
}

const BASE: ProgressiveOptions = {
  sparsity: 0, structured: 0, criterion: 'l1', schedule: 'polynomial', steps: 8, maxDrop: 1, epochs: 4, finalEpochs: 5,
  scope: 'global', alpha: 1, order: 'structured-first', retries: 2, recoveryRounds: 2, seed: 0,
};

const SCENARIOS: Scenario[] = [
  { name: 'weight 80% progressive', options: { sparsity: 0.8, maxDrop: 1 }, maxDropGoal: 1, reach: (r) => r.final.sparsity >= 0.795 },
  // Same fine-tuning budget as the progressive run (8 steps x 4 epochs + 5), in one cut.
  { name: 'weight 80% one-shot', options: { sparsity: 0.8, schedule: 'oneshot', maxDrop: 100, epochs: 32 } },
  { name: 'weight 90% progressive', options: { sparsity: 0.9, maxDrop: 2 }, maxDropGoal: 2, reach: (r) => r.final.sparsity >= 0.895 },
  { name: 'weight 90% one-shot', options: { sparsity: 0.9, schedule: 'oneshot', maxDrop: 100, epochs: 32 } },
  { name: 'structured 50% MACs', options: { structured: 0.5, maxDrop: 1.5, epochs: 6, steps: 5 }, maxDropGoal: 1.5, reach: (r) => 1 - r.final.macs / r.dense.macs >= 0.5 },
];

interface Row {
  arch: Architecture;
  scenario: string;
  seed: number;
  denseTest: number;
  finalTest: number;
  dropPoints: number;
  sparsity: number;
  macReduction: number;
  steps: number;
  seconds: number;
  reached: boolean;
}

async function run(arch: Architecture, seed: number): Promise<Row[]> {
  const all = readCsvDataset(repoPath('examples/digits/digits.csv.gz'));
  const split = splitDataset(all, { validation: 0.2, test: 0.2 }, seed);
  const normalize = inputStatistics(arch, split.train.features, split.train.count, split.train.featureShape);
  const dense0 = buildArchitecture(arch, { sampleShape: split.train.featureShape, classes: 10, normalize, seed });
  const data = { train: fitToModel(split.train, dense0), validation: fitToModel(split.validation, dense0), test: fitToModel(split.test, dense0) };
  const trainer = createGraphTrainer(data.train, { seed, learningRate: 3e-3 });
  const dense: Graph = await trainer.fineTune(dense0, undefined, DENSE_EPOCHS);
  trainer.dispose();
  const rows: Row[] = [];
  for (const s of SCENARIOS) {
    const t = createGraphTrainer(data.train, { seed });
    const started = performance.now();
    const r = await pruneProgressively(dense, t, data, { ...BASE, ...s.options, seed });
    t.dispose();
    rows.push({
      arch, scenario: s.name, seed,
      denseTest: r.dense.test, finalTest: r.final.test, dropPoints: (r.dense.test - r.final.test) * 100,
      sparsity: r.final.sparsity, macReduction: 1 - r.final.macs / r.dense.macs,
      steps: r.steps.filter((x) => x.kind !== 'dense' && x.kind !== 'final').length,
      seconds: (performance.now() - started) / 1000,
      reached: s.reach ? s.reach(r) : true,
    });
  }
  return rows;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const seeds = args.includes('--seeds') ? Number(args[args.indexOf('--seeds') + 1]) : 3;
  const archs = (args.includes('--arch') ? [args[args.indexOf('--arch') + 1]] : ['cnn', 'mlp']) as Architecture[];
  const rows: Row[] = [];
  for (const arch of archs) for (let seed = 0; seed < seeds; seed++) rows.push(...(await run(arch, seed)));
  if (args.includes('--json')) {
    console.log(JSON.stringify(rows, null, 2));
    return;
  }
  console.log(`digits (1797 samples, 60/20/20 split), ${seeds} seeds, dense models trained ${DENSE_EPOCHS} epochs; test accuracy drop in points (negative = better than dense)`);
  for (const arch of archs) {
    console.log(`\n${arch.toUpperCase()}`);
    for (const s of SCENARIOS) {
      const rs = rows.filter((r) => r.arch === arch && r.scenario === s.name);
      const drop = mean(rs.map((r) => r.dropPoints));
      const worst = Math.max(...rs.map((r) => r.dropPoints));
      const goal = s.maxDropGoal === undefined ? '' : ` · goal <= ${s.maxDropGoal} points and target reached: ${drop <= s.maxDropGoal && rs.every((r) => r.reached) ? 'met' : 'NOT met'}`;
      console.log(`  ${s.name.padEnd(24)} dense ${(mean(rs.map((r) => r.denseTest)) * 100).toFixed(2)}% → ${(mean(rs.map((r) => r.finalTest)) * 100).toFixed(2)}% · drop ${drop.toFixed(2)} (worst seed ${worst.toFixed(2)}) · sparsity ${(mean(rs.map((r) => r.sparsity)) * 100).toFixed(1)}% (lowest ${(Math.min(...rs.map((r) => r.sparsity)) * 100).toFixed(1)}%) · MACs −${(mean(rs.map((r) => r.macReduction)) * 100).toFixed(1)}% · ${mean(rs.map((r) => r.steps)).toFixed(1)} steps · ${mean(rs.map((r) => r.seconds)).toFixed(1)} s${goal}`);
    }
  }
  const cnn80 = rows.filter((r) => r.arch === 'cnn' && r.scenario === 'weight 80% progressive');
  if (cnn80.length === 0) return;
  const slowest = Math.max(...cnn80.map((r) => r.seconds));
  console.log(`\nprogressive CNN run to 80% (>= 5 steps): slowest ${slowest.toFixed(1)} s, ${Math.min(...cnn80.map((r) => r.steps))} steps at least (goal <= 60 s: ${slowest <= 60 ? 'met' : 'NOT met'})`);
}

await main();
