// The repository root (the folder holding edgeprune's package.json), found from src/ and dist/ alike.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && JSON.parse(fs.readFileSync(pkg, 'utf8')).name === 'edgeprune') return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('cannot find the edgeprune package root');
    dir = parent;
  }
}

export const PACKAGE_ROOT = findRoot();

/** A path inside the repository. */
export function repoPath(...parts: string[]): string {
  return path.join(PACKAGE_ROOT, ...parts);
}
