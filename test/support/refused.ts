// A command line refused as a user mistake: exit 2, one escaped `edgeprune: error:` line matching the message, no
// stack trace, nothing on stdout, and (when given) no output written at `out`.
import fs from 'node:fs';
import { expect } from 'vitest';
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
