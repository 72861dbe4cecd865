// Measure many small models on a target in QEMU at once: compile each to C with its own prefix, link
// as many as fit the part into one firmware (several firmwares when they do not), run each model once
// per input vector in one QEMU session per firmware, and report what verifyOnTarget reports for a
// model: instructions per inference, the model library's linked flash (code + weights), its static
// RAM and the stack the inference used.

import fs from 'node:fs';
import path from 'node:path';
import { buildFirmware, openQemuSession, type FirmwareBuild, type ModelLibrary, type Optimize } from '../../hw-sim/index.js';
import { compileToC } from '../emit/c/compile-c.js';
import { targetEstimator } from './estimator.js';
import { sharedCodeFunctions } from './kernels.js';
import type { SparseMode } from '../emit/c/sparse-choice.js';
import { UserError } from '../errors.js';
import type { Graph } from '../ir/graph.js';
import type { Tensor } from '../ir/tensor.js';
import type { McuTarget } from '../targets/schema.js';
import { makeTempDir, removeTempDir } from '../util/temp-dir.js';
import { loadVectors } from '../verify/vectors.js';

export interface MeasureCase {
  /** Letters, digits, '_', '-', '.': unique within one call. */
  name: string;
  graph: Graph;
  /** compileToC's sparse option (default 'auto'). */
  sparse?: SparseMode;
  /** Input vectors (one tensor per graph input each); default: `vectors` seeded random vectors. */
  inputs?: Tensor[][];
}

/** The linked bytes of the shared functions in a model library's input sections (-ffunction-sections: .text.<name>). */
export function sharedCodeOf(sections: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const f of sharedCodeFunctions()) if (sections[`.text.${f}`]) out[f] = sections[`.text.${f}`];
  return out;
}

export interface Measurement {
  name: string;
  /** Instructions per inference (the largest over the vectors). */
  instructions: number;
  /** Every vector's count. */
  runs: number[];
  /** The model library in the linked firmware: text + data (code, weights, constant tables). */
  flashBytes: number;
  /** Weight bytes as the emitter writes them (the view model's figure). */
  weightBytes: number;
  /** The library's data + bss (its arena). */
  ramBytes: number;
  arenaBytes: number;
  /** Stack the inference used (the largest over the vectors). */
  stackBytes: number;
  /** Bytes of flashBytes in shared functions (sharedCodeFunctions: linked once per library), by function. */
  sharedCode?: Record<string, number>;
  /** The input vectors that ran (one tensor per graph input each). */
  vectors: Tensor[][];
}

export interface MeasureOptions {
  optimize?: Optimize;
  /** Random vectors per model when a case gives none (default 1). */
  vectors?: number;
  seed?: number;
  /** Keep the work folder (for debugging). */
  keepDir?: boolean;
  log?: (line: string) => void;
  /** Ticks-to-instructions resolution is the emulator's; runs time out after this (default 60 s). */
  runTimeoutMs?: number;
  /** Build every case with compileToC's constantTimeMac (the constant-time soft-float MAC). */
  constantTimeMac?: boolean;
  /**
   * The dense/sparse choice of a case whose `sparse` is 'auto': 'target' (default), as `edgeprune compile --target`
   * makes it, by the target's calibrated cost model; 'built-in', by the emitter's built-in estimates, as lowerForCost
   * makes it without an estimator. The calibrations take 'built-in': a case then runs the kernel its analysis prices,
   * whatever the calibration it replaces says (with 'target', conv.c6x10k1m3 ran the sparse conv on the six FPU targets
   * and was fitted as the dense one, and a refit could flip the choice back: the calibration was no fixed point).
   */
  kernelChoice?: 'target' | 'built-in';
}

interface Prepared {
  c: MeasureCase;
  lib: ModelLibrary;
  weightBytes: number;
  arenaBytes: number;
  inputs: Tensor[][];
}

/** RAM the harness needs besides the models (its buffers, the stack reserve, a margin). */
const HARNESS_RAM = 12 * 1024;
/** Flash the harness and the C library take, and a margin per model for its code. */
const HARNESS_FLASH = 24 * 1024;
const CODE_GUESS = 8 * 1024;

function tensorBytes(t: Tensor): Uint8Array {
  return new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength).slice();
}

/** Split the models into firmwares that fit the part's flash and RAM (first fit, in order). */
function groupForTarget(models: Prepared[], target: McuTarget, maxPerFirmware: number): Prepared[][] {
  const ramBudget = target.ram.bytes - HARNESS_RAM;
  const flashBudget = target.flash.bytes - HARNESS_FLASH;
  const groups: { items: Prepared[]; ram: number; flash: number }[] = [];
  // First fit by decreasing arena: the fewest firmwares on small parts.
  const order = [...models].sort((a, b) => b.arenaBytes - a.arenaBytes);
  for (const m of order) {
    const ram = m.arenaBytes + 16;
    const flash = m.weightBytes + CODE_GUESS;
    if (ram > ramBudget) throw new UserError(`calibration model '${m.c.name}' needs ${m.arenaBytes} bytes of arena; ${target.name} has ${target.ram.bytes} bytes of RAM`);
    let g = groups.find((x) => x.items.length < maxPerFirmware && x.ram + ram <= ramBudget && x.flash + flash <= flashBudget);
    if (!g) {
      g = { items: [], ram: 0, flash: 0 };
      groups.push(g);
    }
    g.items.push(m);
    g.ram += ram;
    g.flash += flash;
  }
  return groups.map((g) => g.items);
}

