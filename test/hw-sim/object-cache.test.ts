// The harness's objects come from the object cache on the second firmware build of a target, and the firmware is the
// same bytes; other flags, or an -I folder that could stand in for a header the harness includes, compile afresh. A model
// library's objects come from it by their bytes, from any folder; a changed header, or an include the key cannot hold,
// compiles afresh. A unit's key holds its headers by their places in its folder or the repository, never the folders
// themselves. The cache keeps to its limits, the least recently used objects removed first.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { objectCacheKey, PRUNE_INTERVAL_MS, pruneDue, pruneObjectCache } from '../../hw-sim/build/object-cache.js';
import { buildFirmware, buildHostHarness } from '../../hw-sim/index.js';
import { repoPath } from '../../src/util/package-root.js';
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
    // harness.c, startup.c, platform_arm.c, the UART driver and the model's model.c; the generated model table compiles.
    expect(second.cachedObjects).toBe(5);
    expect(fs.readFileSync(second.elf).equals(fs.readFileSync(first.elf))).toBe(true);
    expect(second.sections).toEqual(first.sections);

    const otherFlags = await buildFirmware({ target: t, workDir: tempDir('defines'), models: [FAKE], defines: { EP_SOMETHING: '1' } });
    expect(otherFlags.cachedObjects).toBe(0);
  });

  it('does not use it when an -I folder holds a header the harness includes', async () => {
    const shadow = tempDir('shadow');
    const withShadow = async (label: string) => buildFirmware({ target: target('stm32f405'), workDir: tempDir(label), models: [FAKE], includeDirs: [shadow] });
    await withShadow('plain');
    // The harness's 4 objects; not the model's: an -I folder could hold a header it includes.
    expect((await withShadow('plain-again')).cachedObjects).toBe(4);
    // The same flags, but <stdint.h> could now come from that folder: the harness compiles again.
    fs.writeFileSync(path.join(shadow, 'stdint.h'), '#include_next <stdint.h>\n');
    expect((await withShadow('shadowed')).cachedObjects).toBe(0);
  });

  it('takes a model library\'s objects by their bytes from any folder, and compiles again when a header beside them changes', async () => {
    const copy = (label: string) => {
      const dir = tempDir(label);
      for (const f of fs.readdirSync(FAKE.dir)) fs.copyFileSync(path.join(FAKE.dir, f), path.join(dir, f));
      return { ...FAKE, dir };
    };
    const build = (label: string, model: typeof FAKE) => buildHostHarness({ workDir: tempDir(label), models: [model] });
    const libA = copy('lib-a');
    const first = await build('host-first', libA);
    const moved = await build('host-moved', copy('lib-b'));
    // harness.c, platform_host.c and model.c (the model table is generated per build); the same program.
    expect(moved.cachedObjects).toBe(first.cachedObjects + 3);
    expect(fs.readFileSync(moved.exe).equals(fs.readFileSync(first.exe))).toBe(true);

    const edited = copy('lib-edited');
    fs.appendFileSync(path.join(edited.dir, 'model.h'), '\n/* a changed header */\n');
    expect((await build('host-edited', edited)).cachedObjects).toBe(2); // the harness's only
    // An include the key cannot hold (a path outside the folder): never from the cache.
    const outside = copy('lib-outside');
    fs.writeFileSync(path.join(outside.dir, 'model.c'), `#include "${libA.dir}/model.h"\n${fs.readFileSync(path.join(FAKE.dir, 'model.c'), 'utf8')}`);
    await build('host-outside', outside);
    expect((await build('host-outside-again', outside)).cachedObjects).toBe(2);
  });

  it('keys a unit by its headers\' places from its folder or the repository, and an -include file by its bytes, not by where they are', () => {
    const repoFolder = repoPath('templates', 'c', 'lib');
    const repoHeader = path.join(repoFolder, 'ep_common.h');
    const unit = (label: string, defs = '#define EP_X 1\n') => {
      const dir = tempDir(label);
      fs.writeFileSync(path.join(dir, 'unit.c'), '#include "local.h"\nint f(void) { return EP_X; }\n');
      fs.writeFileSync(path.join(dir, 'local.h'), '#include "ep_common.h"\n');
      fs.writeFileSync(path.join(dir, 'defs.h'), defs);
      return dir;
    };
    const key = (dir: string, headers = [path.join(dir, 'local.h'), repoHeader]) =>
      objectCacheKey(process.execPath, ['-O2', '-I', repoFolder, '-I', dir, '-include', path.join(dir, 'defs.h')], path.join(dir, 'unit.c'), headers);
    const a = unit('unit-a');
    expect(key(a)).toMatch(/^[0-9a-f]{32}$/);
    expect(key(unit('unit-b'))).toBe(key(a)); // another folder, the same bytes in the same places
    expect(key(unit('unit-defs', '#define EP_X 2\n'))).not.toBe(key(a)); // the -include file's bytes
    const edited = unit('unit-edited');
    fs.appendFileSync(path.join(edited, 'local.h'), '/* changed */\n');
    expect(key(edited)).not.toBe(key(a));
    // A header outside the unit's folder and the repository is held by its absolute path: two such places differ.
    const elsewhere = (label: string) => {
      const file = path.join(tempDir(label), 'ep_common.h');
      fs.copyFileSync(repoHeader, file);
      return file;
    };
    expect(key(a, [path.join(a, 'local.h'), elsewhere('other-1')])).not.toBe(key(a, [path.join(a, 'local.h'), elsewhere('other-2')]));
    expect(objectCacheKey('no-such-compiler-edgeprune', [], path.join(a, 'unit.c'), [])).toBeNull();
  });

  it('removes the least recently used objects when it holds more than its limits', () => {
    const dir = tempDir('prune');
    for (let i = 0; i < 8; i++) {
      const f = path.join(dir, `o${i}.o`);
      fs.writeFileSync(f, Buffer.alloc(100));
      fs.utimesSync(f, 1000 + i, 1000 + i); // o0 the least recently used
    }
    pruneObjectCache(dir, { objects: 8, bytes: 10_000 });
    expect(fs.readdirSync(dir)).toHaveLength(8); // within both limits: nothing removed
    pruneObjectCache(dir, { objects: 7, bytes: 10_000 });
    expect(fs.readdirSync(dir).sort()).toEqual(['o3.o', 'o4.o', 'o5.o', 'o6.o', 'o7.o']); // down to ¾ of 7
    pruneObjectCache(dir, { objects: 100, bytes: 400 });
    expect(fs.readdirSync(dir).sort()).toEqual(['o5.o', 'o6.o', 'o7.o']); // down to ¾ of 400 bytes
  });

  it('checks its limits at most once an interval: the first store, then one an interval later', () => {
    const dir = tempDir('prune-due');
    const t0 = 1_700_000_000_000;
    expect(pruneDue(dir, t0)).toBe(true);
    expect(pruneDue(dir, t0 + 1000)).toBe(false);
    expect(pruneDue(dir, t0 + PRUNE_INTERVAL_MS - 1)).toBe(false);
    expect(pruneDue(dir, t0 + PRUNE_INTERVAL_MS)).toBe(true);
    expect(pruneDue(dir, t0 + PRUNE_INTERVAL_MS + 1)).toBe(false);
    expect(pruneDue(path.join(dir, 'missing'), t0)).toBe(false); // no folder to write the stamp in: no check
  });
});
