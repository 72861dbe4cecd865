// openocd's command line that programs a firmware ELF through a debug probe (pure: the process is run by flash.ts).

import { UserError } from '../../src/errors.js';
import type { FlashableBoard } from '../../src/targets/flashing.js';
import type { Probe } from './probes.js';

/** openocd's interface script of each probe and the transport to select (SWD: every listed part has it; an ST-LINK speaks it as hla_swd). */
export const OPENOCD_INTERFACES: Record<Probe, { script: string; transport: string }> = {
  stlink: { script: 'interface/stlink.cfg', transport: 'hla_swd' },
  'cmsis-dap': { script: 'interface/cmsis-dap.cfg', transport: 'swd' },
  jlink: { script: 'interface/jlink.cfg', transport: 'swd' },
};

/**
 * `file` as a word of openocd's `program` command. `program` passes the name through Tcl's eval a second time, so
 * quoting cannot protect it: names with characters Tcl treats specially (blanks, quotes, braces, brackets, $, \, ;)
 * are refused rather than escaped.
 */
export function openocdFileWord(file: string): string {
  if (!/^[A-Za-z0-9_./+@%,:=-]+$/.test(file)) {
    throw new UserError(
      `cannot give openocd the firmware path ${JSON.stringify(file)}: its 'program' command re-reads the name as Tcl, and the path has blanks or characters Tcl treats specially`,
      'set TMPDIR to a folder whose path has only letters, digits and . _ - / (the firmware is built in a temporary folder)',
    );
  }
  return file;
}

/** openocd's arguments: the probe's interface, SWD, the part's target script, then program (write, verify, reset, exit). */
export function openocdArgs(board: FlashableBoard, probe: Probe, elf: string): string[] {
  const { script, transport } = OPENOCD_INTERFACES[probe];
  return ['-f', script, '-c', `transport select ${transport}`, '-f', board.openocdTarget, '-c', `program ${openocdFileWord(elf)} verify reset exit`];
}
