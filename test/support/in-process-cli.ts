// Run one `edgeprune` command line in the test's own process, through the command's commander program as
// src/cli/main.ts builds it (the same options, parsers, action and error report), capturing what it prints and the
// exit code: for the many refusals of the mistakes files, which checked the same code in a new process each
// (about 0.5 CPU-s apiece). A file that refuses in process keeps real CLI runs (runCli) of each command it refuses,
// which prove the process's exit and output.
import { Command } from 'commander';
import { vi } from 'vitest';
import { commanderErrorText, reportError } from '../../src/cli/report-error.js';
import type { CliResult } from './cli.js';

type Register = (program: Command) => void;

/** The commands, loaded as main.ts loads them (one module per command, when it is asked for). */
const COMMANDS: Record<string, () => Promise<Register>> = {
  inspect: async () => (await import('../../src/cli/commands/inspect.js')).registerInspect,
  compile: async () => (await import('../../src/cli/commands/compile.js')).registerCompile,
  verify: async () => (await import('../../src/cli/commands/verify.js')).registerVerify,
  eval: async () => (await import('../../src/cli/commands/eval.js')).registerEval,
  train: async () => (await import('../../src/cli/commands/train.js')).registerTrain,
  prune: async () => (await import('../../src/cli/commands/prune.js')).registerPrune,
  quantize: async () => (await import('../../src/cli/commands/quantize.js')).registerQuantize,
  build: async () => (await import('../../src/cli/commands/build.js')).registerBuild,
  calibrate: async () => (await import('../../src/cli/commands/calibrate.js')).registerCalibrate,
  sweep: async () => (await import('../../src/cli/commands/sweep.js')).registerSweep,
  worker: async () => (await import('../../src/cli/commands/worker.js')).registerWorker,
};

/**
 * `edgeprune <args>` in this process: main.ts's program (exitOverride, commander's errors through commanderErrorText
 * with its usage hint, --debug on each command) with the one command args[0] names, parsed as main() parses it; a
 * throw goes through reportError as there. stdout and stderr (console and the process streams) are captured while it
 * runs and not printed; process.exitCode is restored after.
 */
export async function runInProcess(args: string[]): Promise<CliResult> {
  const load = COMMANDS[args[0] ?? ''];
  if (!load) throw new Error(`runInProcess: no in-process command '${args[0]}' (known: ${Object.keys(COMMANDS).join(', ')})`);
  let stdout = '';
  let stderr = '';
  const toOut = (t: unknown) => { stdout += String(t); return true; };
  const toErr = (t: unknown) => { stderr += String(t); return true; };
  const program = new Command()
    .name('edgeprune')
    .option('--debug', 'print stack traces for errors')
    .configureOutput({ writeOut: toOut, writeErr: toErr, outputError: (text, write) => write(commanderErrorText(`${text}\n(run edgeprune --help for usage)`)) })
    .exitOverride();
  (await load())(program);
  for (const cmd of program.commands) cmd.exitOverride().option('--debug', 'print stack traces for errors');
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
    await program.parseAsync(['node', 'edgeprune', ...args]);
    exitCode = typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    exitCode = reportError(e, args.includes('--debug'), toErr);
  } finally {
    for (const s of spies) s.mockRestore();
    process.exitCode = exitCodeBefore;
  }
  return { exitCode, stdout, stderr };
}
