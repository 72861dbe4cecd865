// hw-sim's board paths without a board: the serial session on QEMU's pty (as on /dev/ttyACM0),
// a firmware that never answers, and large inputs and outputs.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildFirmware,
  buildHostHarness,
  HwSimExitError,
  HwSimTimeoutError,
  openHostSession,
  openQemuSession,
  openSerialSession,
  type FirmwareBuild,
} from '../../hw-sim/index.js';
import { UserError } from '../../src/errors.js';
import { startQemuBoard } from '../support/qemu-board.js';
import { FAKE, fakeExpected, fakeInputs, f32, processesMentioning, readF32, readU32, target, removeTempDirs, tempDir } from './support.js';

afterAll(removeTempDirs);

const ECHO = { name: 'echo', prefix: 'echo', dir: path.resolve('test/fixtures/c-echo-model') };

describe('a board on a serial port (QEMU standing in)', () => {
  const t = target('stm32f405');
  let build: FirmwareBuild;

  beforeAll(async () => {
    build = await buildFirmware({ target: t, workDir: tempDir('board'), models: [FAKE, ECHO] });
  });
  afterAll(() => {
    expect(processesMentioning(build.elf)).toEqual([]);
  });

  it('reports QEMU\'s own message when it cannot run the firmware, however its end races the start-up', async () => {
    // The STM32's firmware (flash at 0x08000000) on the LM3S6965 machine (no memory there): QEMU
    // aborts at once, before or after the pty is opened or the first ping is written. Each race
    // used to give another error (a handshake timeout, EIO on the pty, a closed port); several
    // starts make each likely on a loaded machine.
    for (let i = 0; i < 6; i++) {
      const open = openQemuSession(build.elf, target('lm3s6965'));
      await expect(open).rejects.toThrow(/^QEMU lm3s6965evb \(lm3s6965\): QEMU was killed by SIGABRT: qemu: fatal: Lockup: can't escalate 3 to HardFault/);
      await expect(open).rejects.toBeInstanceOf(HwSimExitError);
      await expect(open).rejects.toBeInstanceOf(UserError); // exit 2 in the CLI, with QEMU's message
    }
    expect(processesMentioning(build.elf)).toEqual([]);
  });

  it('speaks the protocol over the port and reports cycles, not instructions', async () => {
    // Started by hand, as a board would be: the session only knows the port.
    const { qemu, pty } = await startQemuBoard(t, build.elf, 30_000);
    try {
      const board = await openSerialSession(pty, { runTimeoutMs: 10_000 });
      expect(board.kind).toBe('serial');
      expect(board.transfer).toBe('uart');
      expect(board.models.map((m) => m.name)).toEqual(['fake', 'echo']);
      const r = await board.run('fake', fakeInputs(100));
      expect(readF32(r.outputs[0])).toEqual(fakeExpected(100).y);
      expect(readU32(r.outputs[1])).toEqual([fakeExpected(100).checksum]);
      // QEMU's DWT does not count, so the firmware falls back to SysTick: core cycles on a board.
      expect(r.counter).toBe('systick-cycles');
      expect(r.cycles).toBe(r.ticks);
      expect(r.instructions).toBeNull();
      expect(r.stackBytes).toBeGreaterThanOrEqual(512);
      expect(await board.close()).toEqual({ exitCode: null }); // no semihosting exit on a board
    } finally {
      qemu.kill('SIGKILL');
      await qemu;
    }
  });

  it('moves 16 KiB each way through files', async () => {
    const s = await openQemuSession(build.elf, t);
    try {
      const x = Float32Array.from({ length: 4096 }, (_, i) => i * 0.25 - 100);
      const r = await s.run('echo', [new Uint8Array(x.buffer)]);
      const y = readF32(r.outputs[0]);
      expect(y).toEqual(Array.from(x).reverse());
      expect(s.transfer).toBe('files'); // the time it takes is a figure of bench/hw-sim-sessions.ts
    } finally {
      await s.close();
    }
  });

  it('times out when the firmware never answers, and leaves no QEMU behind', async () => {
    // The LM3S6965 with a CMSDK UART driver: it polls GPIO port A for ever instead of its UART.
    const lm3s = target('lm3s6965');
    const wrong = await buildFirmware({ target: { ...lm3s, uart: { driver: 'cmsdk', base: '0x40004000' } }, workDir: tempDir('wrong'), models: [FAKE] });
    const open = openQemuSession(wrong.elf, lm3s, { handshakeTimeoutMs: 1000 });
    await expect(open).rejects.toThrow(HwSimTimeoutError);
    await expect(open).rejects.toThrow(/QEMU lm3s6965evb \(lm3s6965\): the firmware did not answer a ping within 1000 ms/);
    expect(processesMentioning(wrong.elf)).toEqual([]);
    // QEMU's lifetime ends it whatever it does: a timeout too (exit 2), not QEMU "stopping by itself".
    const short = openQemuSession(wrong.elf, lm3s, { handshakeTimeoutMs: 60_000, lifetimeMs: 300 });
    await expect(short).rejects.toThrow(HwSimTimeoutError);
    await expect(short).rejects.toThrow(/^QEMU lm3s6965evb \(lm3s6965\): QEMU ran past its lifetime of 0\.3 s and was killed$/);
    expect(processesMentioning(wrong.elf)).toEqual([]);
  });
});

describe('a program that is not the harness', () => {
  it('times out on the handshake and is killed', async () => {
    const dir = tempDir('notharness');
    const cat = path.join(dir, 'cat');
    fs.copyFileSync('/bin/cat', cat);
    fs.chmodSync(cat, 0o755);
    const open = openHostSession(cat, { handshakeTimeoutMs: 300 });
    await expect(open).rejects.toThrow(/did not answer a ping within 300 ms/);
    expect(processesMentioning(cat)).toEqual([]);
  });
});

describe('the host harness with file transfer', () => {
  it('gives the same outputs as over stdin/stdout', async () => {
    const { exe } = await buildHostHarness({ workDir: tempDir('hostfiles'), models: [FAKE, ECHO] });
    const files = await openHostSession(exe, { transfer: 'files' });
    const pipe = await openHostSession(exe);
    try {
      expect(files.transfer).toBe('files');
      expect((await files.run('fake', fakeInputs(7))).outputs).toEqual((await pipe.run('fake', fakeInputs(7))).outputs);
      const x = f32(Array.from({ length: 4096 }, (_, i) => i));
      expect((await files.run('echo', [x])).outputs).toEqual((await pipe.run('echo', [x])).outputs);
    } finally {
      await files.close();
      await pipe.close();
    }
  });
});
