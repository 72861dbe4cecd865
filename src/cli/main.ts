// The `edgeprune` command line: registers the commands and turns errors into messages and exit codes.
// Signals keep Node's default (end at once, even in the middle of a computation, status 128+n): the
// process guards then end the children and the janitor removes the temporary folders
// (hw-sim/guard/); folders a kill left anyway are swept at the next start.

import { Command } from 'commander';
import { VERSION } from '../version.js';
import { registerBuild } from './commands/build.js';
import { registerCalibrate } from './commands/calibrate.js';
import { registerCompile } from './commands/compile.js';
import { registerEval } from './commands/eval.js';
import { registerInspect } from './commands/inspect.js';
import { registerPrune } from './commands/prune.js';
import { registerQuantize } from './commands/quantize.js';
import { registerTargets } from './commands/targets.js';
import { registerTrain } from './commands/train.js';
import { registerVerify } from './commands/verify.js';
import { registerFlash } from './commands/flash.js';
import { registerWorker } from './commands/worker.js';
import { registerSweep } from './commands/sweep.js';
import { sweepStaleTempDirs } from '../util/temp-dir.js';
import { commanderErrorText, reportError } from './report-error.js';

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
  registerInspect(program);
  registerTargets(program);
  registerCompile(program);
  registerVerify(program);
  registerFlash(program);
  registerEval(program);
  registerTrain(program);
  registerPrune(program);
  registerQuantize(program);
  registerBuild(program);
  registerCalibrate(program);
  registerSweep(program);
  registerWorker(program);
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
