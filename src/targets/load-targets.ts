// Read and validate the target profiles in targets/*.json.

import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.js';
import { repoPath } from '../util/package-root.js';
import { mcuTargetSchema, type McuTarget } from './schema.js';

export const TARGETS_DIR = repoPath('targets');

/** The target of compile, verify and build when --target is not given: an STM32F405 (Cortex-M4F, 168 MHz). */
export const DEFAULT_TARGET_NAME = 'stm32f405';

/** Parse one target file, with errors that name the file and the field. */
export function readTargetFile(file: string): McuTarget {
  let data: unknown;
  try {
    data = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UserError(`target file '${file}' is not readable JSON: ${(e as Error).message}`);
  }
  const parsed = mcuTargetSchema.safeParse(data);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new UserError(`target file '${file}' is invalid: ${issues}`);
  }
  if (`${parsed.data.name}.json` !== path.basename(file)) {
    throw new UserError(`target file '${file}' names itself '${parsed.data.name}'; the name must match the file name`);
  }
  return parsed.data;
}

/** Every target, sorted by name. */
export function listTargets(dir = TARGETS_DIR): McuTarget[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => readTargetFile(path.join(dir, f)));
}

/** The target called `name`, or an error listing the known ones. */
export function findTarget(name: string, dir = TARGETS_DIR): McuTarget {
  const file = path.join(dir, `${name}.json`);
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name) || !fs.existsSync(file)) {
    const known = listTargets(dir).map((t) => t.name).join(', ');
    throw new UserError(`unknown target '${name}'`, `known targets: ${known} (edgeprune targets lists them)`);
  }
  return readTargetFile(file);
}
