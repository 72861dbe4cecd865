// The `sweep-build` job: one combination of a sweep (target, budget, precision) built as `edgeprune build` builds it,
// in a worker. The payload names the model and data by path and SHA-256 (a worker on another machine needs the same
// files); the result is what the sweep reports, plus the build's output files (base64) for the command to write.

import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type { Precision } from '../analysis/model-precision.js';
import { UserError } from '../errors.js';
import type { JobKind } from '../jobs/registry.js';
import { makeJob, type JobSpec, type Json } from '../jobs/spec.js';
import { findMcuTarget } from '../targets/load-targets.js';
import type { Int8CliOptions, SearchCliOptions } from '../cli/build-options.js';
import type { DistillCliOptions, TrainingCliOptions } from '../cli/training-options.js';
import type { SweepBudget } from './combinations.js';
import type { InputShapes } from '../passes/fix-input-shapes.js';

export const SWEEP_BUILD_KIND = 'sweep-build';

/** The build flags a sweep passes to every combination (data split, training, search, int8): build's own option types. */
export interface SweepBuildFlags extends TrainingCliOptions, DistillCliOptions, SearchCliOptions, Int8CliOptions {
  labels?: string;
  seed: number;
  validation: number;
  test?: number;
  limit?: number;
  /** --input-shape: the model's dynamic input dimensions fixed, as build fixes them. */
  inputShape?: InputShapes;
}

export interface SweepBuildPayload {
  /** The combination's name (its folder under builds/). */
  name: string;
  model: string;
  modelSha256: string;
  data: string;
  dataSha256: string;
  target: string;
  precision: Precision;
  budget: SweepBudget;
  flags: SweepBuildFlags;
  /**
   * The cost model predicts that the dense model already meets the budget: it is compiled and measured as it is (no
   * final fine-tune; the build's search, which starts from it, finds nothing to do unless the measurement disagrees).
   */
  denseMeets: boolean;
}

/** Measured in the emulator: the figures the budgets are checked against, and the latency at the target's clock. */
export interface SweepMeasured {
  instructions: number;
  /** instructions × the target's cycles per instruction ÷ its clock (an estimate, as build reports it). */
  latencyMs: number | null;
  flashBytes: number;
  /** Static RAM + stack, as build's RAM budget counts it. */
  ramBytes: number;
}

/** The smallest cost the search reached on a budget that was not met (predicted, by the cost model). */
export interface SmallestReached {
  budget: string;
  limit: number;
  cost: number;
  description: string;
}

export interface SweepBuildResult {
  met: boolean;
  /** What was not met (budgets, accuracy, verification), as build reports it. */
  failed: string[];
  measured: SweepMeasured;
  accuracy: { dense: number; final: number; dropPoints: number };
  smallestReached: SmallestReached[];
  search: { iterations: number; epochs: number; stoppedBecause: string | null };
  wallSeconds: number;
  /** The build folder (relative path → base64); the command writes it under builds/<name>/ and drops it. */
  files: Record<string, string>;
}

export function fileSha256(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** JSON without undefined fields (a payload must be plain JSON, and its id the same however it was built). */
export function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

export function sweepBuildJob(payload: SweepBuildPayload): JobSpec {
  const clean = { ...payload, budget: withoutUndefined(payload.budget), flags: withoutUndefined(payload.flags) };
  return makeJob(SWEEP_BUILD_KIND, clean as unknown as Json);
}

function checkFile(file: string, sha256: string, what: string): void {
  if (!fs.existsSync(file)) throw new UserError(`the ${what} ${file} is not on this worker`, 'workers need the model and data at the same paths as the sweep command');
  if (fileSha256(file) !== sha256) throw new UserError(`the ${what} ${file} on this worker differs from the sweep's (SHA-256)`, 'give the workers the same files as the sweep command');
}

export const sweepBuildKind: JobKind = {
  kind: SWEEP_BUILD_KIND,
  handler: async (payload, { log }) => {
    const p = payload as unknown as SweepBuildPayload;
    const started = performance.now();
    checkFile(p.model, p.modelSha256, 'model');
    checkFile(p.data, p.dataSha256, 'data');
    const target = findMcuTarget(p.target, 'sweep --targets');
    // Loaded here: the build (TF.js, the compilers' drivers) stays out of workers that run other kinds.
    const { buildMcuModel } = await import('../cli/mcu-build.js');
    const { sweepResult } = await import('./sweep-result.js');
    const flags = p.flags;
    const out = await buildMcuModel(p.model, target, { ...flags, ...p.budget, data: p.data, precision: p.precision, finalEpochs: p.denseMeets ? 0 : flags.finalEpochs }, (t) => log(`${p.name}: ${t}`));
    return sweepResult(out, Math.round(performance.now() - started) / 1000) as unknown as Json;
  },
};
