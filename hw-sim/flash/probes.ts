// The debug probes and flash programs edgeprune flash can use, and which combinations work.

import { UserError } from '../../src/errors.js';
import type { FlashableBoard } from '../../src/targets/flashing.js';

export const PROBES = ['stlink', 'cmsis-dap', 'jlink'] as const;
export type Probe = (typeof PROBES)[number];

export const FLASH_TOOLS = ['openocd', 'st-flash'] as const;
export type FlashTool = (typeof FLASH_TOOLS)[number];

/** What programs the firmware: the program, and the probe it goes through. */
export interface FlashChoice {
  probe: Probe;
  tool: FlashTool;
}

/** Refuse a program that cannot drive the probe or the part (st-flash speaks to ST-LINKs and STM32s only). */
export function checkFlashChoice(board: FlashableBoard, choice: FlashChoice): void {
  if (choice.tool !== 'st-flash') return;
  if (choice.probe !== 'stlink') {
    throw new UserError(`--tool st-flash programs through an ST-LINK only, not --probe ${choice.probe}`, 'use --tool openocd (the default) with this probe, or --probe stlink');
  }
  if (!board.stflash) {
    throw new UserError(`--tool st-flash cannot program ${board.target} (st-flash knows STM32 parts only)`, 'use --tool openocd (the default)');
  }
}
