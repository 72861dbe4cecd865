// Compiles a generated C unit with arm-none-eabi-gcc through the harness's object cache (hw-sim/build/object-cache.ts),
// for tests that compile the same units on every run (the kernel headers, the QEMU kernel cases): a lookup while the
// compiler, the flags, the unit's text and every header it may include are unchanged since the last compile.
import { writeFile } from 'node:fs/promises';
import { execa } from 'execa';
import { objectCacheKey, restoreCachedObject, storeCachedObject } from '../../hw-sim/build/object-cache.js';

/**
 * Write `text` to `stem`.c and compile it to `stem`.o with `flags` (as `gcc <flags> -c <stem>.c -o <stem>.o`), or
 * copy the object of an earlier compile of the same text, flags and compiler, with `headers` (every file the unit may
 * include but the compiler's own) byte for byte the same. A cached object exists only if that compile passed, so a
 * -Werror compile fails on a new warning as before: a changed header or text is a new key. The key (objectCacheKey)
 * holds the repository's headers and folders by their paths in the repository, never the folder of the clone or of
 * `stem` (a temporary one): a fresh clone elsewhere finds the objects of the last run.
 */
export async function compileCached(flags: string[], text: string, stem: string, headers: string[], timeoutMs = 600_000): Promise<string> {
  const object = `${stem}.o`;
  await writeFile(`${stem}.c`, text);
  const key = objectCacheKey('arm-none-eabi-gcc', flags, `${stem}.c`, headers);
  if (key && restoreCachedObject(key, object)) return object;
  await execa('arm-none-eabi-gcc', [...flags, '-c', `${stem}.c`, '-o', object], { timeout: timeoutMs });
  if (key) storeCachedObject(key, object);
  return object;
}
