// The harness's objects come from the object cache on the second firmware build of a target, and the firmware is the
// same bytes; other flags, or an -I folder that could stand in for a header the harness includes, compile afresh.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFirmware } from '../../hw-sim/index.js';
import { FAKE, keepProcessHelpers, removeTempDirs, target, tempDir } from './support.js';

const saved = process.env.XDG_CACHE_HOME;
beforeAll(async () => {
  await keepProcessHelpers(); // in the real cache: the one below is deleted after this file
  process.env.XDG_CACHE_HOME = tempDir('cache'); // an empty cache of our own
});
afterAll(() => {
  if (saved === undefined) delete process.env.XDG_CACHE_HOME;
  else process.env.XDG_CACHE_HOME = saved;
  removeTempDirs();
});

describe('the harness object cache', () => {
  it('compiles the harness once per target and flags, and links the same firmware from the cached objects', async () => {
    const t = target('mps2-an386');
    const first = await buildFirmware({ target: t, workDir: tempDir('first'), models: [FAKE] });
    expect(first.cachedObjects).toBe(0);
    const second = await buildFirmware({ target: t, workDir: tempDir('second'), models: [FAKE] });
    // harness.c, startup.c, platform_arm.c and the UART driver; the model and the generated model table compile.
    expect(second.cachedObjects).toBe(4);
    expect(fs.readFileSync(second.elf).equals(fs.readFileSync(first.elf))).toBe(true);
    expect(second.sections).toEqual(first.sections);

    const otherFlags = await buildFirmware({ target: t, workDir: tempDir('defines'), models: [FAKE], defines: { EP_SOMETHING: '1' } });
    expect(otherFlags.cachedObjects).toBe(0);
  });

  it('does not use it when an -I folder holds a header the harness includes', async () => {
    const shadow = tempDir('shadow');
    const withShadow = async (label: string) => buildFirmware({ target: target('stm32f405'), workDir: tempDir(label), models: [FAKE], includeDirs: [shadow] });
    await withShadow('plain');
    expect((await withShadow('plain-again')).cachedObjects).toBe(4);
    // The same flags, but <stdint.h> could now come from that folder: the harness compiles again.
    fs.writeFileSync(path.join(shadow, 'stdint.h'), '#include_next <stdint.h>\n');
    expect((await withShadow('shadowed')).cachedObjects).toBe(0);
  });
});
