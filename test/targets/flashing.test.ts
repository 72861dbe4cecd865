// Flashing real boards, the pure parts: which targets can be flashed (targets/<name>.json "flashing"), the openocd and
// st-flash command lines of each probe, and what a failed run's output means.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { classifyFlashFailure, FlashError, shellCommand } from '../../hw-sim/flash/failures.js';
import { openocdArgs, openocdFileWord } from '../../hw-sim/flash/openocd.js';
import { checkFlashChoice, PROBES } from '../../hw-sim/flash/probes.js';
import { stFlashArgs } from '../../hw-sim/flash/st-flash.js';
import { UserError } from '../../src/errors.js';
import { flashableBoard, type FlashableBoard } from '../../src/targets/flashing.js';
import { findMcuTarget, listMcuTargets, readTargetFile } from '../../src/targets/load-targets.js';

const f405 = () => flashableBoard(findMcuTarget('stm32f405'));
const ELF = '/tmp/edgeprune-1-2-flash-x/target/firmware.elf';

describe('the targets that can be flashed', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeprune-flashing-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  /** targets/stm32f405.json changed by `edit`, written to `dir` and read back. */
  const edited = (edit: (t: Record<string, unknown>) => void) => {
    const t = JSON.parse(fs.readFileSync('targets/stm32f405.json', 'utf8')) as Record<string, unknown>;
    edit(t);
    const file = path.join(dir, 'stm32f405.json');
    fs.writeFileSync(file, JSON.stringify(t));
    return () => readTargetFile(file);
  };

  it('are the STM32F4 boards, through openocd\'s stm32f4x script or st-flash, at their flash origin', () => {
    const flashable = listMcuTargets().filter((t) => t.flashing && !('unsupported' in t.flashing));
    expect(flashable.map((t) => t.name)).toEqual(['stm32f405', 'stm32f446']);
    for (const t of flashable) {
      expect(flashableBoard(t)).toMatchObject({ target: t.name, openocdTarget: 'target/stm32f4x.cfg', base: '0x08000000', stflash: true });
      expect(flashableBoard(t).serial).toMatch(/PA9.*PA10/);
    }
  });

  it('every other MCU target says why it cannot be flashed, and the refusal says it (exit 2)', () => {
    const reasons: Record<string, RegExp> = {
      'mps2-an386': /FPGA prototyping board .* QEMU only/, 'mps2-an500': /FPGA prototyping board .* QEMU only/,
      stm32h743: /linked for its emulator, QEMU's mps2-an500/, nrf52840: /UARTE there is no driver for/, lm3s6965: /UART divisor assumes the 12\.5 MHz clock/,
    };
    for (const t of listMcuTargets().filter((m) => !['stm32f405', 'stm32f446'].includes(m.name))) {
      expect(t.flashing, t.name).toHaveProperty('unsupported');
      const refusal = (() => {
        try {
          flashableBoard(t);
        } catch (e) {
          return e;
        }
      })();
      expect(refusal).toBeInstanceOf(UserError);
      expect((refusal as UserError).message).toMatch(new RegExp(`^target ${t.name} cannot be flashed: `));
      expect((refusal as UserError).message, t.name).toMatch(reasons[t.name]);
    }
  });

  it('a target without a flashing block is refused by name, with what to add', () => {
    const t = edited((x) => delete x.flashing)(); // the block is optional
    if (t.kind !== 'mcu') throw new Error('not an MCU target');
    expect(t.flashing).toBeUndefined();
    expect(() => flashableBoard(t)).toThrow(
      /^target stm32f405 cannot be flashed: targets\/stm32f405\.json has no "flashing" block \(openocd's target script and the flash base\)$/,
    );
  });

  it('the flash base must be where the firmware is linked, and the block has no unknown fields', () => {
    expect(edited((x) => Object.assign(x.flashing as object, { base: '0x00000000' }))).toThrow(
      /flashing\.base: 0x00000000 is not flash\.origin \(0x08000000\): the test firmware is linked at flash\.origin/,
    );
    expect(edited((x) => Object.assign(x.flashing as object, { openocdTarget: 'stm32f4x.cfg' }))).toThrow(/an openocd target script like "target\/stm32f4x\.cfg"/);
    expect(edited((x) => Object.assign(x.flashing as object, { speed: 4000 }))).toThrow(/invalid: flashing/);
    expect(edited((x) => Object.assign(x.flashing as object, { base: '0x8000000' }))().name).toBe('stm32f405'); // the same address written shorter
  });
});

