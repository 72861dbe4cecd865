// The job kinds every worker knows: registered before a worker takes jobs (more can come from --kinds <module>).
// Each kind's module is imported when its first job comes: a worker starts without loading what its jobs never use
// (the calibration suite, the build, TF.js), which saves a local worker about a second of CPU at start.

import { pathToFileURL } from 'node:url';
import path from 'node:path';
import fs from 'node:fs';
import { errorMessage, UserError } from '../errors.js';
import { registerJobKind, type JobContext, type JobKind } from './registry.js';
import type { Json } from './spec.js';

/** A kind whose handler lives in a module imported on the first job. */
function lazyKind(kind: string, load: () => Promise<JobKind>): JobKind {
  let loaded: Promise<JobKind> | undefined;
  return {
    kind,
    handler: async (payload: Json, context: JobContext) => {
      loaded ??= load().then((k) => {
        if (k.kind !== kind) throw new Error(`the module of job kind '${kind}' exports kind '${k.kind}'`);
        return k;
      });
      return (await loaded).handler(payload, context);
    },
  };
}

const BUILTIN_KINDS: JobKind[] = [
  lazyKind('calibrate-batch', async () => (await import('../cost/calibrate-jobs.js')).calibrateBatchKind),
  lazyKind('sweep-build', async () => (await import('../sweep/sweep-build-kind.js')).sweepBuildKind),
  lazyKind('fine-tune', async () => (await import('../build/fine-tune-kind.js')).fineTuneKind),
  lazyKind('fine-tune-warm', async () => (await import('../build/fine-tune-kind.js')).fineTuneWarmKind),
];

export function registerBuiltinJobKinds(): void {
  for (const k of BUILTIN_KINDS) registerJobKind(k);
}

/** Register the kinds a module exports as `jobKinds: JobKind[]` (the worker's --kinds option). */
export async function registerJobKindsFrom(file: string): Promise<void> {
  const full = path.resolve(file);
  if (!fs.existsSync(full)) throw new UserError(`--kinds: no such module: ${file}`);
  if (!fs.statSync(full).isFile()) throw new UserError(`--kinds: ${file} is not a file`, 'give the JavaScript module (a .js or .mjs file) that exports jobKinds');
  let mod: { jobKinds?: JobKind[] };
  try {
    mod = (await import(pathToFileURL(full).href)) as { jobKinds?: JobKind[] };
  } catch (e) {
    // The module is the user's: a syntax error, or one it throws while loading, is theirs to fix.
    throw new UserError(`--kinds: cannot load ${file}: ${errorMessage(e).split('\n')[0]}`, 'give a JavaScript module (ESM) that exports jobKinds; node <file> shows where it fails');
  }
  if (!Array.isArray(mod.jobKinds)) throw new UserError(`--kinds: ${file} exports no jobKinds array`, 'export const jobKinds = [{ kind, handler }, ...] from it');
  for (const k of mod.jobKinds) registerJobKind(k);
}
