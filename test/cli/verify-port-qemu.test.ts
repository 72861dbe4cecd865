// `verify --port --flash` and `flash --port` as on a board, with QEMU standing in for the board and a script for
// openocd: the test firmware built as `edgeprune flash` builds it runs in QEMU (the "flashed board"); the script keeps
// the ELF it is asked to program, and verify runs the vectors over QEMU's pty exactly as over /dev/ttyACM0, compares
// every output with the interpreter and reports the counted cycles as measured.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FirmwareBuild } from '../../hw-sim/index.js';
import { startQemuBoard } from '../support/qemu-board.js';
import { renderFlash } from '../../src/cli/commands/flash.js';
import { renderVerify } from '../../src/cli/commands/verify.js';
import { buildTestFirmware } from '../../src/flash/test-firmware.js';
import { loadModel, modelDisplayName } from '../../src/import/load-model.js';
import { findMcuTarget } from '../../src/targets/load-targets.js';
import { runCli } from '../support/cli.js';
import { skipWithoutTools } from '../support/toolchain.js';

const MLP = path.resolve('examples/models/digits-mlp.onnx');
const skip = await skipWithoutTools('test/cli/verify-port-qemu.test.ts', ['gcc', 'arm-none-eabi-gcc', 'qemu-system-arm']);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeprune-verify-port-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A PATH whose openocd copies the ELF of its `program` command to $FLASHED and succeeds, as a real one would after programming. */
function fakeOpenocd(): Record<string, string> {
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin, { recursive: true });
  const script = '#!/bin/sh\nfor a in "$@"; do case "$a" in "program "*) set -- $a; cp "$2" "$FLASHED" ;; esac; done\necho "** Verified OK **"\n';
  fs.writeFileSync(path.join(bin, 'openocd'), script, { mode: 0o755 });
  return { ...process.env, PATH: `${bin}:${process.env.PATH}`, FLASHED: path.join(dir, 'flashed.elf') } as Record<string, string>;
}

/** The raw image of an ELF (what a probe writes into flash). */
async function image(elf: string): Promise<Buffer> {
  const bin = `${elf}.bin`;
  await execa('arm-none-eabi-objcopy', ['-O', 'binary', elf, bin], { timeout: 60_000, stdin: 'ignore' });
  return fs.readFileSync(bin);
}

describe.skipIf(skip)('verify --port on the pty of a QEMU running the flashed firmware', () => {
  const target = findMcuTarget('stm32f405');
  let firmware: FirmwareBuild;
  let qemu: ResultPromise;
  let pty: string;

  beforeAll(async () => {
    const g = await loadModel(MLP);
    firmware = await buildTestFirmware(g, modelDisplayName(MLP), { target, workDir: path.join(dir, 'flash'), prefix: 'model', optimize: 'O2' });
    // The board, powered on with the firmware in flash: QEMU, started by hand; verify only knows its serial port.
    ({ qemu, pty } = await startQemuBoard(target, firmware.elf, 600_000));
  });

  afterAll(async () => {
    qemu?.kill('SIGKILL');
    await qemu;
  });

  it('verify --flash programs the firmware, runs the vectors over the serial port, matches the interpreter, and reports measured cycles and ms', async () => {
    const r = await runCli(['verify', MLP, '--target', 'stm32f405', '--port', pty, '--flash', '--probe', 'stlink', '--vectors', '3', '--json'], { timeout: 300_000, env: fakeOpenocd() });
    expect(r.stderr).toBe('');
    expect(r.exitCode, String(r.stderr)).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ passed: true, vectors: 3, runOn: `board on ${pty}, flashed with openocd through stlink`, hostBitIdentical: true, instructions: null, instructionsPerMac: null });
    expect(report.maxAbsError).toBeLessThan(1e-4);
    // QEMU's DWT does not count: the firmware falls back to SysTick, core cycles as on a board without a DWT.
    expect(report.estimateBasis).toBe('measured on the board: SysTick cycles, ms = cycles / 168 MHz');
    expect(report.cycles).toBeGreaterThan(0);
    expect(report.estimatedMs).toBeCloseTo((report.cycles / 168e6) * 1000, 9);
    for (const v of report.results) expect(v).toMatchObject({ passed: true, instructions: null, cycles: expect.any(Number) });
    expect(renderVerify(report)).toMatch(/\ncycles per inference: [\d,]+ → [\d.]+ ms \(measured on the board: SysTick cycles, ms = cycles \/ 168 MHz\)\n/);
    // What verify flashed is what the board runs, and what edgeprune flash builds: the same bytes in flash.
    expect((await image(path.join(dir, 'flashed.elf'))).equals(await image(firmware.elf))).toBe(true);
  });

  it('flash --port checks that the flashed firmware answers on the serial port', async () => {
    const r = await runCli(['flash', MLP, '--target', 'stm32f405', '--probe', 'stlink', '--port', pty, '--json'], { timeout: 300_000, env: fakeOpenocd() });
    expect(r.stderr).toBe('');
    expect(r.exitCode, String(r.stderr)).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary).toMatchObject({ model: 'digits-mlp', target: 'stm32f405', probe: 'stlink', tool: 'openocd', port: pty, answeredModels: ['digits-mlp'] });
    expect(summary.command).toEqual(['openocd', '-f', 'interface/stlink.cfg', '-c', 'transport select hla_swd', '-f', 'target/stm32f4x.cfg', '-c', expect.stringMatching(/^program \/\S+\/target\/firmware\.elf verify reset exit$/)]);
    expect(summary.firmwareFlashBytes).toBe(firmware.flashBytes);
    expect(renderFlash(summary, 'USART1')).toMatch(
      new RegExp(`^flashed the test firmware of digits-mlp \\([\\d.]+ KiB\\) into stm32f405 with openocd through stlink in [\\d.]+ s\ncommand: openocd -f interface/stlink.cfg -c 'transport select hla_swd' .*\nthe firmware answers on ${pty} \\(models: digits-mlp\\)$`),
    );
    expect(renderFlash({ ...summary, port: null, answeredModels: null }, 'USART1: TX PA9')).toMatch(/\nserial port: USART1: TX PA9; then: edgeprune verify <model> --target stm32f405 --port <serial port>$/);
  });
});
