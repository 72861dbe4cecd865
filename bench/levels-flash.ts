// Issue 15 §2: the flash of one levels library (three nested levels of the digits CNN at about 1.0 / 0.6 / 0.35 of the
// dense model's predicted instructions on the target, hand-nested: each group keeps its leading channels) against the
// largest level's library alone and against three separate libraries (goal: ≤ 1.3x the largest; separate ≈ 1.95x).
// Flash: the libraries' linked bytes (text + data after gc-sections, from the linker map) in the test firmware.
//
//   npx tsc -p . && node dist/bench/levels-flash.js [--target stm32f405] [--json]

import fs from 'node:fs';
import path from 'node:path';
import { buildFirmware, levelAdapterLibraries, type FirmwareBuild, type ModelLibrary, type SizeTriple } from '../hw-sim/index.js';
import { predictCost } from '../src/cost/predict.js';
import { compileToC } from '../src/emit/c/compile-c.js';
import { loadModel } from '../src/import/load-model.js';
import type { Graph } from '../src/ir/graph.js';
import { compileLevelsToC } from '../src/levels/compile-levels.js';
import { levelGraph, type NestedLevels } from '../src/levels/nested-levels.js';
import { prefixLevels } from '../src/levels/prefix-levels.js';
import { analyzePruneGroups } from '../src/prune/structure/index.js';
import { findMcuTarget } from '../src/targets/load-targets.js';
import { kernelDefines } from '../src/targets/flags.js';
import type { McuTarget } from '../src/targets/schema.js';
import { makeTempDir, removeTempDir } from '../src/util/temp-dir.js';
import { repoPath } from '../src/util/package-root.js';
import { isMain, table } from './kernels/bench-lib.js';

/** The levels' predicted instructions as fractions of the dense model's. */
const GOALS = [1, 0.6, 0.35];

export interface LevelsFlashResult {
  target: string;
  levels: { share: number; keep: Record<string, number>; instructions: number; fraction: number }[];
  /** Linked flash (text + data) of the one levels library, of level 0's library alone, of the three separate ones. */
  levelsBytes: number;
  largestBytes: number;
  separateBytes: number;
  /** Weight arrays the levels library had to copy (0: every level reads the full arrays). */
  copiedBytes: number;
}

const flash = (s: SizeTriple | undefined) => (s ? s.text + s.data : 0);

/** The share of channels whose level's predicted instructions are closest to `goal` × the dense model's (shares in 1% steps). */
function shareFor(g: Graph, target: McuTarget, goal: number, dense: number): number {
  if (goal >= 1) return 1;
  const analysis = analyzePruneGroups(g);
  let best = { share: 1, error: Infinity };
  for (let p = 1; p <= 100; p++) {
    const levels = prefixLevels(g, [1, p / 100], analysis);
    const error = Math.abs(predictCost(levelGraph(levels, 1, analysis), target).instructions / dense - goal);
    if (error < best.error) best = { share: p / 100, error };
  }
  return best.share;
}

function writeFiles(files: Map<string, string>, dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, text] of files) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

function aloneLibrary(levels: NestedLevels, k: number, dir: string): ModelLibrary {
  const lib = compileToC(levelGraph(levels, k), { prefix: `alone${k}`, sparse: 'never' });
  return { name: `alone${k}`, prefix: `alone${k}`, dir: writeFiles(lib.files, dir) };
}

export async function runLevelsFlash(targetName: string, log: (l: string) => void = () => {}): Promise<LevelsFlashResult> {
  const target = findMcuTarget(targetName);
  const g = await loadModel(repoPath('examples', 'models', 'digits-cnn.onnx'));
  const dense = predictCost(g, target).instructions;
  const shares = GOALS.map((goal) => shareFor(g, target, goal, dense));
  const levels = prefixLevels(g, shares);
  const work = makeTempDir('levels-flash');
  try {
    const lib = compileLevelsToC(levels, { prefix: 'lv' });
    const libDir = writeFiles(lib.files, path.join(work, 'levels'));
    const adapters = levelAdapterLibraries({ dir: libDir, prefix: lib.prefix, inputs: lib.inputs, outputs: lib.outputs }, 'digits', GOALS.map((_, k) => k), path.join(work, 'adapters'));
    const build = (name: string, models: ModelLibrary[], sources: string[] = []): Promise<FirmwareBuild> => {
      log(`building ${name} for ${target.name}`);
      return buildFirmware({ workDir: path.join(work, `fw-${name}`), models, sources, target, defines: kernelDefines(target), jobs: 1 });
    };
    const alone = levels.keep.map((_, k) => aloneLibrary(levels, k, path.join(work, `alone${k}`)));
    const levelsFw = await build('levels', adapters.models, adapters.librarySources);
    const largestFw = await build('largest', [alone[0]]);
    const separateFw = await build('separate', alone);
    return {
      target: target.name,
      levels: levels.keep.map((keep, k) => {
        const instructions = predictCost(levelGraph(levels, k), target).instructions;
        return { share: shares[k], keep: { ...keep }, instructions, fraction: instructions / dense };
      }),
      levelsBytes: flash(levelsFw.linkedSizes.extra),
      largestBytes: flash(largestFw.linkedSizes.alone0),
      separateBytes: alone.reduce((s, m) => s + flash(separateFw.linkedSizes[m.name]), 0),
      copiedBytes: lib.copiedBytes,
    };
  } finally {
    removeTempDir(work);
  }
}

export function formatLevelsFlash(r: LevelsFlashResult): string {
  const levels = table(
    ['level', 'share of channels', 'kept per group', 'predicted instructions', 'of dense'],
    r.levels.map((l, k) => [String(k), l.share.toFixed(2), Object.entries(l.keep).map(([g, n]) => `${g}:${n}`).join(' ') || 'all', l.instructions.toLocaleString('en-US'), `${(l.fraction * 100).toFixed(1)}%`]),
  );
  const ratio = (b: number) => `${(b / r.largestBytes).toFixed(3)}x`;
  const sizes = table(
    ['library', 'flash bytes', 'vs largest level alone'],
    [
      ['largest level alone', String(r.largestBytes), ratio(r.largestBytes)],
      ['one levels library (3 levels)', String(r.levelsBytes), ratio(r.levelsBytes)],
      ['three separate libraries', String(r.separateBytes), ratio(r.separateBytes)],
    ],
  );
  return `digits CNN on ${r.target}\n${levels}\n${sizes}\nweights copied by the levels library: ${r.copiedBytes} bytes (goal: levels library <= 1.3x the largest)`;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const target = args.includes('--target') ? args[args.indexOf('--target') + 1] : 'stm32f405';
  const r = await runLevelsFlash(target, (l) => console.error(l));
  console.log(args.includes('--json') ? JSON.stringify(r, null, 2) : formatLevelsFlash(r));
}

if (isMain(import.meta.url)) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
