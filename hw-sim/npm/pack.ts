// npm, run for the package-install test: pack the repository into a tarball, and install a tarball into a scratch
// project offline from the npm cache (a lockfile pinning the repository's locked dependencies), under the guard.

import fs from 'node:fs';
import path from 'node:path';
import { runTool, type Tool } from '../build/tools.js';

const NPM: Tool = { command: 'npm', debianPackage: 'npm' };

/** Pack and install steps stretch with the machine's load; past this they are killed. */
const DEFAULT_TIMEOUT_MS = 180_000;

async function npm(args: string[], cwd: string, what: string, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<string> {
  const r = await runTool(NPM, args, { cwd, timeoutMs, what });
  if (r.exitCode !== 0) throw new Error(`${what}: npm ${args.join(' ')} exited with ${r.exitCode}: ${r.stderr.trim().split('\n').slice(-5).join(' | ')}`);
  return r.stdout;
}

/** `npm pack` of the package in `dir` into `dest` (scripts skipped: dist/ must be built); the tarball's path and its files. */
export async function packPackage(dir: string, dest: string): Promise<{ tarball: string; files: string[] }> {
  const out = await npm(['pack', '--ignore-scripts', '--json', '--pack-destination', dest], dir, 'packing the package');
  const [info] = JSON.parse(out) as { filename: string; files: { path: string }[] }[];
  return { tarball: path.join(dest, info.filename), files: info.files.map((f) => f.path) };
}

/** The registry npm is configured with (the lockfile's tarball addresses are made from it, never written in the repository). */
export async function npmRegistry(cwd: string): Promise<string> {
  return (await npm(['config', 'get', 'registry'], cwd, 'asking npm for its registry')).trim().replace(/\/+$/, '');
}

interface LockEntry {
  version?: string;
  resolved?: string;
  dev?: boolean;
  [key: string]: unknown;
}

/**
 * A scratch project's package-lock.json that installs `tarball` (named `name`) with the runtime dependencies pinned as
 * the repository's lockfile pins them, each with its tarball address, so that `npm ci --offline` needs nothing but
 * the npm cache.
 */
export function scratchLock(repoLock: { packages: Record<string, LockEntry> }, name: string, tarball: string, registry: string): object {
  const root = repoLock.packages[''];
  const spec = `file:${path.basename(tarball)}`;
  const packages: Record<string, LockEntry> = {
    '': { name: 'scratch', dependencies: { [name]: spec } },
    [`node_modules/${name}`]: { version: root.version, resolved: spec, dependencies: root.dependencies, bin: root.bin, engines: root.engines },
  };
  for (const [where, entry] of Object.entries(repoLock.packages)) {
    if (where === '' || entry.dev) continue;
    const pkg = where.slice(where.lastIndexOf('node_modules/') + 'node_modules/'.length);
    packages[where] = { ...entry, resolved: entry.resolved ?? `${registry}/${pkg}/-/${pkg.split('/').pop()}-${entry.version}.tgz` };
  }
  return { name: 'scratch', lockfileVersion: 3, requires: true, packages };
}

/**
 * Install `tarball` into the scratch folder `dir` offline (its dependencies from the npm cache, install scripts
 * skipped); the installed command is `dir`/node_modules/.bin/<name>.
 */
export async function installOffline(tarball: string, dir: string, repoDir: string): Promise<void> {
  const pkg = JSON.parse(fs.readFileSync(path.join(repoDir, 'package.json'), 'utf8')) as { name: string };
  const lock = JSON.parse(fs.readFileSync(path.join(repoDir, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  fs.mkdirSync(dir, { recursive: true });
  fs.copyFileSync(tarball, path.join(dir, path.basename(tarball)));
  fs.writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify({ name: 'scratch', private: true, dependencies: { [pkg.name]: `file:${path.basename(tarball)}` } }, null, 2)}\n`);
  fs.writeFileSync(path.join(dir, 'package-lock.json'), `${JSON.stringify(scratchLock(lock, pkg.name, tarball, await npmRegistry(dir)), null, 2)}\n`);
  await npm(['ci', '--offline', '--ignore-scripts', '--no-audit', '--no-fund'], dir, `installing ${path.basename(tarball)} offline`);
}
