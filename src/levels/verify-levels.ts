// Every level of a levels library run in the emulator (issue 15 §2): the test firmware calls <prefix>_run_level(k) on
// the test vectors and the adversarial ones; per level, the outputs against the interpreter's of the level's graph as
// compiled (float32: verify's tolerance; int8: bit-exact, as verify judges an int8 model), the on-target accuracy, the
// instructions measured, the worst measured and the bound.

import fs from 'node:fs';
import path from 'node:path';
import { buildFirmware, levelAdapterLibraries, openQemuSession } from '../../hw-sim/index.js';
import { compareTensors } from '../conformance/compare.js';
import { staticInfo, type Graph } from '../ir/graph.js';
import { runGraph } from '../ir/interpreter.js';
import type { Tensor } from '../ir/tensor.js';
import { kernelDefines } from '../targets/flags.js';
import type { McuTarget } from '../targets/schema.js';
import { makeTempDir, removeTempDir } from '../util/temp-dir.js';
import { worstCaseVectors } from '../verify/adversarial-vectors.js';
import { onTargetAccuracy, type OnTargetAccuracy } from '../verify/on-target-accuracy.js';
import { firstBitDifference, tensorBytes, tensorFromBytes } from '../verify/output-bits.js';
import { C_TOLERANCE } from '../verify/verify-mcu.js';
import type { VectorSet } from '../verify/vectors.js';
import { worstCaseReport } from '../verify/worst-case-report.js';
import { measureStepCounts, type StepCounts } from '../verify/step-counts.js';
import { counterResolution } from '../cost/check-independence.js';
import type { CLibrary } from '../emit/c/compile-c.js';
import type { LevelsLibrary } from './compile-levels.js';

export interface LevelVerification {
  level: number;
  /** Every test vector within tolerance of the interpreter, status 0, and the worst case within its bound. */
  passed: boolean;
  /** The first problem found, or null. */
  problem: string | null;
  vectors: number;
  /** How outputs were judged against the interpreter: bit-exact (int8) or within verify's tolerance (float32). */
  comparison: 'bit-exact' | 'tolerance';
  /** Every test vector ran (status 0) with outputs as the comparison asks (whatever the worst case). */
  outputsMatch: boolean;
  /** The largest count over the test vectors. */
  instructions: number;
  /** The largest count over the test and adversarial vectors, and the vector that gave it. */
  worstMeasured: number;
  worstVector: string;
  /** The worst-case bound (verify's: exact when every kernel is data-independent, else the cost model's worst branch). */
  bound: number;
  exact: boolean;
  basis: string;
  accuracy: OnTargetAccuracy | null;
}

export interface LevelsVerification {
  target: string;
  runOn: string;
  levels: LevelVerification[];
  /** Linked flash (text + data) of the levels library in the test firmware (the harness and adapters apart). */
  flashBytes: number;
  /** The firmware's static RAM (data + bss) in all. */
  firmwareRamBytes: number;
}

const maxOf = (xs: readonly (number | null)[]) => xs.reduce<number>((m, x) => Math.max(m, x ?? Infinity), 0);

/** The code steps of a lowered program: how many, and their nodes (to match a level with the level compiled alone). */
const codeSteps = (steps: readonly { calls: readonly unknown[]; nodes: string[] }[]): string[] => steps.filter((s) => s.calls.length).map((s) => s.nodes.join(','));

/**
 * Per-step counts of every level on `inputs`: the library's step-marks build (stepMarksSource) in a test firmware of its
 * own, through the same adapters (src/verify/step-counts.ts). Each level's steps must be those of the level compiled
 * alone, which prices them.
 */
async function levelStepCounts(lib: LevelsLibrary, alone: readonly CLibrary[], target: McuTarget, inputs: Uint8Array[][], work: string, log: (line: string) => void): Promise<StepCounts[]> {
  const steps = lib.levels.map((level, k) => {
    const own = codeSteps(level.steps);
    const priced = codeSteps(alone[k].steps);
    if (own.join(';') !== priced.join(';')) throw new Error(`level ${k}'s steps differ from those of the level compiled alone (${own.length} and ${priced.length} steps with code)`);
    return own.length;
  });
  const libDir = path.join(work, 'lib');
  fs.mkdirSync(libDir, { recursive: true });
  for (const [name, text] of lib.files) fs.writeFileSync(path.join(libDir, name), name === lib.names.source ? lib.stepMarksSource : text);
  const adapters = levelAdapterLibraries({ dir: libDir, prefix: lib.prefix, inputs: lib.inputs, outputs: lib.outputs }, 'levels', steps.map((_, k) => k), path.join(work, 'adapters'));
  log(`per-step counts: a step-marks build of the ${steps.length} levels for ${target.name}`);
  return measureStepCounts({
    workDir: path.join(work, 'fw'), models: adapters.models, sources: adapters.librarySources, target, resolution: counterResolution(target),
    runs: steps.map((n, k) => ({ model: k, steps: n, vectors: inputs })),
  });
}

