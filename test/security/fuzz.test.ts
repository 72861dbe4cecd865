// Seeded fuzzing in-process: mutated models either load, inspect and compile to C, or are refused with a UserError.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { byteMutant, prepareFuzzFolder, seedModels, structureMutant, type Mutant } from '../../bench/fuzz-mutations.js';
import { modelStats } from '../../src/analysis/model-stats.js';
import { compileToC } from '../../src/emit/c/compile-c.js';
import { UserError } from '../../src/errors.js';
import { withLimits, type Limits } from '../../src/ir/limits.js';
import { loadOnnxBytes } from '../../src/onnx/load-onnx.js';
import { findMcuTarget } from '../../src/targets/load-targets.js';
import { Random } from '../../src/util/random.js';

const SEED = 20_240_808;
const BYTE_CASES = 200;
const STRUCTURE_CASES = 200;
/** Small limits keep every case fast: what passes them is refused like a bigger model would be. */
const SMALL_LIMITS: Partial<Limits> = {
  maxTensorElements: 1 << 16,
  maxTensorBytes: 1 << 20,
  maxConstantBytes: 1 << 22,
  maxFoldWork: 1 << 20,
  maxLiveBytes: 1 << 22,
  maxFileBytes: 1 << 22,
};

let root: string;
let folder: string;
beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeprune-fuzz-'));
  folder = path.join(root, 'models');
  const { fifo } = prepareFuzzFolder(folder);
  await execa('mkfifo', [fifo], { timeout: 10_000 });
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

type Outcome = 'compiled' | 'refused' | 'failed';

/** load → inspect statistics → C library for the default target; only success or a UserError are allowed. */
function runCase(m: Mutant, target: ReturnType<typeof findMcuTarget>): { outcome: Outcome; error?: string; stage?: string } {
  let stage = 'load';
  try {
    withLimits(SMALL_LIMITS, () => {
      const g = loadOnnxBytes(m.bytes, path.join(folder, 'mutant.onnx'));
      stage = 'inspect';
      modelStats(g);
      stage = 'compile';
      compileToC(g, { target });
    });
    return { outcome: 'compiled' };
  } catch (e) {
    if (e instanceof UserError) return { outcome: 'refused', stage };
    const err = e instanceof Error ? e : new Error(String(e));
    return { outcome: 'failed', stage, error: `${err.constructor.name}: ${err.message.split('\n')[0]} @ ${err.stack?.split('\n')[1]?.trim()}` };
  }
}

describe('fuzz', () => {
  it(`${BYTE_CASES} byte-level and ${STRUCTURE_CASES} structure-aware mutations of the bundled models: success or a UserError, nothing else`, () => {
    const rng = new Random(SEED);
    const seeds = seedModels(8);
    const target = findMcuTarget('stm32f405');
    const counts = { compiled: 0, refused: 0, failed: 0 };
    const refusedAt: Record<string, number> = {};
    const failures: string[] = [];
    for (let i = 0; i < BYTE_CASES + STRUCTURE_CASES; i++) {
      const seed = seeds[rng.int(seeds.length)];
      const mutant = i < BYTE_CASES ? byteMutant(rng, seed, seeds) : structureMutant(rng, seed);
      const r = runCase(mutant, target);
      counts[r.outcome]++;
      if (r.outcome === 'refused') refusedAt[r.stage!] = (refusedAt[r.stage!] ?? 0) + 1;
      if (r.outcome === 'failed') failures.push(`#${i} ${mutant.name} → ${r.stage}: ${r.error}`);
    }
    console.log(`fuzz: ${BYTE_CASES + STRUCTURE_CASES} cases (seed ${SEED}, ${seeds.length} seed models): ${counts.compiled} compiled, ${counts.refused} refused with a UserError (${Object.entries(refusedAt).map(([k, v]) => `${v} at ${k}`).join(', ')}), ${counts.failed} other errors`);
    expect(failures).toEqual([]);
    // The mutations must reach past the decoder: some cases compile, some are refused in later stages.
    expect(counts.compiled).toBeGreaterThan(0);
    expect((refusedAt.inspect ?? 0) + (refusedAt.compile ?? 0) + counts.compiled).toBeGreaterThan(20);
  });
});
