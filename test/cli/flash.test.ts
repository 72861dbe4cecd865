// `edgeprune flash` and `verify --flash` without a board: the refusals (one line, exit 2, before anything is built),
// and a whole run that builds the test firmware, runs openocd and turns its "no probe" into our error, leaving nothing
// behind.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { flashChoice } from '../../src/cli/flash-options.js';
import { findMcuTarget } from '../../src/targets/load-targets.js';
import { runCli } from '../support/cli.js';
import { skipWithoutTools } from '../support/toolchain.js';

const MLP = path.resolve('examples/models/digits-mlp.onnx');
const skip = await skipWithoutTools('test/cli/flash.test.ts', ['gcc', 'arm-none-eabi-gcc', 'openocd']);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeprune-flash-cli-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('edgeprune flash and verify --flash refuse in one line (exit 2)', () => {
  it.each([
    [['flash', MLP, '--target', 'mps2-an386', '--probe', 'stlink'], /^edgeprune: error: target mps2-an386 cannot be flashed: the MPS2\+ is an FPGA prototyping board/],
    [['flash', MLP, '--target', 'stm32f405', '--probe', 'usb'], /^edgeprune: error: --probe 'usb' is not a probe edgeprune knows; known: stlink, cmsis-dap, jlink/],
    [['verify', MLP, '--target', 'stm32f405', '--flash', '--probe', 'stlink'], /^edgeprune: error: --flash programs a real board: it needs --port/],
    [['verify', MLP, '--target', 'stm32f405', '--port', '/dev/null', '--probe', 'stlink'], /^edgeprune: error: --probe is for --flash/],
    [['verify', MLP, '--target', 'ice40-up5k', '--port', '/dev/null', '--flash'], /^edgeprune: error: --flash is for MCU targets; ice40-up5k is an FPGA target/],
  ])('%s', async (args, message) => {
    const r = await runCli(args);
    expect(r.exitCode, String(r.stderr)).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1); // nothing built first: no progress lines
    expect(r.stdout).toBe('');
  });

  it('the probe is checked before anything is built: needed, able to drive the part, and the target flashable', () => {
    const f405 = findMcuTarget('stm32f405');
    expect(() => flashChoice({}, f405, 'flash')).toThrow(/^flash needs --probe: the debug probe the board is connected through$/);
    expect(() => flashChoice({ probe: 'jlink', tool: 'st-flash' }, f405, 'flash')).toThrow(/^--tool st-flash programs through an ST-LINK only, not --probe jlink$/);
    expect(() => flashChoice({ probe: 'jlink' }, findMcuTarget('nrf52840'), 'verify --flash')).toThrow(/^target nrf52840 cannot be flashed: .*UARTE/);
    expect(() => flashChoice({ probe: 'stlink' }, findMcuTarget('stm32h743'), 'flash')).toThrow(/^target stm32h743 cannot be flashed: the test firmware for stm32h743 is linked for its emulator/);
    expect(flashChoice({ probe: 'cmsis-dap' }, f405, 'flash')).toMatchObject({ probe: 'cmsis-dap', tool: 'openocd', board: { target: 'stm32f405' } });
  });

  it('flash --help points to the README\'s "Real boards"', async () => {
    const r = await runCli(['flash', '--help']);
    expect(r.stdout).toMatch(/--probe <probe> +the debug probe the board is connected through/);
    expect(r.stdout).toMatch(/See README\.md, "Real boards": probes, wiring and what has not been run on a board \(nothing of it has yet\)\./);
    expect(fs.readFileSync('README.md', 'utf8')).toMatch(/^## Real boards$/m);
  });
});

describe.skipIf(skip)('edgeprune flash with no probe attached', () => {
  it('builds the test firmware, runs openocd, and reports that no probe is connected; nothing is left behind', async () => {
    const own = path.join(tmp, 'tmp');
    fs.mkdirSync(own);
    const r = await runCli(['flash', MLP, '--target', 'stm32f405', '--probe', 'stlink'], { timeout: 180_000, env: { ...process.env, TMPDIR: own } as Record<string, string> });
    expect(r.exitCode, String(r.stderr)).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      'building the test firmware for stm32f405 (-O2)\nflashing stm32f405 with openocd through stlink\n' +
        'edgeprune: error: flashing stm32f405 with openocd through stlink failed: no probe of that kind is connected (openocd: Error: open failed); ' +
        'connect the stlink probe by USB (lsusb lists it), or name the probe you have with --probe stlink|cmsis-dap|jlink',
    );
    expect(fs.readdirSync(own).filter((f) => /flash/.test(f))).toEqual([]);
  });

  it('verify --flash programs the board after the build and before opening the port', async () => {
    // /dev/null is no serial port: reaching the port would fail otherwise; the flash failure comes first.
    const r = await runCli(['verify', MLP, '--target', 'stm32f446', '--port', '/dev/null', '--flash', '--probe', 'cmsis-dap', '--vectors', '1'], { timeout: 180_000 });
    expect(r.exitCode, String(r.stderr)).toBe(2);
    expect(r.stderr).toMatch(/\nflashing stm32f446 with openocd through cmsis-dap\nedgeprune: error: flashing stm32f446 with openocd through cmsis-dap failed: no probe of that kind is connected \(openocd: Error: unable to find a matching CMSIS-DAP device\)/);
    expect(r.stderr).not.toMatch(/serial port/);
  });
});
