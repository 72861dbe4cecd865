// hw-sim on QEMU: the same firmware on every Cortex-M target, outputs identical to the host build,
// instruction counts that repeat and grow linearly with work, stack figures, and the failures
// (a hung model, a CPU fault, a program too big for the part) ending cleanly.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildFirmware,
  buildHostHarness,
  HwSimFaultError,
  HwSimTimeoutError,
  openHostSession,
  openQemuSession,
  type FirmwareBuild,
  type HarnessSession,
  type RunResult,
} from '../../hw-sim/index.js';
import { UserError } from '../../src/errors.js';
import { BIG, CALIB, FAKE, fakeExpected, fakeInputs, f32, processesMentioning, programsMentioning, readF32, target, TARGET_NAMES, removeTempDirs, tempDir, TROUBLE, u32 } from './support.js';

const ITERATIONS = [0, 1000, 2000, 4000];

// Every target's firmware (and the host build) is built once, in parallel, before the tests.
const builds = new Map<string, FirmwareBuild>();
let host: HarnessSession;

beforeAll(async () => {
  const [hostBuild, ...firmwares] = await Promise.all([
    buildHostHarness({ workDir: tempDir('host'), models: [FAKE, CALIB] }),
    ...TARGET_NAMES.map((name) => buildFirmware({ target: target(name), workDir: tempDir(name), models: [FAKE, CALIB] })),
  ]);
  firmwares.forEach((b) => builds.set(b.target, b));
  host = await openHostSession(hostBuild.exe);
});
afterAll(async () => {
  await host?.close();
  removeTempDirs();
});

describe.each(TARGET_NAMES)('QEMU %s', (name) => {
  const t = target(name);
  let build: FirmwareBuild;
  let session: HarnessSession;
  const runs = new Map<number, RunResult>();

  beforeAll(async () => {
    build = builds.get(name)!;
    session = await openQemuSession(build.elf, t, { runTimeoutMs: 20_000 });
  });
  afterAll(async () => {
    if (session) expect(await session.close({ exitCode: 3 })).toEqual({ exitCode: 3 });
    if (build) expect(processesMentioning(build.elf)).toEqual([]);
  });

  it('builds within the part and reports sizes', () => {
    expect(build.flashBytes).toBe(build.sections.text + build.sections.data);
    expect(build.flashBytes).toBeLessThan(16 * 1024);
    expect(build.ramBytes).toBeLessThan(t.ram.bytes);
    expect(build.sections.stackReserve).toBe(4096);
    const fake = build.linkedSizes.fake;
    expect(fake.text).toBeGreaterThan(100);
    expect(fake.bss).toBe(108); // the arena
    expect(build.linkedSizes.calib.bss).toBe(8);
    expect(Object.keys(build.objectSizes).some((s) => s.endsWith('c-fake-model/model.c'))).toBe(true);
  });

  it('serves two models and computes what the host build computes', async () => {
    expect(session.models.map((m) => m.name)).toEqual(['fake', 'calib']);
    for (const n of ITERATIONS) {
      const want = await host.run('fake', fakeInputs(n));
      const got = await session.run('fake', fakeInputs(n));
      runs.set(n, got);
      expect(got.status).toBe(0);
      expect(got.outputs).toEqual(want.outputs);
      expect(readF32(got.outputs[0])).toEqual(fakeExpected(n).y);
    }
    const calib = await session.run('calib', [u32([5])]);
    expect(calib.outputs).toEqual((await host.run('calib', [u32([5])])).outputs);
  });

  it('counts instructions deterministically and linearly in the work', async () => {
    const again = await session.run('fake', fakeInputs(1000));
    const first = runs.get(1000)!;
    expect(again.counter).toBe('icount-systick');
    expect(again.ticks).toBe(first.ticks);
    expect(again.instructions).toBe(first.instructions);
    const i = ITERATIONS.map((n) => runs.get(n)!.instructions!);
    const tick = 1e9 / t.emulator.systickHz; // resolution: instructions per SysTick tick
    const perIteration = (i[3] - i[0]) / 4000;
    expect(perIteration).toBeGreaterThanOrEqual(3);
    expect(perIteration).toBeLessThanOrEqual(6);
    expect(Math.abs(i[2] - i[1] - (i[1] - i[0]))).toBeLessThanOrEqual(2 * tick);
    expect(Math.abs(i[3] - i[2] - 2 * (i[1] - i[0]))).toBeLessThanOrEqual(3 * tick);
    expect(i[0]).toBeGreaterThan(500); // the scratch buffer and the float loop
    expect(i[0]).toBeLessThan(20_000); // soft float on the Cortex-M3 costs more
  });

  it('matches the target profile\'s SysTick clock (a loop of exactly 2 instructions per step)', async () => {
    const tick = 1e9 / t.emulator.systickHz;
    const one = await session.run('calib', [u32([1])]);
    const many = await session.run('calib', [u32([1_000_001])]);
    expect(Math.abs(many.instructions! - one.instructions! - 2_000_000)).toBeLessThanOrEqual(tick + 1);
  });

  it('gives the same results and counts when the data goes over the UART', async () => {
    expect(session.transfer).toBe('files');
    const uart = await openQemuSession(build.elf, t, { transfer: 'uart' });
    try {
      expect(uart.transfer).toBe('uart');
      const r = await uart.run('fake', fakeInputs(1000));
      const f = runs.get(1000)!;
      expect(r.outputs).toEqual(f.outputs);
      expect(r.ticks).toBe(f.ticks);
      expect(r.stackBytes).toBe(f.stackBytes);
    } finally {
      await uart.close();
    }
  });

  it('runs a batch with one command through the files (B): each run as a single run gives it', async () => {
    const vectors = [...ITERATIONS, ...ITERATIONS].map((n) => fakeInputs(n));
    const batch = await session.runMany('fake', vectors);
    expect(batch).toHaveLength(vectors.length);
    // One command for all: each run's wall time is the batch's share.
    expect(new Set(batch.map((r) => r.wallMs)).size).toBe(1);
    batch.forEach((r, i) => {
      const single = runs.get(ITERATIONS[i % ITERATIONS.length])!;
      expect(r.outputs, `run ${i}`).toEqual(single.outputs);
      expect(r.ticks, `run ${i}`).toBe(single.ticks);
      expect(r.stackBytes, `run ${i}`).toBe(single.stackBytes);
    });
    // The host session (no transfer files) runs them one by one, with the same outputs.
    expect((await host.runMany('fake', vectors)).map((r) => r.outputs)).toEqual(batch.map((r) => r.outputs));
    // A vector of the wrong size is refused before anything is sent, and the session goes on.
    const short = [...fakeInputs(0).slice(0, -1), new Uint8Array(3)];
    await expect(session.runMany('fake', [fakeInputs(0), short])).rejects.toThrow(/input 2 of model 'fake' must be \d+ bytes, got 3/);
    expect((await session.runMany('calib', [[u32([5])]]))[0].outputs).toEqual((await host.run('calib', [u32([5])])).outputs);
  });

  it('reports a plausible stack high-water mark', () => {
    const r = runs.get(0)!;
    expect(r.stackBytes).toBeGreaterThanOrEqual(512); // fake_run's scratch buffer
    expect(r.stackBytes).toBeLessThan(1024);
    expect(r.stackTotalBytes).toBeGreaterThan(r.stackBytes!);
    expect(r.stackTotalBytes).toBeLessThan(2048);
    expect(session.stackWindowBytes).toBeGreaterThan(r.stackTotalBytes!);
  });
});

