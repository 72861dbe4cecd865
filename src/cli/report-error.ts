// Turn any error into one line on stderr and an exit code: 2 for the user's mistakes, 1 for our bugs.

import { CommanderError } from 'commander';
import { UserError } from '../errors.js';

export function reportError(e: unknown, debug: boolean, write: (text: string) => void = (t) => process.stderr.write(t)): number {
  if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
  if (e instanceof UserError) {
    write(`edgeprune: error: ${e.message}${e.hint ? `; ${e.hint}` : ''}\n`);
    if (debug) write(`${e.stack}\n`);
    return e.exitCode;
  }
  const err = e instanceof Error ? e : new Error(String(e));
  write(`edgeprune: internal error: ${err.message.split('\n')[0]} (a bug in edgeprune: run again with --debug for the stack trace and report it)\n`);
  if (debug) write(`${err.stack}\n`);
  return 1;
}