describe('openocd\'s command line', () => {
  it('takes the probe\'s interface script, selects SWD, the part\'s target script, then programs, verifies, resets and exits', () => {
    expect(openocdArgs(f405(), 'stlink', ELF)).toEqual([
      '-f', 'interface/stlink.cfg', '-c', 'transport select hla_swd', '-f', 'target/stm32f4x.cfg', '-c', `program ${ELF} verify reset exit`,
    ]);
    expect(openocdArgs(f405(), 'cmsis-dap', ELF).slice(0, 4)).toEqual(['-f', 'interface/cmsis-dap.cfg', '-c', 'transport select swd']);
    expect(openocdArgs(f405(), 'jlink', ELF).slice(0, 4)).toEqual(['-f', 'interface/jlink.cfg', '-c', 'transport select swd']);
    expect(PROBES).toEqual(['stlink', 'cmsis-dap', 'jlink']);
  });

  it('refuses a firmware path that openocd\'s program would re-read as Tcl, naming what to do', () => {
    for (const bad of ['/tmp/my dir/firmware.elf', '/tmp/a$b/f.elf', '/tmp/[exec rm]/f.elf', '/tmp/a;b/f.elf', '/tmp/a"b/f.elf', '/tmp/a{b/f.elf', '/tmp/a\\b/f.elf', '/tmp/a\nb/f.elf']) {
      expect(() => openocdFileWord(bad), bad).toThrow(UserError);
      expect(() => openocdArgs(f405(), 'stlink', bad), bad).toThrow(/cannot give openocd the firmware path .* re-reads the name as Tcl/);
    }
    expect(openocdFileWord('/tmp/edgeprune-12-34-flash-Ab_9/target/firmware.elf')).toBe('/tmp/edgeprune-12-34-flash-Ab_9/target/firmware.elf');
  });
});

describe('st-flash\'s command line', () => {
  it('writes the raw image at the flash base and resets', () => {
    expect(stFlashArgs(f405(), '/tmp/x/firmware.bin')).toEqual(['--reset', 'write', '/tmp/x/firmware.bin', '0x08000000']);
  });

  it('is refused with another probe than an ST-LINK, or for a part st-flash does not know', () => {
    expect(() => checkFlashChoice(f405(), { probe: 'jlink', tool: 'st-flash' })).toThrow(/^--tool st-flash programs through an ST-LINK only, not --probe jlink$/);
    const notStm32: FlashableBoard = { ...f405(), target: 'other', stflash: false };
    expect(() => checkFlashChoice(notStm32, { probe: 'stlink', tool: 'st-flash' })).toThrow(/^--tool st-flash cannot program other/);
    expect(() => checkFlashChoice(notStm32, { probe: 'jlink', tool: 'openocd' })).not.toThrow();
    expect(() => checkFlashChoice(f405(), { probe: 'stlink', tool: 'st-flash' })).not.toThrow();
  });
});

