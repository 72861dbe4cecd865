// A target's cost-model calibration (targets/calibration/<target>.json): the fixed cost of a model
// library and, per kernel key, the weights of its instruction and code-size terms (src/cost/kernels.ts),
// fitted to QEMU measurements of the calibration suite (src/cost/suite.ts) by calibrateTarget.

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { KERNEL_DIR } from '../emit/c/compile-c.js';
import { UserError } from '../errors.js';
import type { McuTarget } from '../targets/schema.js';
import { TARGETS_DIR } from '../targets/load-targets.js';
import { COMMON_HEADERS, kernelContextOfCore, modelOfKey, PORTABLE_CONTEXT, type KernelContext } from './kernels.js';

export const CALIBRATION_FORMAT = 'edgeprune-cost-calibration/1';

const coefficients = z.record(z.string(), z.number().nonnegative());

const kernelCalibration = z.object({
  /** Weight of each instruction term (instructions per count). */
  instructions: coefficients,
  /** Weight of each code-size term (bytes per measure). */
  codeBytes: coefficients,
  /** The largest stack any calibration case of this key used (the run function's frame and pushes). */
  stackBytes: z.number().int().nonnegative(),
  fit: z.object({
    cases: z.number().int().nonnegative(),
    /** Relative errors of the fitted formula over the calibration cases. */
    instructionsMaxError: z.number(),
    instructionsRmsError: z.number(),
    /** Absolute errors of the code-size formula, in bytes. */
    codeMaxErrorBytes: z.number(),
    codeRmsErrorBytes: z.number(),
  }),
});

export const calibrationSchema = z.object({
  format: z.literal(CALIBRATION_FORMAT),
  /** What the file is and which kernels and terms it models (the header of the file). */
  about: z.array(z.string()),
  target: z.string(),
  /** Emulator, counter and compiler the measurements come from. */
  measuredOn: z.string(),
  compiler: z.string(),
  optimize: z.enum(['O2', 'O3', 'Os']),
  /** sha256 of each kernel header at calibration time (a changed header makes the fit stale). */
  kernelHeaders: z.record(z.string(), z.string()),
  /** A model library with no kernel call: its run, its flash (1 input and 1 output, and per more), its stack. */
  library: z.object({
    instructions: z.number().nonnegative(),
    flashBytes: z.number().nonnegative(),
    flashBytesPerIo: z.number(),
    stackBytes: z.number().int().nonnegative(),
    /** Bytes of each shared function (KernelModel.sharedCode) where the target links one: once per library that calls it. */
    sharedCode: z.record(z.string(), z.number().nonnegative()).optional(),
  }),
  /** Conservative figures for a kernel without a formula ({ unknownKernels: 'fallback' }). */
  fallback: z.object({
    /** The most instructions per nominal MAC of any conv or dense calibration case. */
    instructionsPerMac: z.number().nonnegative(),
    /** Instructions per element of the step's outputs for calls that do no MACs. */
    instructionsPerElement: z.number().nonnegative(),
    /** The largest code of any calibration case. */
    codeBytes: z.number().nonnegative(),
    stackBytes: z.number().int().nonnegative(),
  }),
  kernels: z.record(z.string(), kernelCalibration),
});

export type Calibration = z.infer<typeof calibrationSchema>;
export type KernelCalibration = z.infer<typeof kernelCalibration>;

export const CALIBRATION_DIR = path.join(TARGETS_DIR, 'calibration');

/** The kernels' path on the core a calibration was compiled for (its compiler line records -mcpu= and the float ABI). */
export function calibrationContext(cal: Calibration): KernelContext {
  const core = /-mcpu=(\S+)/.exec(cal.compiler)?.[1];
  return core ? kernelContextOfCore(core, /-mfloat-abi=hard/.test(cal.compiler)) : PORTABLE_CONTEXT;
}

export function calibrationPath(target: McuTarget | string, dir = CALIBRATION_DIR): string {
  return path.join(dir, `${typeof target === 'string' ? target : target.name}.json`);
}

/** Headers whose changes invalidate a calibration (the umbrella ep_kernels.h only includes the others). */
function hashedHeaders(): string[] {
  return fs.readdirSync(KERNEL_DIR).filter((f) => f.endsWith('.h') && f !== 'ep_kernels.h').sort();
}

let headerHashes: Record<string, string> | undefined;

/** sha256 of every kernel header now (cached for the process). */
export function currentKernelHeaders(refresh = false): Record<string, string> {
  if (!headerHashes || refresh) {
    headerHashes = Object.fromEntries(hashedHeaders().map((h) => [h, crypto.createHash('sha256').update(fs.readFileSync(path.join(KERNEL_DIR, h))).digest('hex')]));
  }
  return headerHashes;
}

/** Kernel headers that changed or disappeared since the calibration (empty: up to date). */
export function staleHeaders(cal: Calibration): string[] {
  const now = currentKernelHeaders();
  return Object.entries(cal.kernelHeaders).filter(([h, sha]) => now[h] !== sha).map(([h]) => h);
}

/** Calibrated keys (of `keys`, default all) whose kernel's header, or a common header, changed since calibrating. */
export function staleKeys(cal: Calibration, keys: Iterable<string> = Object.keys(cal.kernels)): string[] {
  const changed = new Set(staleHeaders(cal));
  if (changed.size === 0) return [];
  const out: string[] = [];
  for (const key of keys) {
    const model = modelOfKey(key);
    const headers = [...COMMON_HEADERS, model?.header ?? '', ...(model?.extraHeaders ?? [])];
    if (headers.some((h) => changed.has(h))) out.push(key);
  }
  return out;
}

const cache = new Map<string, { mtimeMs: number; cal: Calibration }>();

/** Parse and validate a calibration file. */
export function readCalibrationFile(file: string): Calibration {
  let data: unknown;
  try {
    data = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UserError(`calibration file '${file}' is not readable JSON: ${(e as Error).message}`);
  }
  const parsed = calibrationSchema.safeParse(data);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new UserError(`calibration file '${file}' is invalid: ${issues}`, 'recalibrate: edgeprune calibrate --target <name>');
  }
  return parsed.data;
}

/** The calibration of `target` (cached; re-read when the file changes). */
export function loadCalibration(target: McuTarget | string, dir = CALIBRATION_DIR): Calibration {
  const name = typeof target === 'string' ? target : target.name;
  const file = calibrationPath(name, dir);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    throw new UserError(`no cost-model calibration for target '${name}' (${file})`, `run: edgeprune calibrate --target ${name}`);
  }
  const hit = cache.get(file);
  if (hit && hit.mtimeMs === stat.mtimeMs) return hit.cal;
  const cal = readCalibrationFile(file);
  if (cal.target !== name) throw new UserError(`calibration file '${file}' is for target '${cal.target}', not '${name}'`);
  cache.set(file, { mtimeMs: stat.mtimeMs, cal });
  return cal;
}

/** Round to `digits` significant digits (keeps the committed files short and stable). */
export function roundSignificant(x: number, digits = 6): number {
  if (x === 0 || !Number.isFinite(x)) return x;
  return Number(x.toPrecision(digits));
}

/** Write a calibration file atomically (a temporary file renamed over the old one), keys in a stable order. */
export function writeCalibrationFile(cal: Calibration, file: string): void {
  const checked = calibrationSchema.parse(cal);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(checked, null, 2)}\n`);
  fs.renameSync(tmp, file);
  cache.delete(file);
}
