// What a failed openocd or st-flash run means (no probe, no permission, no chip, another chip), from its output,
// and the UserError with what to do about it.

import { UserError } from '../../src/errors.js';
import type { FlashChoice } from './probes.js';

export type FlashFailureKind = 'permission' | 'no-probe' | 'wrong-target' | 'no-target' | 'other';

/** Output patterns of each kind, checked in this order (a permission failure also says the probe did not open). */
const PATTERNS: [FlashFailureKind, RegExp][] = [
  ['permission', /LIBUSB_ERROR_ACCESS|permission denied|insufficient permissions/i],
  ['no-probe', /Error: open failed|unable to find a matching CMSIS-DAP device|No CMSIS-DAP device found|No J-Link device found|Couldn't find any ST-Link devices|no device found/i],
  ['wrong-target', /UNEXPECTED idcode|expected \d+ of \d+: 0x|Cannot identify target|Device ID 0x[0-9a-f]+ is unknown|unknown chip id|Unknown device|auto_probe failed/i],
  ['no-target', /unable to connect to the target|Error connecting DP|cannot read IDR|target voltage may be too low|Failed to (connect to target|enter SWD mode)|Target not examined|Unable to reset target|Could not initialize the debug port|timed out while waiting for target/i],
];

/** The kind of failure, and the output line that says so (or the last error line). */
export function classifyFlashFailure(output: string): { kind: FlashFailureKind; line: string } {
  const lines = output.split('\n').map((l) => l.replace(/^\S+ (WARN|ERROR|INFO) \S+: /, '').trim()).filter(Boolean);
  for (const [kind, pattern] of PATTERNS) {
    const line = lines.find((l) => pattern.test(l));
    if (line) return { kind, line };
  }
  const errors = lines.filter((l) => /error|fail/i.test(l));
  return { kind: 'other', line: (errors.length > 0 ? errors : lines).slice(-1)[0] ?? '(no output)' };
}

/** `argv` as one shell command line to copy: plain words as they are, others in single quotes. */
export function shellCommand(argv: string[]): string {
  return argv.map((w) => (/^[A-Za-z0-9_./:=@%+,-]+$/.test(w) ? w : `'${w.replace(/'/g, "'\\''")}'`)).join(' ');
}

const WHAT: Record<FlashFailureKind, string> = {
  permission: 'the probe is there but this user may not open it',
  'no-probe': 'no probe of that kind is connected',
  'wrong-target': 'the probe reached a chip that is not the target\'s',
  'no-target': 'the probe found no chip to talk to',
  other: 'the program failed',
};

function hint(kind: FlashFailureKind, choice: FlashChoice, target: string, command: string[]): string {
  switch (kind) {
    case 'permission':
      return 'install the udev rules of the openocd and stlink-tools packages (in /usr/lib/udev/rules.d), then unplug and plug the probe again; or run as a user in the plugdev group';
    case 'no-probe':
      return `connect the ${choice.probe} probe by USB (lsusb lists it), or name the probe you have with --probe stlink|cmsis-dap|jlink`;
    case 'wrong-target':
      return `check --target: the board is not a ${target} (edgeprune targets lists the boards)`;
    case 'no-target':
      return 'check the SWD wires (SWDIO, SWCLK, GND, and the target\'s 3.3 V to the probe) and that the board is powered; a firmware that sleeps or remaps the SWD pins may need the board held in reset while flashing starts';
    case 'other':
      return `run the command by hand to see all its output: ${shellCommand(command)}`;
  }
}

/** The error of a failed flash run (exit 2: the probe, the board or the machine, not edgeprune). */
export class FlashError extends UserError {
  constructor(
    readonly kind: FlashFailureKind,
    line: string,
    choice: FlashChoice,
    target: string,
    readonly command: string[],
  ) {
    super(`flashing ${target} with ${choice.tool} through ${choice.probe} failed: ${WHAT[kind]} (${choice.tool}: ${line})`, hint(kind, choice, target, command));
    this.name = 'FlashError';
  }
}
