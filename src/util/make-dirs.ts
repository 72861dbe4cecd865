// Make a folder and its missing parents one at a time, failing at once where one cannot be made. Node's
// mkdirSync(dir, { recursive: true }) spins for ever on a path under /proc (mkdir there fails with ENOENT while the
// parent exists, and Node retries), e.g. the per-user cache with HOME=/proc/self.

import fs from 'node:fs';
import path from 'node:path';

/** Make `dir` and its missing parents (as mkdir -p); throws the failing mkdir's error (ENOENT, EACCES, ENOTDIR…). */
export function makeDirs(dir: string): void {
  const missing: string[] = [];
  for (let at = path.resolve(dir); !fs.existsSync(at); ) {
    missing.push(at);
    const up = path.dirname(at);
    if (up === at) break;
    at = up;
  }
  for (const d of missing.reverse()) {
    try {
      fs.mkdirSync(d);
    } catch (e) {
      // Made meanwhile by a concurrent process: fine when it is a folder (checked below, and by the next mkdir).
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  if (!fs.statSync(dir).isDirectory()) {
    throw Object.assign(new Error(`EEXIST: file already exists, mkdir '${dir}'`), { code: 'EEXIST', path: dir, syscall: 'mkdir' });
  }
}
