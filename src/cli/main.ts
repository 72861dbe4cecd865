// The `edgeprune` command line: registers the commands, turns errors into messages and exit codes,
// and on SIGINT/SIGTERM/SIGHUP stops its children, removes its temporary folders and exits 130/143/129.

import { Command } from 'commander';
import { VERSION } from '../version.js';
import { registerBuild } from './commands/build.js';
import { registerCalibrate } from './commands/calibrate.js';
import { registerCompile } from './commands/compile.js';
import { registerEval } from './commands/eval.js';
import { registerInspect } from './commands/inspect.js';
import { registerPrune } from './commands/prune.js';
import { registerTargets } from './commands/targets.js';
import { registerTrain } from './commands/train.js';
import { registerVerify } from './commands/verify.js';
import { cleanupStarted, runCleanups } from '../util/cleanup.js';
import { sweepStaleTempDirs } from '../util/temp-dir.js';
import { reportError } from './report-error.js';

/** Exit codes of a run ended by a signal: 128 + the signal's number, as a shell reports it. */
const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;

let interruptedWith: number | null = null;

/** On a signal: kill the children (their whole process groups), remove temporary folders, exit 128+n. A second signal exits at once. */
function installSignalHandlers(): void {
  for (const [signal, code] of Object.entries(SIGNAL_EXIT_CODES)) {
    process.on(signal, () => {
      if (interruptedWith !== null) process.exit(interruptedWith);
      interruptedWith = code;
      process.stderr.write(`edgeprune: interrupted by ${signal}: stopping\n`);
      void runCleanups().finally(() => process.exit(code));
    });
  }
}

export async function main(argv: string[]): Promise<number> {
  const debug = argv.includes('--debug');
  installSignalHandlers();
  sweepStaleTempDirs(); // folders a killed run (SIGKILL: nothing ran) left behind
  const program = new Command()
    .name('edgeprune')
    .description('Prune neural networks until they fit a microcontroller or an FPGA, emit code, and verify it in simulation.')
    .version(VERSION)
    .option('--debug', 'print stack traces for errors')
    .showHelpAfterError('(run edgeprune --help for usage)')
    .exitOverride();
  registerInspect(program);
  registerTargets(program);
  registerCompile(program);
  registerVerify(program);
  registerEval(program);
  registerTrain(program);
  registerPrune(program);
  registerBuild(program);
  registerCalibrate(program);
  for (const cmd of program.commands) cmd.exitOverride().option('--debug', 'print stack traces for errors');
  try {
    await program.parseAsync(argv);
    // A command that finished but failed its check (verify: 4, build: 3) has set process.exitCode.
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    // An interrupt kills the children: the errors that follow are its consequences, not news.
    if (cleanupStarted() && interruptedWith !== null) return interruptedWith;
    return reportError(e, debug);
  }
}

process.exitCode = await main(process.argv);
