// hw-sim on the host: the harness built with gcc, spoken to over stdin/stdout; protocol errors; missing tools.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFirmware, buildHostHarness, openHostSession, openQemuSession, type HarnessSession } from '../../hw-sim/index.js';
import { UserError } from '../../src/errors.js';
import { FAKE, fakeExpected, fakeInputs, f32, processesMentioning, programsMentioning, readF32, readU32, target, removeTempDirs, tempDir, TROUBLE } from './support.js';

afterAll(removeTempDirs);

describe('host harness', () => {
  let exe: string;
  let session: HarnessSession;

  beforeAll(async () => {
    ({ exe } = await buildHostHarness({ workDir: tempDir('host'), models: [FAKE, TROUBLE] }));
    session = await openHostSession(exe, { runTimeoutMs: 10_000 });
  });
  afterAll(async () => {
    await session?.close();
  });

  it('describes its models', () => {
    expect(session.kind).toBe('host');
    expect(session.models).toEqual([
      { name: 'fake', inputBytes: [32, 32, 4], outputBytes: [32, 4] },
      { name: 'trouble', inputBytes: [4], outputBytes: [4] },
    ]);
    expect(session.stackWindowBytes).toBeNull();
  });

  it('runs a model and returns its outputs, without counts', async () => {
    for (const n of [0, 1, 1000]) {
      const r = await session.run('fake', fakeInputs(n));
      const want = fakeExpected(n);
      expect(r.status).toBe(0);
      expect(readF32(r.outputs[0])).toEqual(want.y);
      expect(readU32(r.outputs[1])).toEqual([want.checksum]);
      expect(r).toMatchObject({ counter: 'none', instructions: null, cycles: null, ticks: null, stackBytes: null });
    }
    const second = await session.run(1, [f32([-3])]);
    expect(readF32(second.outputs[0])).toEqual([-3]);
  });

  it('queues runs started together', async () => {
    const results = await Promise.all([10, 20, 30].map((n) => session.run('fake', fakeInputs(n))));
    expect(results.map((r) => readU32(r.outputs[1])[0])).toEqual([10, 20, 30].map((n) => fakeExpected(n).checksum));
  });

  it('passes the model status through', async () => {
    const r = await session.run('fake', fakeInputs(-1));
    expect(r.status).toBe(1);
  });

  it('checks inputs before sending them', async () => {
    await expect(session.run('fake', [f32([1])])).rejects.toThrow(/takes 3 inputs, got 1/);
    await expect(session.run('fake', [f32([1]), f32([2]), f32([3])])).rejects.toThrow(/input 0 of model 'fake' must be 32 bytes, got 4/);
    await expect(session.run('nope', [])).rejects.toThrow(/no model "nope" \(the firmware has fake, trouble\)/);
    await expect(session.run(2, [])).rejects.toThrow(/no model 2/);
    // still in step afterwards
    expect((await session.run('fake', fakeInputs(3))).status).toBe(0);
  });

  /** A copy of the harness, so that its processes can be told from the shared session's. */
  function copyOfExe(label: string): string {
    const copy = `${exe}-${label}`;
    fs.copyFileSync(exe, copy);
    return copy;
  }

  it('reports a crash of the harness process and ends the session', async () => {
    const crashing = copyOfExe('crash');
    const s = await openHostSession(crashing);
    await expect(s.run('trouble', [f32([-1000])])).rejects.toThrow(/host harness .* was killed by SIGILL/);
    await expect(s.run('fake', fakeInputs(0))).rejects.toThrow(/session has ended/);
    expect(processesMentioning(crashing)).toEqual([]);
    expect(await s.close()).toEqual({ exitCode: null });
  });

  it('times out on a hung model and kills the process', async () => {
    const hanging = copyOfExe('hang');
    const s = await openHostSession(hanging);
    expect(programsMentioning(hanging)).toHaveLength(1);
    await expect(s.run('trouble', [f32([1])], { timeoutMs: 300 })).rejects.toThrow(/no answer to run of model 1 'trouble' within 300 ms/);
    expect(processesMentioning(hanging)).toEqual([]);
    await s.close();
  });

  it('closes with the exit code asked for', async () => {
    const s = await openHostSession(exe);
    expect(await s.close({ exitCode: 7 })).toEqual({ exitCode: 7 });
    await expect(s.run('fake', fakeInputs(0))).rejects.toThrow(/closed/);
  });
});

describe('missing tools', () => {
  it('names the Debian package of a missing cross compiler', async () => {
    const build = buildFirmware({ target: target('mps2-an386'), workDir: tempDir('nogcc'), models: [FAKE], tools: { armPrefix: '/nonexistent/bin/arm-none-eabi-' } });
    await expect(build).rejects.toThrow(UserError);
    await expect(build).rejects.toMatchObject({ hint: expect.stringMatching(/gcc-arm-none-eabi/) });
    await expect(build).rejects.toThrow(/'\/nonexistent\/bin\/arm-none-eabi-gcc' was not found/);
  });

  it('names the Debian package of missing newlib', async () => {
    // A cross compiler that cannot find its C library, as without libnewlib-arm-none-eabi.
    const dir = tempDir('nonewlib');
    const gcc = path.join(dir, 'arm-none-eabi-gcc');
    fs.writeFileSync(gcc, '#!/bin/sh\ncase "$*" in *-print-file-name=*) echo libc_nano.a ;; *) exec arm-none-eabi-gcc "$@" ;; esac\n', { mode: 0o755 });
    const build = buildFirmware({ target: target('stm32f405'), workDir: path.join(dir, 'w'), models: [FAKE], tools: { armPrefix: path.join(dir, 'arm-none-eabi-') } });
    await expect(build).rejects.toThrow(/newlib .* is not installed/);
    await expect(build).rejects.toMatchObject({ hint: expect.stringMatching(/libnewlib-arm-none-eabi/) });
  });

  it('names the Debian package of a missing QEMU', async () => {
    const elf = path.join(tempDir('noqemu'), 'firmware.elf');
    fs.writeFileSync(elf, 'not really');
    const open = openQemuSession(elf, target('mps2-an386'), { tools: { qemu: '/nonexistent/qemu-system-arm' } });
    await expect(open).rejects.toThrow(UserError);
    await expect(open).rejects.toThrow(/'\/nonexistent\/qemu-system-arm' was not found/);
    await expect(open).rejects.toMatchObject({ hint: expect.stringMatching(/qemu-system-arm/) });
  });

  it('names the Debian package of a missing host compiler', async () => {
    const build = buildHostHarness({ workDir: tempDir('nocc'), models: [FAKE], tools: { hostCc: '/nonexistent/gcc' } });
    await expect(build).rejects.toThrow(UserError);
    await expect(build).rejects.toMatchObject({ hint: expect.stringMatching(/install the Debian package gcc/) });
  });
});
