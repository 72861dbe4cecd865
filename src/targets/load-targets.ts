// Read and validate the target profiles in targets/*.json: MCU boards and FPGA boards.

import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.js';
import { repoPath } from '../util/package-root.js';
import { targetSchema, type FpgaTarget, type McuTarget, type Target } from './schema.js';

export const TARGETS_DIR = repoPath('targets');

/** The target of compile, verify and build when --target is not given: an STM32F405 (Cortex-M4F, 168 MHz). */
export const DEFAULT_TARGET_NAME = 'stm32f405';

/** Parse one target file, with errors that name the file and the field. */
export function readTargetFile(file: string): Target {
  let data: unknown;
  try {
    data = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UserError(`target file '${file}' is not readable JSON: ${(e as Error).message}`);
  }
  const parsed = targetSchema.safeParse(data);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new UserError(`target file '${file}' is invalid: ${issues}`);
  }
  if (`${parsed.data.name}.json` !== path.basename(file)) {
    throw new UserError(`target file '${file}' names itself '${parsed.data.name}'; the name must match the file name`);
  }
  return parsed.data;
}

export function isMcuTarget(t: Target): t is McuTarget {
  return t.kind === 'mcu';
}

export function isFpgaTarget(t: Target): t is FpgaTarget {
  return t.kind === 'fpga';
}

/** Every target, MCU and FPGA, sorted by name. */
export function listTargets(dir = TARGETS_DIR): Target[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => readTargetFile(path.join(dir, f)));
}

/** The MCU targets, sorted by name (the boards the C backend, QEMU and the cost model serve). */
export function listMcuTargets(dir = TARGETS_DIR): McuTarget[] {
  return listTargets(dir).filter(isMcuTarget);
}

/** The FPGA targets, sorted by name. */
export function listFpgaTargets(dir = TARGETS_DIR): FpgaTarget[] {
  return listTargets(dir).filter(isFpgaTarget);
}

/** The target called `name`, of either kind, or an error listing the known ones. */
export function findTarget(name: string, dir = TARGETS_DIR): Target {
  const file = path.join(dir, `${name}.json`);
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name) || !fs.existsSync(file)) {
    const known = listTargets(dir).map((t) => t.name).join(', ');
    throw new UserError(`unknown target '${name}'`, `known targets: ${known} (edgeprune targets lists them)`);
  }
  return readTargetFile(file);
}

/**
 * `t` as an MCU target, or the one-line refusal (exit 2) of a command that serves MCU targets only:
 * `command` is what the user ran ("compile", "verify"...), with the option that named the target when it is not
 * --target ("sweep --targets").
 */
export function requireMcuTarget(t: Target, command: string): McuTarget {
  if (isMcuTarget(t)) return t;
  throw new UserError(
    `${t.name} is an FPGA target (${t.family}); ${command.includes(' ') ? command : `${command} --target`} supports MCU targets for now`,
    `for FPGA targets use compile, verify and build; the MCU targets: ${listMcuTargets().map((m) => m.name).join(', ')}`,
  );
}

/** The MCU target called `name`, refusing an FPGA target with `command`'s name (see requireMcuTarget). */
export function findMcuTarget(name: string, command = 'this command', dir = TARGETS_DIR): McuTarget {
  return requireMcuTarget(findTarget(name, dir), command);
}
