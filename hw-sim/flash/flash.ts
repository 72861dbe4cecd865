// Program a test firmware into a real board: openocd (ELF) or st-flash (raw image at the flash base), run under the
// process guard with a timeout; its failures become FlashErrors that say what to check.

import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../../src/errors.js';
import { flashableBoard } from '../../src/targets/flashing.js';
import type { McuTarget } from '../../src/targets/schema.js';
import { armObjcopy, openocd, runTool, stFlash, type ToolOptions } from '../build/tools.js';
import { classifyFlashFailure, FlashError } from './failures.js';
import { openocdArgs } from './openocd.js';
import { checkFlashChoice, type FlashChoice } from './probes.js';
import { stFlashArgs } from './st-flash.js';

/** Erasing and writing 1 MiB over SWD takes about half a minute; a run past this is killed. */
const DEFAULT_TIMEOUT_MS = 180_000;

export interface FlashRequest extends FlashChoice {
  /** The firmware (buildFirmware's elf) for `target`. */
  elf: string;
  target: McuTarget;
  timeoutMs?: number;
  tools?: ToolOptions;
}

export interface FlashResult extends FlashChoice {
  /** The command that programmed the board. */
  command: string[];
  durationMs: number;
}

/** The raw image st-flash writes, next to the ELF (objcopy -O binary: from the flash base on). */
async function rawImage(elf: string, o: FlashRequest): Promise<string> {
  const bin = path.join(path.dirname(elf), `${path.basename(elf, '.elf')}.bin`);
  const r = await runTool(armObjcopy(o.tools), ['-O', 'binary', elf, bin], { timeoutMs: 60_000, what: 'writing the raw firmware image' });
  if (r.exitCode !== 0) throw new Error(`arm-none-eabi-objcopy failed: ${r.stderr.trim()}`);
  return bin;
}

/** Flash `elf` into the board of `target` through the probe; resolves once the board is programmed, verified and reset. */
export async function flashFirmware(o: FlashRequest): Promise<FlashResult> {
  const started = Date.now();
  const board = flashableBoard(o.target);
  checkFlashChoice(board, o);
  if (!fs.existsSync(o.elf)) throw new UserError(`no firmware at ${o.elf}`);
  const tool = o.tool === 'openocd' ? openocd(o.tools) : stFlash(o.tools);
  const args = o.tool === 'openocd' ? openocdArgs(board, o.probe, o.elf) : stFlashArgs(board, await rawImage(o.elf, o));
  const command = [tool.command, ...args];
  const r = await runTool(tool, args, { timeoutMs: o.timeoutMs ?? DEFAULT_TIMEOUT_MS, what: `flashing ${o.target.name}` });
  if (r.exitCode !== 0) {
    const { kind, line } = classifyFlashFailure(`${r.stderr}\n${r.stdout}`);
    throw new FlashError(kind, line, o, o.target.name, command);
  }
  return { probe: o.probe, tool: o.tool, command, durationMs: Date.now() - started };
}
