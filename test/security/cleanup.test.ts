// Nothing outlives edgeprune and nothing it should not touch is touched: a kill -9, SIGINT or
// SIGTERM of `verify` leaves no emulator and no temporary folder (the process guards and the
// janitor see to it; what a kill leaves anyway is swept by the next start); `--force` replaces
// only a folder edgeprune wrote; an unwritable --out, a missing tool, generated C that gcc rejects
// and an aborting QEMU exit 2 with the cause.
import { execa } from 'execa';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { ownerTag } from '../../src/util/temp-dir.js';
import { processesMentioning, programsMentioning } from '../hw-sim/support.js';

const BIN = path.resolve('bin/edgeprune.js');
const CNN = path.resolve('examples/models/digits-cnn.onnx');
const MLP = path.resolve('examples/models/digits-mlp.onnx');

const dirs: string[] = [];
function tmp(label: string): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), `ep-cleanup-${label}-`));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

/** The environment with some variables replaced. */
function envWith(vars: Record<string, string>): Record<string, string> {
  return { ...(process.env as Record<string, string>), ...vars };
}

/** Poll until `probe` holds (a liveness wait: the cap only stops a test that would hang). */
async function until(what: string, probe: () => boolean, capMs = 120_000): Promise<void> {
  const end = Date.now() + capMs;
  while (!probe()) {
    if (Date.now() > end) throw new Error(`still waiting for ${what} after ${capMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** `edgeprune verify` with its temporary folders in `tmpdir` (so QEMU's command line names it), long enough to be caught in QEMU. */
function startVerify(tmpdir: string) {
  return execa(process.execPath, [BIN, 'verify', CNN, '--vectors', '400'], { env: envWith({ TMPDIR: tmpdir }), reject: false, timeout: 600_000 });
}

const qemuOf = (tmpdir: string) => programsMentioning(tmpdir).filter((p) => /qemu-system-arm/.test(p.cmdline));

describe('a killed edgeprune leaves nothing running', () => {
  it.each(['SIGKILL', 'SIGINT', 'SIGTERM'] as const)('%s during verification: QEMU and the temporary folder go within seconds', async (signal) => {
    const tmpdir = tmp(signal);
    const cli = startVerify(tmpdir);
    await until('QEMU to run', () => qemuOf(tmpdir).length === 1);
    expect(fs.readdirSync(tmpdir).length).toBeGreaterThan(0); // its build folder
    cli.kill(signal);
    const r = await cli;
    // Node's own handling of the signal: it ends at once (status 128+n: 137, 130, 143 in a shell).
    expect(r.signal).toBe(signal);
    expect(String(r.stderr)).not.toMatch(/internal error|\n\s+at /);
    await until('QEMU and its guard to end', () => processesMentioning(tmpdir).length === 0, 30_000);
    await until('the temporary folders to be removed', () => fs.readdirSync(tmpdir).length === 0, 30_000);
  });

  it('sweeps, at the start, the temporary folders of runs that have ended, and only those', async () => {
    const tmpdir = tmp('sweep');
    const done = execa('true');
    await done;
    const stale = path.join(tmpdir, `edgeprune-${done.pid}-777-verify-AbCdEf`);
    fs.mkdirSync(path.join(stale, 'target', 'obj'), { recursive: true });
    fs.writeFileSync(path.join(stale, 'target', 'obj', '0-model.o'), 'object');
    const live = path.join(tmpdir, `edgeprune-${process.pid}-${ownerTag().split('-')[1]}-verify-GhIjKl`);
    fs.mkdirSync(live);
    const kept = path.join(tmpdir, 'edgeprune-kept-verify-MnOpQr'); // --keep-build: never swept
    fs.mkdirSync(kept);
    const next = await runCli(['targets'], { env: envWith({ TMPDIR: tmpdir }) });
    expect(next.exitCode, String(next.stderr)).toBe(0);
    expect(fs.readdirSync(tmpdir).sort()).toEqual([path.basename(kept), path.basename(live)].sort());
  });
});

describe('--out and --force', () => {
  it('writes a marker into the output, and --force replaces a folder that has it', async () => {
    const out = path.join(tmp('marker'), 'lib');
    expect((await runCli(['compile', MLP, '--out', out])).exitCode).toBe(0);
    expect(fs.readFileSync(path.join(out, '.edgeprune-output'), 'utf8')).toMatch(/^edgeprune compile \S+digits-mlp\.onnx --out \S+\/lib\n/);
    fs.writeFileSync(path.join(out, 'extra.txt'), 'x');
    const forced = await runCli(['compile', MLP, '--out', out, '--force']);
    expect(forced.exitCode, forced.stderr).toBe(0);
    expect(fs.existsSync(path.join(out, 'extra.txt'))).toBe(false);
  });

  it('never replaces a git clone, a folder holding the input model, a folder edgeprune did not write, the current folder, its parents or home', async () => {
    const dir = tmp('force');
    const clone = path.join(dir, 'clone');
    fs.mkdirSync(path.join(clone, '.git', 'objects'), { recursive: true });
    fs.writeFileSync(path.join(clone, '.git', 'HEAD'), 'ref: refs/heads/main\n');
    fs.writeFileSync(path.join(clone, '.edgeprune-output'), 'not even a marker helps');
    const models = path.join(dir, 'models');
    fs.mkdirSync(models);
    fs.copyFileSync(MLP, path.join(models, 'digits-mlp.onnx'));
    const home = path.join(dir, 'home');
    fs.mkdirSync(path.join(home, '.ssh'), { recursive: true });
    fs.writeFileSync(path.join(home, '.ssh', 'id_rsa'), 'secret');
    const work = path.join(home, 'projects', 'work');
    fs.mkdirSync(work, { recursive: true });

    const cases: [string[], RegExp, { cwd?: string }][] = [
      [['compile', MLP, '--out', clone, '--force'], /--out '.*clone' is a repository \(it has \.git\)/, {}],
      [['compile', path.join(models, 'digits-mlp.onnx'), '--out', models, '--force'], /--out '.*models' holds the input '.*digits-mlp\.onnx'/, {}],
      [['compile', MLP, '--out', home, '--force'], /--out '.*home' is your home folder/, {}],
      [['compile', MLP, '--out', path.join(home, '.ssh'), '--force'], /has no \.edgeprune-output file/, {}],
      [['compile', MLP, '--out', '.', '--force'], /--out '\.' is the current folder/, { cwd: work }],
      [['compile', MLP, '--out', '..', '--force'], /--out '\.\.' holds the current folder/, { cwd: work }],
      [['compile', MLP, '--out', '../..', '--force'], /--out '\.\.\/\.\.' is your home folder/, { cwd: work }],
      [['build', path.join(models, 'digits-mlp.onnx'), '--data', path.resolve('examples/digits/digits.csv.gz'), '--ram-kb', '4', '--out', models, '--force'], /holds the input/, {}],
    ];
    for (const [args, message, opts] of cases) {
      const r = await runCli(args, { ...opts, env: envWith({ HOME: home }) });
      expect(r.exitCode, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(message);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
    }
    expect(fs.readFileSync(path.join(clone, '.git', 'HEAD'), 'utf8')).toBe('ref: refs/heads/main\n');
    expect(fs.readFileSync(path.join(models, 'digits-mlp.onnx'))).toEqual(fs.readFileSync(MLP));
    expect(fs.readFileSync(path.join(home, '.ssh', 'id_rsa'), 'utf8')).toBe('secret');
    expect(fs.readdirSync(work)).toEqual([]);
  });

  it('removes a staging folder that a kill during the final write left beside --out', async () => {
    const dir = tmp('staging');
    const done = execa('true');
    await done;
    const stale = path.join(dir, `.lib.tmp-${done.pid}-4242-0badc0de`);
    fs.mkdirSync(stale);
    fs.writeFileSync(path.join(stale, 'model.c'), '/* half-written */');
    const r = await runCli(['compile', MLP, '--out', path.join(dir, 'lib')]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(fs.readdirSync(dir)).toEqual(['lib']);
  });
});

describe('outputs that cannot be written exit 2 before any work', () => {
  it('a path through a file, an existing file, a read-only folder', async () => {
    const dir = tmp('unwritable');
    const file = path.join(dir, 'file.txt');
    fs.writeFileSync(file, 'x');
    const readOnly = path.join(dir, 'read-only');
    fs.mkdirSync(readOnly, { mode: 0o555 });
    fs.chmodSync(readOnly, 0o555);
    fs.chmodSync(dir, 0o755);
    // Root writes anywhere: as root, run without the capabilities that override file permissions (the checks are
    // about permissions). Not as another user: the checkout may sit in a folder only its owner can enter.
    const withoutOverride = process.getuid?.() === 0 ? ['/usr/bin/setpriv', '--bounding-set=-dac_override,-dac_read_search,-fowner', '--inh-caps=-all', '--'] : [];
    const [command, ...prefix] = [...withoutOverride, process.execPath];
    const run = (args: string[]) =>
      execa(command, [...prefix, BIN, ...args], { reject: false, timeout: 120_000, env: envWith({ HOME: dir, XDG_CACHE_HOME: path.join(os.homedir(), '.cache') }) });
    const cases: [string[], RegExp][] = [
      [['compile', MLP, '--out', path.join(file, 'lib')], /cannot write '.*file\.txt\/lib': '.*file\.txt' is a file, not a folder/],
      [['compile', MLP, '--out', file], /output '.*file\.txt' exists and is not a directory/],
      [['compile', MLP, '--out', path.join(readOnly, 'lib')], /cannot write '.*read-only\/lib': '.*read-only' is not writable \(permission denied\)/],
      [['build', MLP, '--data', path.resolve('examples/digits/digits.csv.gz'), '--ram-kb', '4', '--out', path.join(readOnly, 'b')], /is not writable/],
      [['calibrate', '--target', 'mps2-an386', '--only', 'dense.', '--out', path.join(readOnly, 'c.json')], /is not writable/],
      [['calibrate', '--target', 'mps2-an386', '--only', 'dense.', '--out', dir], /cannot write '.*': it is a folder/],
    ];
    for (const [args, message] of cases) {
      const r = await run(args);
      expect(r.exitCode, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(String(r.stderr), args.join(' ')).toMatch(message);
      expect(String(r.stderr).trim().split('\n'), args.join(' ')).toHaveLength(1);
    }
    expect(fs.readdirSync(readOnly)).toEqual([]);
  });

  it('an unusable TMPDIR', async () => {
    const r = await runCli(['verify', MLP, '--vectors', '1'], { env: envWith({ TMPDIR: path.join(tmp('notmp'), 'missing') }) });
    expect(r.exitCode, String(r.stderr)).toBe(2);
    expect(r.stderr).toMatch(/^edgeprune: error: cannot create a temporary folder in \S+missing \(ENOENT\); set TMPDIR/);
  });
});

describe('tool and emulator failures exit 2 with the cause', () => {
  /** A folder of fake tools, put first on PATH. */
  function fakeTools(tools: Record<string, string>): string {
    const bin = tmp('bin');
    for (const [name, script] of Object.entries(tools)) fs.writeFileSync(path.join(bin, name), `#!/bin/sh\n${script}\n`, { mode: 0o755 });
    return bin;
  }

  it('generated C that gcc rejects: gcc\'s first errors, with file:line', async () => {
    const bin = fakeTools({});
    const broken = path.join(bin, 'broken.h');
    fs.writeFileSync(broken, 'this is not C;\n');
    // The real gcc, given a header that breaks every model.c it compiles.
    fs.writeFileSync(path.join(bin, 'gcc'), `#!/bin/sh\ncase "$*" in *model/model.c*) exec /usr/bin/gcc "$@" -include ${broken} ;; esac\nexec /usr/bin/gcc "$@"\n`, { mode: 0o755 });
    const r = await runCli(['verify', MLP, '--vectors', '1'], { env: envWith({ PATH: `${bin}:${process.env.PATH}` }), timeout: 300_000 });
    expect(r.exitCode, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/^edgeprune: error: compiling \S+model\.c for the host failed: \S*broken\.h:1:1: error: unknown type name .this./m);
    expect(r.stderr.trim().split('\n').filter((l) => l.startsWith('edgeprune:'))).toHaveLength(1);
  });

  it('QEMU aborting: QEMU\'s own message', async () => {
    const bin = fakeTools({ 'qemu-system-arm': 'echo "qemu-system-arm: fatal: simulated failure for a test" >&2\nkill -ABRT $$' });
    const r = await runCli(['verify', MLP, '--vectors', '1'], { env: envWith({ PATH: `${bin}:${process.env.PATH}` }), timeout: 300_000 });
    expect(r.exitCode, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/^edgeprune: error: QEMU netduinoplus2 \(stm32f405\): QEMU was killed by SIGABRT before starting the guest: qemu-system-arm: fatal: simulated failure for a test; QEMU stopped by itself/m);
  });

  it('a serial port that cannot be opened', async () => {
    for (const port of ['/dev/nonexistent-ttyACM9', '/dev/null']) {
      const r = await runCli(['verify', MLP, '--vectors', '1', '--port', port], { timeout: 300_000 });
      expect(r.exitCode, r.stderr).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`^edgeprune: error: cannot open serial port ${port}: .*; check the port \\(--port\\)`, 'm'));
    }
  });

  it('a missing cross compiler: the Debian package to install', async () => {
    const bin = tmp('path');
    fs.symlinkSync(process.execPath, path.join(bin, 'node'));
    fs.symlinkSync('/usr/bin/gcc', path.join(bin, 'gcc'));
    const r = await runCli(['verify', MLP, '--vectors', '1'], { env: envWith({ PATH: bin }), timeout: 300_000 });
    expect(r.exitCode, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/^edgeprune: error: 'arm-none-eabi-gcc' was not found: .*; install the Debian package gcc-arm-none-eabi/m);
  });
});
