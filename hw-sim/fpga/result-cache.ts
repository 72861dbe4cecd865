// The cache of FPGA tool results ($EDGEPRUNE_FPGA_CACHE_DIR, else per user: $XDG_CACHE_HOME/edgeprune/fpga): Yosys's
// cell counts and nextpnr's placement of a design, kept under a key made of every source's content, the options and the
// tools' versions, so that the second synthesis (or place and route) of the same design is a lookup, as the second
// build of a Verilator harness is (hw-sim/verilator/harness.ts). Only runs that succeeded are kept; entries are written
// atomically; an entry that cannot be read is ignored (the tools run again); without a writable folder nothing is kept.

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { guardCacheDir, writableCacheDir } from '../guard/guard.js';

/** What a key is made of: strings (versions, options) and the Verilog and constraint files (name and content). */
export interface CacheKeyParts {
  strings: readonly string[];
  files: readonly string[];
}

export function cacheKey(kind: string, parts: CacheKeyParts): string {
  const hash = crypto.createHash('sha256').update(kind);
  for (const s of parts.strings) hash.update('\0').update(s);
  for (const file of parts.files) hash.update('\0').update(path.basename(file)).update('\0').update(fs.readFileSync(file));
  return `${kind}-${hash.digest('hex').slice(0, 32)}`;
}

/**
 * The cache's folder: EDGEPRUNE_FPGA_CACHE_DIR when it is an absolute path (the test suite points it into the run's own
 * folder, so that each run synthesizes every distinct design once), else the per-user one.
 */
export function fpgaCacheDir(): string {
  const dir = process.env.EDGEPRUNE_FPGA_CACHE_DIR;
  return dir && path.isAbsolute(dir) ? dir : path.join(guardCacheDir(), 'fpga');
}

/** The cached value of `key` and the path of its attached file (if it was stored with one), or null. */
export function readCachedResult<T>(key: string): { value: T; file: string | null } | null {
  const entry = path.join(fpgaCacheDir(), `${key}.json`);
  try {
    const stored = JSON.parse(fs.readFileSync(entry, 'utf8')) as { value: T; file: boolean };
    const file = stored.file ? path.join(fpgaCacheDir(), `${key}.bin`) : null;
    if (file && !fs.existsSync(file)) return null;
    return { value: stored.value, file };
  } catch {
    return null;
  }
}

/** Keep `value` (JSON) under `key`, with a copy of `file` beside it when given. */
export function writeCachedResult(key: string, value: unknown, file?: string): void {
  const dir = fpgaCacheDir();
  if (!writableCacheDir(dir)) return;
  const staging = (ext: string) => path.join(dir, `${key}.${ext}.tmp-${process.pid}-${crypto.randomBytes(4).toString('hex')}`);
  const json = staging('json');
  const bin = staging('bin');
  try {
    // The attached file first: an entry's JSON exists only once everything it names does.
    if (file) {
      fs.copyFileSync(file, bin);
      fs.renameSync(bin, path.join(dir, `${key}.bin`));
    }
    fs.writeFileSync(json, JSON.stringify({ value, file: file !== undefined }));
    fs.renameSync(json, path.join(dir, `${key}.json`));
  } catch {
    // A cache that cannot be written only costs the next run its lookup.
  } finally {
    fs.rmSync(json, { force: true });
    fs.rmSync(bin, { force: true });
  }
}