/**
 * Build the test firmware around `lib` (one adapter per level), run every level on `vectors` and on the adversarial
 * vectors, and compare. The worst-case bound of level k is verify's (src/verify/worst-case-report.ts), from the
 * per-step counts of the library's step-marks build (levelStepCounts) and priced on `alone[k]`, the level compiled on
 * its own with the same dense kernels. Spawns only through hw-sim.
 */
export async function verifyLevelsOnTarget(lib: LevelsLibrary, alone: readonly CLibrary[], target: McuTarget, vectors: VectorSet, log: (line: string) => void = () => {}): Promise<LevelsVerification> {
  const work = makeTempDir('levels-verify');
  try {
    const libDir = path.join(work, 'lib');
    fs.mkdirSync(libDir);
    for (const [name, text] of lib.files) fs.writeFileSync(path.join(libDir, name), text);
    const indices = lib.graphs.map((_, k) => k);
    const exact = lib.precision === 'int8';
    const adapters = levelAdapterLibraries({ dir: libDir, prefix: lib.prefix, inputs: lib.inputs, outputs: lib.outputs }, 'levels', indices, path.join(work, 'adapters'));
    log(`building the test firmware for ${target.name} (${indices.length} levels through ${lib.prefix}_run_level)`);
    const firmware = await buildFirmware({ workDir: path.join(work, 'fw'), models: adapters.models, sources: adapters.librarySources, target, defines: kernelDefines(target) });
    const graph0 = lib.graphs[0];
    const adversarial = worstCaseVectors(graph0);
    const inputs = [...vectors.inputs, ...adversarial.map((a) => a.inputs)].map((list) => list.map(tensorBytes));
    const stepCounts = await levelStepCounts(lib, alone, target, inputs, path.join(work, 'steps'), log);
    const session = await openQemuSession(firmware.elf, target, { transfer: 'files' });
    const results: LevelVerification[] = [];
    try {
      for (const k of indices) {
        log(`running level ${k} on ${vectors.inputs.length} test and ${adversarial.length} adversarial vectors (qemu ${target.emulator.machine})`);
        const g: Graph = lib.graphs[k];
        const runs = await session.runMany(k, inputs);
        const outputs = g.outputs.map((o) => staticInfo(g, o.name));
        let problem: string | null = null;
        let outputsMatch = true;
        const got: Tensor[] = [];
        const want: Tensor[] = [];
        vectors.inputs.forEach((feeds, v) => {
          const run = runs[v];
          if (run.status !== 0) {
            outputsMatch = false;
            problem ??= `vector ${v}: the level returned status ${run.status}`;
          }
          const reference = runGraph(g, Object.fromEntries(g.inputs.map((x, i) => [x.name, feeds[i]])));
          outputs.forEach((o, j) => {
            const t = tensorFromBytes(run.outputs[j], o);
            const r = reference.get(o.name)!;
            if (j === 0) { got.push(t); want.push(r); }
            const difference = exact ? firstBitDifference(t, r) : compareTensors(t, r, C_TOLERANCE);
            if (difference) {
              outputsMatch = false;
              problem ??= `vector ${v}, output '${o.name}'${exact ? ' is not bit-exact with the interpreter' : ''}: ${difference}`;
            }
          });
        });
        const typical = runs.slice(0, vectors.inputs.length);
        const instructions = maxOf(typical.map((r) => r.instructions));
        const counted = runs.every((r) => r.instructions !== null);
        const worst = counted
          ? worstCaseReport(alone[k], target, vectors.inputs.map((feeds, v) => ({ inputs: feeds, instructions: typical[v].instructions! })), adversarial.map((a, i) => ({ ...a, instructions: runs[vectors.inputs.length + i].instructions! })), stepCounts[k])
          : null;
        if (!worst) problem ??= `no worst-case bound: ${counted ? `no calibration for ${target.name}` : 'the emulator gave no instruction counts'}`;
        else if (!worst.holds) problem ??= worst.problem ?? 'the worst-case bound was exceeded';
        const worstMeasured = worst ? Math.max(worst.worstMeasuredInstructions, instructions) : instructions;
        const worstVector = worst && worst.worstMeasuredInstructions >= instructions ? worst.worstVector : 'a test vector';
        results.push({
          level: k, passed: problem === null, problem, vectors: vectors.inputs.length, comparison: exact ? 'bit-exact' : 'tolerance', outputsMatch, instructions, worstMeasured, worstVector,
          bound: worst?.instructionsWorstCase ?? Infinity, exact: worst?.exact ?? false, basis: worst?.basis ?? 'none', accuracy: onTargetAccuracy(vectors.labels, got, want),
        });
      }
    } finally {
      await session.close();
    }
    const extra = firmware.linkedSizes.extra;
    return { target: target.name, runOn: `qemu ${target.emulator.machine}`, levels: results, flashBytes: extra ? extra.text + extra.data : 0, firmwareRamBytes: firmware.ramBytes };
  } finally {
    removeTempDir(work);
  }
}
