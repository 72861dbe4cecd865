// A command line refused as a user mistake: exit 2, one escaped `edgeprune: error:` line matching the message, no
// stack trace, nothing on stdout, and (when given) no output written at `out`.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect } from 'vitest';
import { runCli } from './cli.js';

export async function expectRefused(args: string[], message: RegExp, out?: string, env?: Record<string, string>): Promise<void> {
  const r = await runCli(args, env ? { env } : {});
  expect(r.exitCode, `${args.join(' ')}\n${r.stderr}`).toBe(2);
  expect(r.stderr).toMatch(message);
  expect(r.stderr.trimEnd().split('\n'), r.stderr).toHaveLength(1);
  expect(r.stderr).toMatch(/^edgeprune: error: /);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(r.stdout).toBe('');
  if (out !== undefined) expect(fs.existsSync(out), `${out} was written`).toBe(false);
}

/**
 * For a test file of one command's mistakes: a temporary folder (removed after the file's tests), fresh `--out`
 * paths in it, and `refuse(flags, message)`: `<command> <model> --data <data> --out <fresh> ...flags` refused, writing nothing.
 */
export function commandMistakes(command: string, model: string, data: string, tmpPrefix: string) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), tmpPrefix));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  let n = 0;
  const freshOut = () => path.join(dir, `out-${n++}`);
  const refuse = (flags: string[], message: RegExp) => {
    const out = freshOut();
    return expectRefused([command, model, '--data', data, '--out', out, ...flags], message, out);
  };
  return { dir, freshOut, refuse };
}
