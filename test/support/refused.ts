// A command line refused as a user mistake: exit 2, one escaped `edgeprune: error:` line matching the message, no
// stack trace, nothing on stdout, and (when given) no output written at `out`; checked in a real process (runCli)
// or in this one (runInProcess: the same program and error report, without a process's start per case).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect } from 'vitest';
import { runCli, type CliResult } from './cli.js';
import { runInProcess } from './in-process-cli.js';

function expectRefusal(args: string[], r: CliResult, message: RegExp, out?: string): void {
  expect(r.exitCode, `${args.join(' ')}\n${r.stderr}`).toBe(2);
  expect(r.stderr).toMatch(message);
  expect(r.stderr.trimEnd().split('\n'), r.stderr).toHaveLength(1);
  expect(r.stderr).toMatch(/^edgeprune: error: /);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(r.stdout).toBe('');
  if (out !== undefined) expect(fs.existsSync(out), `${out} was written`).toBe(false);
}

/** `edgeprune <args>` in a new process is refused (see the file's opening comment). */
export async function expectRefused(args: string[], message: RegExp, out?: string, env?: Record<string, string>): Promise<void> {
  expectRefusal(args, await runCli(args, env ? { env } : {}), message, out);
}

/** `edgeprune <args>` run in this process (test/support/in-process-cli.ts) is refused, as expectRefused checks it. */
export async function expectRefusedInProcess(args: string[], message: RegExp, out?: string): Promise<void> {
  expectRefusal(args, await runInProcess(args), message, out);
}

/**
 * Refusals of a mistakes file, each named by a key (its flags, written as `flags.join(' ')`, unless the file says
 * otherwise): `refused(key, args, message, out?)` checks `edgeprune <args>` in this process, except the keys of
 * `inRealProcess`, a handful per command run as a new process, which proves the exit code and the one line a process
 * prints. `processRunsLeft()`, called by the file's last test, lists the keys no refused() ran (a misspelt one would
 * otherwise drop a process run unseen).
 */
export function refusals(inRealProcess: readonly string[]) {
  const ranAsProcess = new Set<string>();
  const refused = (key: string, args: string[], message: RegExp, out?: string) => {
    if (!inRealProcess.includes(key)) return expectRefusedInProcess(args, message, out);
    ranAsProcess.add(key);
    return expectRefused(args, message, out);
  };
  const processRunsLeft = () => inRealProcess.filter((k) => !ranAsProcess.has(k));
  return { refused, processRunsLeft };
}

/**
 * For a test file of one command's mistakes: a temporary folder (removed after the file's tests), fresh `--out`
 * paths in it, and `refuse(flags, message)`: `<command> <model> --data <data> --out <fresh> ...flags` refused, writing
 * nothing, in this process or (flags in `inRealProcess`) a new one, as `refusals` says.
 */
export function commandMistakes(command: string, model: string, data: string, tmpPrefix: string, inRealProcess: readonly string[]) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), tmpPrefix));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const { refused, processRunsLeft } = refusals(inRealProcess);
  let n = 0;
  const freshOut = () => path.join(dir, `out-${n++}`);
  const refuse = (flags: string[], message: RegExp) => {
    const out = freshOut();
    return refused(flags.join(' '), [command, model, '--data', data, '--out', out, ...flags], message, out);
  };
  return { dir, freshOut, refuse, processRunsLeft };
}
