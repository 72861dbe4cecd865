// Run one `edgeprune` command line in the test's own process, through the command line's own commander program
// (src/cli/program.ts: the same options, parsers, action and error report), capturing what it prints and the
// exit code: for the many refusals of the mistakes files, which checked the same code in a new process each
// (about 0.5 CPU-s apiece). A file that refuses in process keeps real CLI runs (runCli) of each command it refuses,
// which prove the process's exit and output.
import { vi } from 'vitest';
import { commandProgram, requestedCommand } from '../../src/cli/program.js';
import { reportError } from '../../src/cli/report-error.js';
import type { CliResult } from './cli.js';

/**
 * `edgeprune <args>` in this process: the command line's own program (src/cli/program.ts: exitOverride, commander's
 * errors through commanderErrorText with its usage hint, --debug on each command) with the one command args[0] names,
 * parsed as main() parses it; a throw goes through reportError as there. stdout and stderr (console and the process
 * streams) are captured while it runs and not printed; process.exitCode is restored after.
 */
export async function runInProcess(args: string[]): Promise<CliResult> {
  const argv = ['node', 'edgeprune', ...args];
  if (!args[0] || requestedCommand(argv) !== args[0]) throw new Error(`runInProcess: '${args[0]}' is not an edgeprune command`);
  let stdout = '';
  let stderr = '';
  const toOut = (t: unknown) => { stdout += String(t); return true; };
  const toErr = (t: unknown) => { stderr += String(t); return true; };
  const program = await commandProgram(argv, { writeOut: toOut, writeErr: toErr });
  const line = (write: (t: unknown) => boolean) => (...parts: unknown[]) => { write(`${parts.map(String).join(' ')}\n`); };
  const spies = [
    vi.spyOn(process.stdout, 'write').mockImplementation(toOut),
    vi.spyOn(process.stderr, 'write').mockImplementation(toErr),
    vi.spyOn(console, 'log').mockImplementation(line(toOut)),
    vi.spyOn(console, 'info').mockImplementation(line(toOut)),
    vi.spyOn(console, 'error').mockImplementation(line(toErr)),
    vi.spyOn(console, 'warn').mockImplementation(line(toErr)),
  ];
  const exitCodeBefore = process.exitCode;
  process.exitCode = undefined;
  let exitCode: number;
  try {
    await program.parseAsync(argv);
    exitCode = typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    exitCode = reportError(e, args.includes('--debug'), toErr);
  } finally {
    for (const s of spies) s.mockRestore();
    process.exitCode = exitCodeBefore;
  }
  return { exitCode, stdout, stderr };
}