function isOverflow(e: unknown): boolean {
  return e instanceof UserError && /does not fit/.test(e.message);
}

/** Build a firmware for `group`, halving the group when it does not fit after all. */
async function buildGroups(group: Prepared[], target: McuTarget, workDir: string, optimize: Optimize, counter: { n: number }): Promise<{ fw: FirmwareBuild; items: Prepared[] }[]> {
  const dir = path.join(workDir, `fw${counter.n++}`);
  try {
    const fw = await buildFirmware({ target, workDir: dir, models: group.map((p) => p.lib), optimize });
    return [{ fw, items: group }];
  } catch (e) {
    if (!isOverflow(e) || group.length < 2) throw e;
    const half = Math.ceil(group.length / 2);
    return [
      ...(await buildGroups(group.slice(0, half), target, workDir, optimize, counter)),
      ...(await buildGroups(group.slice(half), target, workDir, optimize, counter)),
    ];
  }
}

/**
 * Measure calibration-suite cases (the calibrations, their jobs, the independence check, the NaN-count bench): each
 * runs the kernel its analysis prices (kernelChoice 'built-in'), whatever the target's calibration says.
 */
export function measureSuiteCases(target: McuTarget, cases: MeasureCase[], options: Omit<MeasureOptions, 'kernelChoice'> = {}): Promise<Measurement[]> {
  return measureOnTarget(target, cases, { ...options, kernelChoice: 'built-in' });
}

/**
 * Measure every case on `target` (QEMU). Results are in the order of `cases`. Deterministic: QEMU's
 * instruction count repeats exactly for the same firmware and inputs.
 */
export async function measureOnTarget(target: McuTarget, cases: MeasureCase[], options: MeasureOptions = {}): Promise<Measurement[]> {
  const log = options.log ?? (() => {});
  const optimize = options.optimize ?? 'O2';
  // Compiled as `edgeprune compile --target` compiles (the dense/sparse choice by this target's cost model), unless
  // the caller prices the cases by their built-in lowering.
  const estimator = options.kernelChoice === 'built-in' ? undefined : targetEstimator(target);
  const workDir = makeTempDir('cost', { keep: options.keepDir });
  try {
    const names = new Set<string>();
    const prepared: Prepared[] = cases.map((c, i) => {
      if (names.has(c.name)) throw new Error(`measureOnTarget: two cases are named '${c.name}'`);
      names.add(c.name);
      const prefix = `m${i}`;
      const lib = compileToC(c.graph, { prefix, sparse: c.sparse, estimator, constantTimeMac: options.constantTimeMac });
      const dir = path.join(workDir, 'models', `${i}`);
      fs.mkdirSync(dir, { recursive: true });
      for (const [file, text] of lib.files) fs.writeFileSync(path.join(dir, file), text);
      const inputs = c.inputs ?? loadVectors(lib.graph, { count: options.vectors ?? 1, seed: options.seed ?? 1 }).inputs;
      return { c, lib: { name: c.name, prefix, dir }, weightBytes: lib.view.weightBytes, arenaBytes: lib.plan.arenaBytes, inputs };
    });
    // Many libraries per firmware keep the link and QEMU start-up costs down; the compile of
    // each model.c dominates anyway.
    const groups = groupForTarget(prepared, target, 64);
    const counter = { n: 0 };
    const results = new Map<string, Measurement>();
    for (const [gi, group] of groups.entries()) {
      log(`building firmware ${gi + 1}/${groups.length} for ${target.name} (${group.length} models)`);
      for (const { fw, items } of await buildGroups(group, target, workDir, optimize, counter)) {
        const session = await openQemuSession(fw.elf, target, { runTimeoutMs: options.runTimeoutMs ?? 60_000 });
        try {
          for (const p of items) {
            const runs: number[] = [];
            let stack = 0;
            for (const vector of p.inputs) {
              const r = await session.run(p.lib.name, vector.map(tensorBytes));
              if (r.status !== 0) throw new Error(`model '${p.c.name}' returned status ${r.status} on ${target.name}`);
              if (r.instructions === null) throw new Error(`no instruction count from QEMU for '${p.c.name}'`);
              runs.push(r.instructions);
              stack = Math.max(stack, r.stackBytes ?? 0);
            }
            const linked = fw.linkedSizes[p.lib.name] ?? { text: 0, data: 0, bss: 0 };
            const sharedCode = sharedCodeOf(fw.linkedSections[p.lib.name] ?? {});
            results.set(p.c.name, {
              name: p.c.name,
              instructions: Math.max(...runs),
              runs,
              flashBytes: linked.text + linked.data,
              weightBytes: p.weightBytes,
              ramBytes: linked.data + linked.bss,
              arenaBytes: p.arenaBytes,
              stackBytes: stack,
              ...(Object.keys(sharedCode).length ? { sharedCode } : {}),
              vectors: p.inputs,
            });
          }
        } finally {
          await session.close();
        }
      }
    }
    return cases.map((c) => results.get(c.name)!);
  } finally {
    if (!options.keepDir) removeTempDir(workDir);
    else log(`work folder kept: ${workDir}`);
  }
}
