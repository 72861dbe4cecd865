// A home folder under /proc (HOME=/proc/self): Node's mkdirSync(dir, { recursive: true }) spins for ever there, and the
// per-user cache of the process helpers (hw-sim/guard) used to be made with it, so `verify` hung. Now the cache is
// made one folder at a time (src/util/make-dirs.ts): it cannot be, and the helpers are built for the run only.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeDirs } from '../../src/util/make-dirs.js';
import { runCli } from '../support/cli.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeprune-proc-home-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** This process's environment with HOME under /proc and no XDG_CACHE_HOME (the cache is then ~/.cache/edgeprune). */
function procHomeEnv(): Record<string, string> {
  const env = Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined && e[0] !== 'XDG_CACHE_HOME'));
  return { ...env, HOME: '/proc/self' };
}

describe('HOME=/proc/self', () => {
  it('verify runs to the end (the helpers built for this run) instead of spinning in mkdir', async () => {
    // runCli's own timeout ends the command if it hangs: the test then fails, it does not hang.
    const r = await runCli(['verify', 'examples/models/digits-mlp.onnx', '--target', 'lm3s6965', '--vectors', '2'], { env: procHomeEnv(), timeout: 120_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/lm3s6965/);
  });
});

describe('makeDirs', () => {
  it('makes a folder and its missing parents, and accepts one that exists', () => {
    const deep = path.join(dir, 'a', 'b', 'c');
    makeDirs(deep);
    expect(fs.statSync(deep).isDirectory()).toBe(true);
    makeDirs(deep);
    makeDirs(dir);
  });
  it('throws the failing mkdir\'s error where a file is in the way', () => {
    const file = path.join(dir, 'a-file');
    fs.writeFileSync(file, 'x');
    expect(() => makeDirs(path.join(file, 'sub'))).toThrow(expect.objectContaining({ code: 'ENOTDIR' }));
    expect(() => makeDirs(file)).toThrow(expect.objectContaining({ code: 'EEXIST' }));
    expect(fs.readFileSync(file, 'utf8')).toBe('x');
  });
});
