// The process guard every hw-sim child runs under: the program's whole process group dies with
// edgeprune (a SIGKILL included), with a timeout, or with the guard itself; exit codes and
// signals pass through unchanged.
import { execa } from 'execa';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runTool, ToolTimeoutError } from '../../hw-sim/build/tools.js';
import { spawnChild } from '../../hw-sim/process.js';
import { UserError } from '../../src/errors.js';
import { processesMentioning, programsMentioning, removeTempDirs, tempDir } from './support.js';

afterAll(removeTempDirs);

const SH = { command: 'sh', debianPackage: 'dash' };

/** A sleep no other process runs: its duration is the marker found in /proc. */
let serial = 0;
function marker(): string {
  return String(900_000 + process.pid * 10 + ++serial);
}

/** Poll until `probe` holds (a liveness wait: the cap only stops a test that would hang). */
async function until(what: string, probe: () => boolean, capMs = 60_000): Promise<void> {
  const end = Date.now() + capMs;
  while (!probe()) {
    if (Date.now() > end) throw new Error(`still waiting for ${what} after ${capMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const sleeping = (m: string) => processesMentioning(`sleep ${m}`).filter((p) => p.cmdline.startsWith('sleep '));

describe('the process guard', () => {
  it('kills the program and everything it started when its Node parent is SIGKILLed', async () => {
    const m = marker();
    // A tool that forks (as gcc forks cc1 and as, make its recipes): a child in the background and one in front.
    const script = `
      const { runTool } = await import(${JSON.stringify(path.resolve('dist/hw-sim/build/tools.js'))});
      await runTool({ command: 'sh', debianPackage: 'dash' }, ['-c', 'sleep ${m} & sleep ${m}; wait'], { timeoutMs: 600000, what: 'a test' });`;
    const parent = execa(process.execPath, ['--input-type=module', '-e', script], { reject: false, timeout: 300_000 });
    await until('both sleeps to run', () => sleeping(m).length === 2);
    parent.kill('SIGKILL');
    expect((await parent).signal).toBe('SIGKILL');
    await until('the sleeps to be killed', () => sleeping(m).length === 0);
  });

  it('kills the whole group on a timeout, as a UserError that says the machine may be overloaded', async () => {
    const m = marker();
    const run = runTool(SH, ['-c', `sleep ${m} & sleep ${m}; wait`], { timeoutMs: 300, what: 'sleeping' });
    await expect(run).rejects.toThrow(ToolTimeoutError);
    await expect(run).rejects.toBeInstanceOf(UserError);
    await expect(run).rejects.toThrow(/^sleeping: 'sh' did not finish within 0\.3 s and was killed$/);
    await expect(run).rejects.toMatchObject({ hint: expect.stringMatching(/may be overloaded/) });
    await until('the sleeps to be killed', () => sleeping(m).length === 0);
  });

  it('takes the program down when the guard itself is SIGKILLed', async () => {
    const m = marker();
    const child = await spawnChild(SH, ['-c', `exec sleep ${m}`], { lifetimeMs: 600_000, stdin: false });
    // The guard reports the child started before its `exec sleep` has run: on a loaded machine /proc may still show sh.
    await until('the program to exec sleep', () => sleeping(m).length === 1);
    expect(programsMentioning(`sleep ${m}`).map((p) => p.pid)).toEqual([child.pid]);
    const guard = processesMentioning(`sleep ${m}`).find((p) => p.pid !== child.pid)!;
    expect(guard.cmdline).toMatch(/ep-guard-[0-9a-f]+ sh -c exec sleep/);
    process.kill(guard.pid, 'SIGKILL');
    expect(await child.exited).toMatchObject({ signal: 'SIGKILL' });
    await until('the program to be killed', () => sleeping(m).length === 0);
  });

  it('passes exit codes, signals, stdin and stdout through', async () => {
    const code = await spawnChild(SH, ['-c', 'exit 3'], { lifetimeMs: 60_000, stdin: false });
    expect(await code.exited).toEqual({ exitCode: 3, signal: null, timedOut: false });
    const abort = await spawnChild(SH, ['-c', 'echo "about to abort" >&2; kill -ABRT $$'], { lifetimeMs: 60_000, stdin: false });
    expect(await abort.exited).toEqual({ exitCode: null, signal: 'SIGABRT', timedOut: false });
    expect(abort.stderrTail()).toBe('about to abort');
    const cat = await spawnChild({ command: 'cat', debianPackage: 'coreutils' }, [], { lifetimeMs: 60_000, stdin: true });
    const echoed = new Promise<string>((resolve) => cat.onStdout(resolve));
    cat.stdin!.write('hello\n');
    expect(await echoed).toBe('hello\n');
    cat.stdin!.end();
    expect(await cat.exited).toEqual({ exitCode: 0, signal: null, timedOut: false });
    const r = await runTool(SH, ['-c', 'echo out; echo err >&2; exit 5'], { timeoutMs: 60_000, what: 'a test' });
    expect(r).toEqual({ stdout: 'out', stderr: 'err', exitCode: 5 });
  });

  it('replays output that came before the first listener', async () => {
    const child = await spawnChild(SH, ['-c', 'echo early; sleep 1; echo late'], { lifetimeMs: 60_000, stdin: false });
    await new Promise((r) => setTimeout(r, 300));
    let text = '';
    child.onStdout((chunk) => (text += chunk));
    await child.exited;
    expect(text).toBe('early\nlate\n');
  });

  it('has the janitor remove the temporary folders of a SIGKILLed process, and only those', async () => {
    const m = marker();
    const root = tempDir('janitor');
    const script = `
      const { makeTempDir, removeTempDir } = await import(${JSON.stringify(path.resolve('dist/src/util/temp-dir.js'))});
      const { runTool } = await import(${JSON.stringify(path.resolve('dist/hw-sim/build/tools.js'))});
      const work = makeTempDir('work');
      fs.writeFileSync(path.join(work, 'a.txt'), 'x');
      removeTempDir(makeTempDir('done'));
      makeTempDir('build', { keep: true }); // --keep-build
      await runTool({ command: 'sh', debianPackage: 'dash' }, ['-c', 'sleep ${m}'], { timeoutMs: 600000, what: 'a test' });`;
    const parent = execa(process.execPath, ['--input-type=module', '-e', `import fs from 'node:fs'; import path from 'node:path';${script}`], {
      reject: false,
      timeout: 300_000,
      env: { ...process.env, TMPDIR: root },
    });
    await until('the tool to run', () => sleeping(m).length === 1);
    expect(fs.readdirSync(root).map((n) => n.replace(/^edgeprune-(\d+-\d+|kept)-/, '').replace(/-\w{6}$/, '')).sort()).toEqual(['build', 'work']);
    parent.kill('SIGKILL');
    await parent;
    await until('the janitor to remove the work folder', () => fs.readdirSync(root).length === 1);
    expect(fs.readdirSync(root)[0]).toMatch(/^edgeprune-kept-build-\w{6}$/);
    await until('the tool to be killed', () => sleeping(m).length === 0);
  });

  it("has the janitor remove the folders when the process's whole group is killed (a guarded job process)", async () => {
    const m = marker();
    const root = tempDir('janitor-group');
    const script = `
      const { makeTempDir } = await import(${JSON.stringify(path.resolve('dist/src/util/temp-dir.js'))});
      const { runTool } = await import(${JSON.stringify(path.resolve('dist/hw-sim/build/tools.js'))});
      fs.writeFileSync(path.join(makeTempDir('work'), 'a.txt'), 'x');
      await runTool({ command: 'sh', debianPackage: 'dash' }, ['-c', 'sleep ${m}'], { timeoutMs: 600000, what: 'a test' });`;
    // A group of its own, killed whole, as a guard kills the group of the program it runs when its parent dies.
    const parent = execa(process.execPath, ['--input-type=module', '-e', `import fs from 'node:fs'; import path from 'node:path';${script}`], {
      reject: false,
      timeout: 300_000,
      detached: true,
      env: { ...process.env, TMPDIR: root },
    });
    await until('the tool to run', () => sleeping(m).length === 1);
    expect(fs.readdirSync(root)).toHaveLength(1);
    process.kill(-parent.pid!, 'SIGKILL');
    await parent;
    await until('the janitor to remove the work folder', () => fs.readdirSync(root).length === 0);
    await until('the tool to be killed', () => sleeping(m).length === 0);
  });

  it('names a program that cannot run', async () => {
    const dir = tempDir('guard');
    const run = runTool({ command: dir, debianPackage: 'x' }, [], { timeoutMs: 60_000, what: 'running a folder' });
    await expect(run).rejects.toThrow(UserError);
    await expect(run).rejects.toThrow(/running a folder: '.*' could not run \(EACCES\)/);
  });
});
