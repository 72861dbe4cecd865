// Shared fixtures of the hw-sim tests: the hand-written model libraries, input packing, the
// expected outputs of the 'fake' model, temporary folders and a check for leftover processes.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { helperExecutable } from '../../hw-sim/guard/guard.js';
import type { ModelLibrary } from '../../hw-sim/index.js';
import { findMcuTarget } from '../../src/targets/load-targets.js';

const FIXTURES = path.resolve('test/fixtures');

export const FAKE: ModelLibrary = { name: 'fake', prefix: 'fake', dir: path.join(FIXTURES, 'c-fake-model') };
export const TROUBLE: ModelLibrary = { name: 'trouble', prefix: 'trouble', dir: path.join(FIXTURES, 'c-trouble-model') };
export const CALIB: ModelLibrary = { name: 'calib', prefix: 'calib', dir: path.join(FIXTURES, 'c-calibrate-model') };
export const BIG: ModelLibrary = { name: 'big', prefix: 'big', dir: path.join(FIXTURES, 'c-big-model') };

export const TARGET_NAMES = ['mps2-an386', 'stm32f405', 'mps2-an500', 'lm3s6965'] as const;
export const target = (name: string) => findMcuTarget(name);

const tempDirs: string[] = [];

/** A fresh folder, removed by removeTempDirs (each test file's afterAll). */
export function tempDir(label: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `ep-hwsim-${label}-`));
  tempDirs.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of tempDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

/**
 * Build (or find) the process guard and the janitor in the cache in use now, before a test points XDG_CACHE_HOME at a
 * folder it deletes: their paths are remembered per process (hw-sim/guard/guard.ts), so the later test files of a shared
 * worker go on running these, not copies in a deleted folder.
 */
export async function keepProcessHelpers(): Promise<void> {
  await Promise.all([helperExecutable('guard'), helperExecutable('janitor')]);
}

export function f32(values: number[]): Uint8Array {
  return new Uint8Array(Float32Array.from(values).buffer);
}

export function u32(values: number[]): Uint8Array {
  return new Uint8Array(Uint32Array.from(values).buffer);
}

export function i32(values: number[]): Uint8Array {
  return new Uint8Array(Int32Array.from(values).buffer);
}

export function readF32(bytes: Uint8Array): number[] {
  return Array.from(new Float32Array(bytes.slice().buffer));
}

export function readU32(bytes: Uint8Array): number[] {
  return Array.from(new Uint32Array(bytes.slice().buffer));
}

export const A = [1, -2.5, 3.25, 1e-3, 1e30, -0, 7, 0.1];
export const B = [0.5, 0.25, -1, 3, 1e30, 0, -14, 0.2];

/** Inputs of the fake model: a, b, iterations. */
export function fakeInputs(iterations: number, a = A, b = B): Uint8Array[] {
  return [f32(a), f32(b), i32([iterations])];
}

/** What the fake model must compute: y = 2a + b in float32, and the LCG checksum. */
export function fakeExpected(iterations: number, a = A, b = B): { y: number[]; checksum: number } {
  const y = a.map((v, i) => Math.fround(Math.fround(v * 2) + Math.fround(b[i])));
  let x = 12345;
  for (let i = 0; i < iterations; i++) x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
  const scratchSum = 2 * ((255 * 256) / 2); // bytes 0..255 twice
  return { y, checksum: (x + scratchSum) >>> 0 };
}

/**
 * Whether process `pid` belongs to another test run on this machine (another clone's suite, a bench running test
 * files): its environment names another run's folder (test/global-setup.ts). Tool binaries are cached per user, so two
 * runs can have the same harness running at once. A process whose environment cannot be read, or names no run, counts.
 */
function ofAnotherTestRun(pid: string): boolean {
  const ours = process.env.EDGEPRUNE_TEST_RUN_TMP;
  if (!ours) return false;
  try {
    const run = fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').find((v) => v.startsWith('EDGEPRUNE_TEST_RUN_TMP='));
    return run !== undefined && run !== `EDGEPRUNE_TEST_RUN_TMP=${ours}`;
  } catch {
    return false;
  }
}

/** Processes (pid, command line) whose command line mentions `needle` (process guards included). */
export function processesMentioning(needle: string): { pid: number; cmdline: string }[] {
  const found: { pid: number; cmdline: string }[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (cmdline.includes(needle) && Number(entry) !== process.pid && !ofAnotherTestRun(entry)) found.push({ pid: Number(entry), cmdline });
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

/** The programs (QEMU, a harness) whose command line mentions `needle`, without their process guards. */
export function programsMentioning(needle: string): { pid: number; cmdline: string }[] {
  return processesMentioning(needle).filter((p) => !/^\S*ep-guard-[0-9a-f]+ /.test(p.cmdline));
}
