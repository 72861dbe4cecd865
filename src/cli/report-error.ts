// Turn any error into one line on stderr and an exit code: 2 for the user's mistakes, 1 for our bugs.
// Messages quote model text (node, op and value names): every line goes through the terminal escaper here.

import { CommanderError } from 'commander';
import { UserError } from '../errors.js';
import { terminalText } from '../util/escape.js';

/** Longest message (and hint) printed; a longer one, e.g. quoting a 5,000-character name, is cut in the middle. */
export const ERROR_TEXT_MAX = 2000;

/** A stack trace (--debug) line by line: its lines stay lines, each escaped. */
function stackText(stack: string | undefined): string {
  return (stack ?? '').split('\n').map((line) => terminalText(line, ERROR_TEXT_MAX)).join('\n');
}

/**
 * Commander's own messages (unknown option or command, missing argument) in the same form as ours: one line,
 * `edgeprune: error: …`, escaped (they quote what the user typed), with the usage hint after a semicolon.
 */
export function commanderErrorText(text: string): string {
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  const [first = 'invalid command line', ...rest] = lines;
  const message = terminalText(first.replace(/^error:\s*/, ''), ERROR_TEXT_MAX);
  const hint = rest.map((l) => terminalText(l.replace(/^\((.*)\)$/, '$1'), ERROR_TEXT_MAX)).join('; ');
  return `edgeprune: error: ${message}${hint ? `; ${hint}` : ''}\n`;
}

export function reportError(e: unknown, debug: boolean, write: (text: string) => void = (t) => process.stderr.write(t)): number {
  if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
  if (e instanceof UserError) {
    const hint = e.hint ? `; ${terminalText(e.hint, ERROR_TEXT_MAX)}` : '';
    write(`edgeprune: error: ${terminalText(e.message, ERROR_TEXT_MAX)}${hint}\n`);
    if (debug) write(`${stackText(e.stack)}\n`);
    return e.exitCode;
  }
  const err = e instanceof Error ? e : new Error(String(e));
  write(`edgeprune: internal error: ${terminalText(err.message.split('\n')[0], ERROR_TEXT_MAX)} (a bug in edgeprune: run again with --debug for the stack trace and report it)\n`);
  if (debug) write(`${stackText(err.stack)}\n`);
  return 1;
}
