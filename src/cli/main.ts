// The `edgeprune` command line: registers the commands and turns errors into messages and exit codes.
// Signals keep Node's default (end at once, even in the middle of a computation, status 128+n): the
// process guards then end the children and the janitor removes the temporary folders
// (hw-sim/guard/); folders a kill left anyway are swept at the next start.

import { Command } from 'commander';
import { VERSION } from '../version.js';
import { sweepStaleTempDirs } from '../util/temp-dir.js';
import { commanderErrorText, reportError } from './report-error.js';

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
function requestedCommand(argv: string[]): string | undefined {
  const word = argv.slice(2).find((a) => !a.startsWith('-'));
  return COMMANDS.some(([name]) => name === word) ? word : undefined;
}

export async function main(argv: string[]): Promise<number> {
  const debug = argv.includes('--debug');
  sweepStaleTempDirs(); // folders a killed run left behind (its janitor did not get to them)
  const program = new Command()
    .name('edgeprune')
    .description('Prune neural networks until they fit a microcontroller or an FPGA, emit code, and verify it in simulation.')
    .version(VERSION)
    .option('--debug', 'print stack traces for errors')
    .configureOutput({ outputError: (text, write) => write(commanderErrorText(`${text}\n(run edgeprune --help for usage)`)) })
    .exitOverride();
  // One command when argv names one; all of them for the overview, `help <command>` and a misspelt name (commander
  // then suggests the nearest).
  const wanted = requestedCommand(argv);
  const versionOnly = wanted === undefined && argv.slice(2).some((a) => a === '--version' || a === '-V');
  if (!versionOnly) for (const [name, load] of COMMANDS) if (wanted === undefined || name === wanted) (await load())(program);
  for (const cmd of program.commands) cmd.exitOverride().option('--debug', 'print stack traces for errors');
  try {
    await program.parseAsync(argv);
    // A command that finished but failed its check (verify: 4, build: 3) has set process.exitCode.
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    return reportError(e, debug);
  }
}

process.exitCode = await main(process.argv);
