// --probe and --tool of edgeprune flash and verify --flash: which debug probe, and which program drives it.

import type { Command } from 'commander';
import { checkFlashChoice, FLASH_TOOLS, PROBES, type FlashChoice, type FlashTool, type Probe } from '../../hw-sim/index.js';
import { UserError } from '../errors.js';
import { flashableBoard, type FlashableBoard } from '../targets/flashing.js';
import type { McuTarget } from '../targets/schema.js';

export interface ProbeOptions {
  probe?: Probe;
  tool?: FlashTool;
}

function parseProbe(v: string): Probe {
  if (!(PROBES as readonly string[]).includes(v)) throw new UserError(`--probe '${v}' is not a probe edgeprune knows; known: ${PROBES.join(', ')}`);
  return v as Probe;
}

function parseTool(v: string): FlashTool {
  if (!(FLASH_TOOLS as readonly string[]).includes(v)) throw new UserError(`--tool '${v}' is not a flash program edgeprune runs; known: ${FLASH_TOOLS.join(', ')}`);
  return v as FlashTool;
}

export function addProbeOptions(cmd: Command, forWhat = ''): Command {
  return cmd
    .option('--probe <probe>', `${forWhat}the debug probe the board is connected through: ${PROBES.join(', ')}`, parseProbe)
    .option('--tool <program>', `${forWhat}the program that flashes: openocd (any probe; default) or st-flash (stlink-tools: an ST-LINK and an STM32)`, parseTool);
}

/** The board, probe and program, checked before anything is built: a refusal when the target cannot be flashed, --probe is missing or the program cannot drive the probe. */
export function flashChoice(o: ProbeOptions, target: McuTarget, command: string): FlashChoice & { board: FlashableBoard } {
  const board = flashableBoard(target);
  if (!o.probe) throw new UserError(`${command} needs --probe: the debug probe the board is connected through`, `--probe ${PROBES.join('|')}`);
  const choice = { probe: o.probe, tool: o.tool ?? 'openocd' };
  checkFlashChoice(board, choice);
  return { ...choice, board };
}
