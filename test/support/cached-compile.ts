// Compiles a generated C unit with arm-none-eabi-gcc through the harness's object cache (hw-sim/build/object-cache.ts),
// for tests that compile the same units on every run (the kernel headers, the QEMU kernel cases): a lookup while the
// compiler, the flags, the unit's text and every header it may include are unchanged since the last compile.
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { objectCacheKey, restoreCachedObject, storeCachedObject } from '../../hw-sim/build/object-cache.js';

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

/** A flag as the key holds it: a file named by absolute path (`-include <tmp>/x.h`) by its bytes, not its path. */
function keyFlag(flag: string): string {
  if (!path.isAbsolute(flag)) return flag;
  try {
    return statSync(flag).isFile() ? `file sha256 ${sha256(readFileSync(flag))}` : flag;
  } catch {
    return flag;
  }
}

/**
 * Write `text` to `stem`.c and compile it to `stem`.o with `flags` (as `gcc <flags> -c <stem>.c -o <stem>.o`), or
 * copy the object of an earlier compile of the same text, flags and compiler, with `headers` (every file the unit may
 * include but the compiler's own) byte for byte the same. A cached object exists only if that compile passed, so a
 * -Werror compile fails on a new warning as before: a changed header or text is a new key. The key's source is the
 * first header (a fixed path) and the text's hash is one of its flags, since `stem` is in a temporary folder.
 */
export async function compileCached(flags: string[], text: string, stem: string, headers: string[], timeoutMs = 600_000): Promise<string> {
  const object = `${stem}.o`;
  await writeFile(`${stem}.c`, text);
  const key = objectCacheKey('arm-none-eabi-gcc', [...flags.map(keyFlag), `source sha256 ${sha256(text)}`], headers[0], headers);
  if (key && restoreCachedObject(key, object)) return object;
  await execa('arm-none-eabi-gcc', [...flags, '-c', `${stem}.c`, '-o', object], { timeout: timeoutMs });
  if (key) storeCachedObject(key, object);
  return object;
}
