// The job kinds every worker knows: registered before a worker takes jobs (more can come from --kinds <module>).

import { pathToFileURL } from 'node:url';
import path from 'node:path';
import fs from 'node:fs';
import { calibrateBatchKind } from '../cost/calibrate-jobs.js';
import { sweepBuildKind } from '../sweep/sweep-build-kind.js';
import { fineTuneKind } from '../build/fine-tune-kind.js';
import { UserError } from '../errors.js';
import { registerJobKind, type JobKind } from './registry.js';

export function registerBuiltinJobKinds(): void {
  registerJobKind(calibrateBatchKind);
  registerJobKind(sweepBuildKind);
  registerJobKind(fineTuneKind);
}

/** Register the kinds a module exports as `jobKinds: JobKind[]` (the worker's --kinds option). */
export async function registerJobKindsFrom(file: string): Promise<void> {
  const full = path.resolve(file);
  if (!fs.existsSync(full)) throw new UserError(`--kinds: no such module: ${file}`);
  const mod = (await import(pathToFileURL(full).href)) as { jobKinds?: JobKind[] };
  if (!Array.isArray(mod.jobKinds)) throw new UserError(`--kinds: ${file} exports no jobKinds array`, 'export const jobKinds = [{ kind, handler }, ...] from it');
  for (const k of mod.jobKinds) registerJobKind(k);
}
