// The real openocd and st-flash run with the command lines edgeprune flash builds, with no probe attached (none is
// here): their failure must be "no probe", which proves the scripts named exist and the command line parses, and it
// must come back as a FlashError (exit 2). On a machine with a probe and a board attached this test would program
// the board with a test firmware: run it without one.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFirmware, FlashError, flashFirmware, PROBES, type FirmwareBuild } from '../../hw-sim/index.js';
import { UserError } from '../../src/errors.js';
import { listMcuTargets } from '../../src/targets/load-targets.js';
import { skipWithoutTools } from '../support/toolchain.js';
import { FAKE, removeTempDirs, target, tempDir } from './support.js';

const skip = await skipWithoutTools('test/hw-sim/flash.test.ts', ['arm-none-eabi-gcc', 'openocd', 'st-flash']);
afterAll(removeTempDirs);

describe.skipIf(skip)('flashing with the real programs and no probe', () => {
  const flashable = listMcuTargets().filter((t) => t.flashing && !('unsupported' in t.flashing));
  const builds = new Map<string, FirmwareBuild>();

  beforeAll(async () => {
    for (const t of flashable) builds.set(t.name, await buildFirmware({ target: t, workDir: tempDir(`flash-${t.name}`), models: [FAKE] }));
  });

  it('openocd finds every script named, for every flashable target and probe, and reports no probe', async () => {
    expect(flashable.length).toBeGreaterThan(0);
    for (const t of flashable) {
      for (const probe of PROBES) {
        const flashing = flashFirmware({ elf: builds.get(t.name)!.elf, target: t, probe, tool: 'openocd' });
        await expect(flashing, `${t.name} ${probe}`).rejects.toBeInstanceOf(FlashError);
        await expect(flashing, `${t.name} ${probe}`).rejects.toMatchObject({ kind: 'no-probe' });
        await expect(flashing).rejects.toThrow(new RegExp(`^flashing ${t.name} with openocd through ${probe} failed: no probe of that kind is connected \\(openocd: Error: `));
      }
    }
  });

  it('st-flash gets the raw image from the flash base on and reports no probe', async () => {
    for (const t of flashable) {
      const build = builds.get(t.name)!;
      const flashing = flashFirmware({ elf: build.elf, target: t, probe: 'stlink', tool: 'st-flash' });
      await expect(flashing).rejects.toMatchObject({ kind: 'no-probe', command: ['st-flash', '--reset', 'write', build.elf.replace(/\.elf$/, '.bin'), '0x08000000'] });
      await expect(flashing).rejects.toThrow(/st-flash: Couldn't find any ST-Link devices/);
      // The image starts at the flash base: the vector table first (initial stack pointer = top of RAM), and it
      // holds what the firmware puts in flash (and alignment padding), no gap up to RAM.
      const bin = fs.readFileSync(build.elf.replace(/\.elf$/, '.bin'));
      expect(bin.readUInt32LE(0)).toBe(Number(t.ram.origin) + t.ram.bytes);
      expect(bin.length).toBeGreaterThanOrEqual(build.flashBytes);
      expect(bin.length).toBeLessThan(build.flashBytes + 16);
    }
  });

  it('a missing program names its Debian package', async () => {
    const t = target('stm32f405');
    const elf = builds.get('stm32f405')!.elf;
    await expect(flashFirmware({ elf, target: t, probe: 'stlink', tool: 'openocd', tools: { openocd: '/nonexistent/openocd' } })).rejects.toThrow(
      /^'\/nonexistent\/openocd' was not found: hw-sim needs it to build, run and flash firmware$/,
    );
    const missing = flashFirmware({ elf, target: t, probe: 'stlink', tool: 'st-flash', tools: { stFlash: '/nonexistent/st-flash' } });
    await expect(missing).rejects.toBeInstanceOf(UserError);
    await expect(missing).rejects.toMatchObject({ hint: expect.stringMatching(/install the Debian package stlink-tools/) });
  });
});
