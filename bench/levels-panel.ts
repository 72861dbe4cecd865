// Issue 15 §2's goal on a panel: `edgeprune build --levels 1,0.6,0.35` of the digits CNN per target, precision and
// seed (the build's defaults otherwise: 10 joint epochs, --max-drop 1.5, --level-kernels shared for int8); prints a row
// per build (each level's measured instructions and test drop from the dense float model, as deployed: the int8
// levels' int8 accuracy; the flash of the one library against the largest level alone) and a summary per target and
// precision (goal: every level within 1.5 points, flash ≤ 1.3x the largest level).
//
//   npx tsc -p . && node dist/bench/levels-panel.js [--targets stm32f405,lm3s6965] [--precisions float32,int8]
//       [--seeds 0,1,2] [--verify-vectors 20] [--json] [-- <more build flags>]

import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { makeTempDir, removeTempDir } from '../src/util/temp-dir.js';
import { repoPath } from '../src/util/package-root.js';
import { isMain, missingTools, table } from './kernels/bench-lib.js';

const BIN = repoPath('bin', 'edgeprune.js');
const MODEL = repoPath('examples', 'models', 'digits-cnn.onnx');
const DATA = repoPath('examples', 'digits', 'digits.csv.gz');
const FRACTIONS = '1,0.6,0.35';
const GOAL_DROP = 1.5;
const GOAL_FLASH = 1.3;

export interface LevelsPanelRow {
  target: string;
  precision: string;
  seed: number;
  exitCode: number;
  /** Per level: instructions measured in QEMU, test drop (points) from the dense float model as deployed. */
  instructions: number[];
  drops: number[];
  flashRatio: number;
  levelsBytes: number;
  largestBytes: number;
  wallSeconds: number;
}

interface LevelsReport {
  precision: string;
  flash: { levelsBytes: number; aloneBytes: number[]; ratioToLargest: number };
  levels: { testDrop: number; int8: { testDrop: number } | null; measured: { instructions: number } }[];
}

function parseArgs(argv: string[]) {
  const split = argv.indexOf('--');
  const own = split < 0 ? argv : argv.slice(0, split);
  const more = split < 0 ? [] : argv.slice(split + 1);
  const value = (flag: string, fallback: string) => {
    const i = own.indexOf(flag);
    return i < 0 ? fallback : own[i + 1];
  };
  const list = (flag: string, fallback: string) => value(flag, fallback).split(',').map((s) => s.trim()).filter(Boolean);
  return {
    targets: list('--targets', 'stm32f405,lm3s6965'),
    precisions: list('--precisions', 'float32,int8'),
    seeds: list('--seeds', '0,1,2').map(Number),
    verifyVectors: value('--verify-vectors', '20'),
    json: own.includes('--json'),
    more,
  };
}

/** One levels build through the command line; its report.json read back. */
async function runBuild(target: string, precision: string, seed: number, verifyVectors: string, more: string[]): Promise<LevelsPanelRow> {
  const work = makeTempDir('levels-panel');
  try {
    const out = path.join(work, 'out');
    const started = performance.now();
    const r = await execa('node', [BIN, 'build', MODEL, '--data', DATA, '--target', target, '--precision', precision, '--levels', FRACTIONS,
      '--seed', String(seed), '--verify-vectors', verifyVectors, '--out', out, ...more], { reject: false, timeout: 1_800_000 });
    const wallSeconds = (performance.now() - started) / 1000;
    if (r.exitCode !== 0 && r.exitCode !== 3) throw new Error(`build of ${target} ${precision} seed ${seed} exited ${r.exitCode}:\n${r.stderr}`);
    const report = JSON.parse(fs.readFileSync(path.join(out, 'report.json'), 'utf8')) as LevelsReport;
    return {
      target, precision, seed, exitCode: r.exitCode ?? -1, wallSeconds,
      instructions: report.levels.map((l) => l.measured.instructions),
      drops: report.levels.map((l) => (l.int8 ? l.int8.testDrop : l.testDrop)),
      flashRatio: report.flash.ratioToLargest,
      levelsBytes: report.flash.levelsBytes,
      largestBytes: report.flash.aloneBytes[0],
    };
  } finally {
    removeTempDir(work);
  }
}

export function summarize(rows: LevelsPanelRow[]): string[] {
  const groups = new Map<string, LevelsPanelRow[]>();
  for (const r of rows) groups.set(`${r.target} ${r.precision}`, [...(groups.get(`${r.target} ${r.precision}`) ?? []), r]);
  return [...groups].map(([name, g]) => {
    const drops = g.flatMap((r) => r.drops);
    const ratios = g.map((r) => r.flashRatio);
    const dropsMet = g.filter((r) => r.drops.every((d) => d <= GOAL_DROP)).length;
    const flashMet = g.filter((r) => r.flashRatio <= GOAL_FLASH).length;
    return `${name}: ${g.length} seeds; every level within ${GOAL_DROP} points on ${dropsMet}/${g.length} (largest drop ${Math.max(...drops).toFixed(2)}); ` +
      `flash ${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)}x the largest level (≤ ${GOAL_FLASH}x on ${flashMet}/${g.length})`;
  });
}

async function main(): Promise<void> {
  const a = parseArgs(process.argv.slice(2));
  const missing = await missingTools();
  if (missing.length) throw new Error(`missing tools: ${missing.join(', ')} (make setup installs them)`);
  const rows: LevelsPanelRow[] = [];
  for (const target of a.targets) for (const precision of a.precisions) for (const seed of a.seeds) {
    process.stderr.write(`levels build: ${target} ${precision} seed ${seed}\n`);
    rows.push(await runBuild(target, precision, seed, a.verifyVectors, a.more));
  }
  if (a.json) {
    console.log(JSON.stringify({ rows, summary: summarize(rows) }, null, 2));
    return;
  }
  console.log(table(['target', 'precision', 'seed', 'exit', 'instructions (levels 0/1/2)', 'test drop (points)', 'flash', 'x largest', 'wall s'],
    rows.map((r) => [r.target, r.precision, String(r.seed), String(r.exitCode), r.instructions.map((n) => n.toLocaleString('en-US')).join(' / '),
      r.drops.map((d) => d.toFixed(2)).join(' / '), `${r.levelsBytes.toLocaleString('en-US')} B`, `${r.flashRatio.toFixed(2)}x`, r.wallSeconds.toFixed(0)])));
  for (const line of summarize(rows)) console.log(line);
}

if (isMain(import.meta.url)) {
  main().catch((e: Error) => {
    console.error(e.message);
    process.exit(1);
  });
}
