// The `edgeprune` commander program as the command line runs it: the commands (each loaded only when argv asks for it),
// the top-level options, commander's errors with the usage hint, and --debug on every command.

import { Command } from 'commander';
import { VERSION } from '../version.js';
import { commanderErrorText } from './report-error.js';

type Register = (program: Command) => void;

/**
 * The commands, in the order `edgeprune --help` lists them, each loaded only when it is needed: a command's module
 * pulls in its whole pipeline (TF.js, the emitters, BullMQ…), and loading every one costs each run about a second.
 */
const COMMANDS: ReadonlyArray<readonly [string, () => Promise<Register>]> = [
  ['inspect', async () => (await import('./commands/inspect.js')).registerInspect],
  ['targets', async () => (await import('./commands/targets.js')).registerTargets],
  ['compile', async () => (await import('./commands/compile.js')).registerCompile],
  ['verify', async () => (await import('./commands/verify.js')).registerVerify],
  ['flash', async () => (await import('./commands/flash.js')).registerFlash],
  ['eval', async () => (await import('./commands/eval.js')).registerEval],
  ['train', async () => (await import('./commands/train.js')).registerTrain],
  ['prune', async () => (await import('./commands/prune.js')).registerPrune],
  ['quantize', async () => (await import('./commands/quantize.js')).registerQuantize],
  ['build', async () => (await import('./commands/build.js')).registerBuild],
  ['calibrate', async () => (await import('./commands/calibrate.js')).registerCalibrate],
  ['sweep', async () => (await import('./commands/sweep.js')).registerSweep],
  ['worker', async () => (await import('./commands/worker.js')).registerWorker],
];

/** The command argv names (the first word that is not an option: the top-level options take no value), if it is one. */
export function requestedCommand(argv: string[]): string | undefined {
  const word = argv.slice(2).find((a) => !a.startsWith('-'));
  return COMMANDS.some(([name]) => name === word) ? word : undefined;
}

/** Where commander writes its help and errors (absent: the process's streams). */
export interface ProgramOutput {
  writeOut: (text: string) => void;
  writeErr: (text: string) => void;
}

/**
 * The program for `argv` (process.argv's form): one command when argv names one; all of them for the overview,
 * `help <command>` and a misspelt name (commander then suggests the nearest); none for `--version` alone.
 */
export async function commandProgram(argv: string[], output?: ProgramOutput): Promise<Command> {
  const program = new Command()
    .name('edgeprune')
    .description('Prune neural networks until they fit a microcontroller or an FPGA, emit code, and verify it in simulation.')
    .version(VERSION)
    .option('--debug', 'print stack traces for errors')
    .configureOutput({ ...output, outputError: (text, write) => write(commanderErrorText(`${text}\n(run edgeprune --help for usage)`)) })
    .exitOverride();
  const wanted = requestedCommand(argv);
  const versionOnly = wanted === undefined && argv.slice(2).some((a) => a === '--version' || a === '-V');
  if (!versionOnly) for (const [name, load] of COMMANDS) if (wanted === undefined || name === wanted) (await load())(program);
  for (const cmd of program.commands) cmd.exitOverride().option('--debug', 'print stack traces for errors');
  return program;
}
