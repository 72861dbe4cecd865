// The npm package: `npm pack` ships the built CLI and what it reads at run time (templates, targets, firmware and guard
// sources) and nothing of test/; the tarball installed offline into a scratch folder runs without a build step.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installOffline, packPackage } from '../../hw-sim/npm/pack.js';
import { scaleForLoad } from '../../hw-sim/load.js';
import { VERSION } from '../../src/version.js';

const REPO = path.resolve('.');
const MLP = path.resolve('examples/models/digits-mlp.onnx');
let work = '';
let packed: { tarball: string; files: string[] };
let bin = '';

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeprune-package-'));
  packed = await packPackage(REPO, work);
  await installOffline(packed.tarball, path.join(work, 'scratch'), REPO);
  bin = path.join(work, 'scratch', 'node_modules', '.bin', 'edgeprune');
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

/** The installed command, from a folder outside the repository. */
const installed = (args: string[]) => execa(bin, args, { cwd: work, reject: false, timeout: scaleForLoad(120_000) });

describe('the npm package', () => {
  it('ships the bundled CLI and its run-time files, not the tests, the benches, the TypeScript sources or tsc\'s modules', () => {
    const files = packed.files;
    for (const f of ['bin/edgeprune.js', 'dist/bundle/edgeprune.js', 'dist/bundle/local-worker.js', 'hw-sim/firmware/harness.c', 'hw-sim/firmware/link.ld.hbs', 'hw-sim/guard/guard.c', 'templates/c/model.c.hbs', 'templates/report/report.html.hbs', 'targets/stm32f405.json', 'README.md']) {
      expect(files, f).toContain(f);
    }
    expect(files.filter((f) => /^(test|bench|dist\/bench|dist\/test|dist\/src|dist\/hw-sim|src)\//.test(f) || /\.ts$|\.map$|tsbuildinfo/.test(f))).toEqual([]);
  });

  it('installed from the tarball, runs --version, inspect and compile from any folder', async () => {
    const version = await installed(['--version']);
    expect(version.exitCode, String(version.stderr)).toBe(0);
    expect(version.stdout.trim()).toBe(VERSION);
    const inspect = await installed(['inspect', MLP]);
    expect(inspect.exitCode, String(inspect.stderr)).toBe(0);
    expect(inspect.stdout).toMatch(/fc1/);
    // compile reads the templates and the targets from the installed package.
    const out = path.join(work, 'lib');
    const compile = await installed(['compile', MLP, '--target', 'stm32f405', '--out', out]);
    expect(compile.stderr).toBe('');
    expect(compile.exitCode, String(compile.stderr)).toBe(0);
    expect(fs.existsSync(path.join(out, 'model.c'))).toBe(true);
  });

  it('runs as `npx edgeprune` in the folder it was installed into, offline', async () => {
    const r = await execa('npx', ['--offline', '--no-install', 'edgeprune', '--version'], { cwd: path.join(work, 'scratch'), reject: false, timeout: scaleForLoad(120_000) });
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(String(r.stdout).trim()).toBe(VERSION);
  });
});