describe('a failed flash run', () => {
  // The first four are what openocd 0.12 and st-flash 1.7 print here, with no probe attached.
  const noProbe = {
    stlink: 'Open On-Chip Debugger 0.12.0\nhla_swd\nInfo : clock speed 2000 kHz\nError: open failed\nin procedure \'program\'\n** OpenOCD init failed **\nshutdown command invoked',
    cmsisDap: 'Open On-Chip Debugger 0.12.0\nswd\nError: unable to find a matching CMSIS-DAP device\n** OpenOCD init failed **\nshutdown command invoked',
    jlink: 'Open On-Chip Debugger 0.12.0\nswd\nError: No J-Link device found\n** OpenOCD init failed **\nshutdown command invoked',
    stFlash: 'st-flash 1.7.0\n2026-12-05T16:06:05 WARN usb.c: Couldn\'t find any ST-Link devices',
  };

  it('is read as no probe, no permission, no chip or another chip, with the line that says so', () => {
    expect(classifyFlashFailure(noProbe.stlink)).toEqual({ kind: 'no-probe', line: 'Error: open failed' });
    expect(classifyFlashFailure(noProbe.cmsisDap)).toEqual({ kind: 'no-probe', line: 'Error: unable to find a matching CMSIS-DAP device' });
    expect(classifyFlashFailure(noProbe.jlink)).toEqual({ kind: 'no-probe', line: 'Error: No J-Link device found' });
    expect(classifyFlashFailure(noProbe.stFlash)).toEqual({ kind: 'no-probe', line: 'Couldn\'t find any ST-Link devices' });
    // A permission failure also fails the open: it wins.
    expect(classifyFlashFailure('Error: libusb_open() failed with LIBUSB_ERROR_ACCESS\nError: open failed').kind).toBe('permission');
    expect(classifyFlashFailure('Info : STLINK V2J37S7 (API v2) VID:PID 0483:3748\nError: init mode failed (unable to connect to the target)').kind).toBe('no-target');
    expect(classifyFlashFailure('Error: Error connecting DP: cannot read IDR').kind).toBe('no-target');
    expect(classifyFlashFailure('Warn : UNEXPECTED idcode: 0x2ba01477\nError: expected 1 of 1: 0x4ba00477').kind).toBe('wrong-target');
    expect(classifyFlashFailure('Error: Cannot identify target as a STM32 family.\nError: auto_probe failed').kind).toBe('wrong-target');
    expect(classifyFlashFailure('Info : something\nError: flash write failed at address 0x8000000\nshutdown command invoked')).toEqual({ kind: 'other', line: 'Error: flash write failed at address 0x8000000' });
    expect(classifyFlashFailure('')).toEqual({ kind: 'other', line: '(no output)' });
  });

  it('becomes a UserError (exit 2) that says what happened and what to check', () => {
    const command = ['openocd', ...openocdArgs(f405(), 'stlink', ELF)];
    const e = new FlashError('no-probe', 'Error: open failed', { probe: 'stlink', tool: 'openocd' }, 'stm32f405', command);
    expect(e).toBeInstanceOf(UserError);
    expect(e.message).toBe('flashing stm32f405 with openocd through stlink failed: no probe of that kind is connected (openocd: Error: open failed)');
    expect(e.hint).toMatch(/^connect the stlink probe by USB/);
    expect(new FlashError('permission', 'x', { probe: 'jlink', tool: 'openocd' }, 'stm32f405', command).hint).toMatch(/udev rules/);
    expect(new FlashError('wrong-target', 'x', { probe: 'jlink', tool: 'openocd' }, 'stm32f446', command).hint).toMatch(/the board is not a stm32f446/);
    expect(new FlashError('no-target', 'x', { probe: 'jlink', tool: 'openocd' }, 'stm32f405', command).hint).toMatch(/SWD wires/);
    expect(new FlashError('other', 'x', { probe: 'stlink', tool: 'openocd' }, 'stm32f405', command).hint).toBe(
      `run the command by hand to see all its output: openocd -f interface/stlink.cfg -c 'transport select hla_swd' -f target/stm32f4x.cfg -c 'program ${ELF} verify reset exit'`,
    );
    expect(shellCommand(['a', "it's", 'x y'])).toBe("a 'it'\\''s' 'x y'");
  });
});
