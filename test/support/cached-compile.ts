// Compiles a generated C unit with arm-none-eabi-gcc through the harness's object cache (hw-sim/build/object-cache.ts),
// for tests that compile the same units on every run (the kernel headers, the QEMU kernel cases): a lookup while the
// compiler, the flags, the unit's text and every header it may include are unchanged since the last compile.
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { compilerIdentity, restoreCachedObject, storeCachedObject } from '../../hw-sim/build/object-cache.js';
import { PACKAGE_ROOT } from '../../src/util/package-root.js';

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

/**
 * A flag as the key holds it: a file named by absolute path (`-include <tmp>/x.h`) by its bytes, not its path; a folder
 * of the repository (`-I <repo>/templates/c/lib`) by its path in the repository, whose headers the key holds by their
 * bytes: so a fresh clone elsewhere (CI clones into a new folder each run) finds the objects of the last run.
 */
function keyFlag(flag: string): string {
  if (!path.isAbsolute(flag)) return flag;
  const stat = statSync(flag, { throwIfNoEntry: false });
  if (stat?.isFile()) return `file sha256 ${sha256(readFileSync(flag))}`;
  const inRepo = path.relative(PACKAGE_ROOT, flag);
  return inRepo.startsWith('..') || path.isAbsolute(inRepo) ? flag : `<repo>/${inRepo}`;
}

/**
 * Write `text` to `stem`.c and compile it to `stem`.o with `flags` (as `gcc <flags> -c <stem>.c -o <stem>.o`), or
 * copy the object of an earlier compile of the same text, flags and compiler, with `headers` (every file the unit may
 * include but the compiler's own) byte for byte the same. A cached object exists only if that compile passed, so a
 * -Werror compile fails on a new warning as before: a changed header or text is a new key. The key's source is the
 * repository's path of each header, the flags as keyFlag gives them and the text's hash, never the folder of the clone
 * or of `stem` (a temporary one): a header is the same file wherever the repository is.
 */
export async function compileCached(flags: string[], text: string, stem: string, headers: string[], timeoutMs = 600_000): Promise<string> {
  const object = `${stem}.o`;
  await writeFile(`${stem}.c`, text);
  const key = unitKey(flags, text, headers);
  if (key && restoreCachedObject(key, object)) return object;
  await execa('arm-none-eabi-gcc', [...flags, '-c', `${stem}.c`, '-o', object], { timeout: timeoutMs });
  if (key) storeCachedObject(key, object);
  return object;
}

/** The key of a unit (see compileCached), or null when the compiler cannot be found. */
function unitKey(flags: string[], text: string, headers: string[]): string | null {
  const compiler = compilerIdentity('arm-none-eabi-gcc');
  if (!compiler) return null;
  const hash = createHash('sha256').update('test unit\0').update(compiler).update('\0').update(flags.map(keyFlag).join('\0')).update('\0').update(sha256(text));
  for (const h of [...headers].sort()) hash.update('\0').update(path.relative(PACKAGE_ROOT, h)).update('\0').update(readFileSync(h));
  return hash.digest('hex').slice(0, 32);
}