describe('QEMU instruction counts over SysTick wraps', () => {
  it('stay exact when a run outlasts the 24-bit counter (stm32f405: a wrap every ~100M instructions)', async () => {
    const t = target('stm32f405');
    const s = await openQemuSession(builds.get('stm32f405')!.elf, t);
    try {
      const one = await s.run('calib', [u32([1])]);
      const long = await s.run('calib', [u32([60_000_001])]); // 120M instructions: one wrap
      expect(long.ticks).toBeGreaterThan(2 ** 24);
      const extra = long.instructions! - one.instructions! - 120_000_000;
      expect(extra).toBeGreaterThanOrEqual(0);
      expect(extra).toBeLessThanOrEqual(60); // the wrap interrupt, and a tick of rounding
    } finally {
      await s.close();
    }
  });
});

describe('QEMU with two models, a hang and a fault', () => {
  const t = target('mps2-an386');
  let build: FirmwareBuild;

  beforeAll(async () => {
    build = await buildFirmware({ target: t, workDir: tempDir('two'), models: [FAKE, TROUBLE] });
  });

  it('serves both models', async () => {
    const s = await openQemuSession(build.elf, t);
    try {
      expect(s.models.map((m) => m.name)).toEqual(['fake', 'trouble']);
      const a = await s.run('trouble', [f32([-2.5])]);
      expect(readF32(a.outputs[0])).toEqual([-2.5]);
      const b = await s.run(0, fakeInputs(10));
      expect(b.status).toBe(0);
      expect(build.linkedSizes.trouble.bss).toBe(8);
    } finally {
      await s.close();
    }
  });

  it('times out on a hung model and leaves no QEMU behind', async () => {
    const s = await openQemuSession(build.elf, t);
    expect(programsMentioning(build.elf)).toHaveLength(1);
    const run = s.run('trouble', [f32([1])], { timeoutMs: 500 });
    await expect(run).rejects.toThrow(HwSimTimeoutError);
    await expect(run).rejects.toThrow(/no answer to run of model 1 'trouble' within 500 ms/);
    // A timeout is the machine's problem (exit 2), and says how loaded it is.
    await expect(run).rejects.toBeInstanceOf(UserError);
    await expect(run).rejects.toMatchObject({ hint: expect.stringMatching(/overloaded \(load average [\d.]+ on \d+ cores?\): retry/) });
    // How fast the timeout fires and QEMU goes is a figure of bench/hw-sim-sessions.ts, not a test.
    expect(processesMentioning(build.elf)).toEqual([]);
    await expect(s.run('fake', fakeInputs(0))).rejects.toThrow(/session has ended/);
    expect(await s.close()).toEqual({ exitCode: null });
  });

  it('reports a CPU fault with its address, and ends the session', async () => {
    const s = await openQemuSession(build.elf, t);
    const run = s.run('trouble', [f32([-1000])]);
    await expect(run).rejects.toThrow(HwSimFaultError);
    await expect(run).rejects.toThrow(/faulted \((hardfault|usagefault) at pc=0x[0-9a-f]{8}, CFSR=0x00010000\)/);
    expect(processesMentioning(build.elf)).toEqual([]);
    await s.close();
  });
});

describe('programs the part cannot take', () => {
  it('refuse a model that calls malloc, naming where it came from', async () => {
    const dir = tempDir('greedy');
    fs.writeFileSync(path.join(dir, 'model.h'), '#ifndef GREEDY_MODEL_H\n#define GREEDY_MODEL_H\n#define GREEDY_NUM_INPUTS 1\n#define GREEDY_NUM_OUTPUTS 1\nint greedy_run(void);\nvoid *greedy_input(int);\nconst void *greedy_output(int);\nunsigned greedy_input_bytes(int);\nunsigned greedy_output_bytes(int);\n#endif\n');
    fs.writeFileSync(
      path.join(dir, 'model.c'),
      '#include <stdlib.h>\n#include "model.h"\nstatic float *buf;\nint greedy_run(void) { buf = malloc(64); return buf == 0; }\n' +
        'void *greedy_input(int i) { (void)i; return buf; }\nconst void *greedy_output(int i) { (void)i; return buf; }\n' +
        'unsigned greedy_input_bytes(int i) { (void)i; return 4; }\nunsigned greedy_output_bytes(int i) { (void)i; return 4; }\n' +
        '/* never called: gc-sections drops it, and its malloc with it */\nvoid *greedy_unused(void) { return calloc(4, 4); }\n',
    );
    const b = buildFirmware({ target: target('mps2-an386'), workDir: tempDir('greedy-build'), models: [{ name: 'greedy', prefix: 'greedy', dir }] });
    await expect(b).rejects.toThrow(UserError);
    await expect(b).rejects.toThrow(/the program allocates memory \(malloc\): called by \S+-model\.o \((malloc|calloc)\), \S+-model\.o \((malloc|calloc)\); model code must not call malloc or stdio/);
  });

  it('accept the harness without printf or malloc', () => {
    const map = fs.readFileSync(builds.get('lm3s6965')!.map, 'utf8');
    const linked = map.slice(map.indexOf('Linker script and memory map'));
    expect(linked).not.toMatch(/printf|malloc|_sbrk/);
  });

  it('fail to link with the sizes, as a UserError', async () => {
    const ram = buildFirmware({ target: target('stm32f405'), workDir: tempDir('big-stm32'), models: [BIG] });
    await expect(ram).rejects.toThrow(UserError);
    await expect(ram).rejects.toThrow(
      /the program does not fit stm32f405: RAM overflowed by \d+ bytes: static data \+ bss need \d+ bytes plus 4096 reserved for the stack = \d+, the part has 131072/,
    );
    const flash = buildFirmware({ target: target('lm3s6965'), workDir: tempDir('big-lm3s'), models: [BIG] });
    await expect(flash).rejects.toThrow(/does not fit lm3s6965: .*flash overflowed by \d+ bytes: code \+ constants \+ initial data need \d+ bytes, the part has 262144/);
  });

  it('fit a bigger part, where the linked sizes show the model', async () => {
    const b = await buildFirmware({ target: target('mps2-an386'), workDir: tempDir('big-an386'), models: [BIG] });
    expect(b.linkedSizes.big.text).toBeGreaterThanOrEqual(76800 * 4);
    expect(b.linkedSizes.big.bss).toBe(163840);
    expect(b.ramBytes).toBeGreaterThanOrEqual(163840);
  });

  it('fail when static RAM plus the stack reserve exceeds the part', async () => {
    // The fake model fits the LM3S6965's 64 KiB, but not with 65500 bytes reserved for the stack.
    const b = buildFirmware({ target: target('lm3s6965'), workDir: tempDir('reserve'), models: [FAKE], stackReserveBytes: 65500 });
    await expect(b).rejects.toThrow(/RAM overflowed by \d+ bytes: .* plus 65500 reserved for the stack/);
  });
});
