// The `edgeprune` command line: builds the program (program.ts) and turns errors into messages and exit codes.
// Signals keep Node's default (end at once, even in the middle of a computation, status 128+n): the
// process guards then end the children and the janitor removes the temporary folders
// (hw-sim/guard/); folders a kill left anyway are swept at the next start.

import { sweepStaleTempDirs } from '../util/temp-dir.js';
import { commandProgram } from './program.js';
import { reportError } from './report-error.js';

export async function main(argv: string[]): Promise<number> {
  const debug = argv.includes('--debug');
  sweepStaleTempDirs(); // folders a killed run left behind (its janitor did not get to them)
  const program = await commandProgram(argv);
  try {
    await program.parseAsync(argv);
    // A command that finished but failed its check (verify: 4, build: 3) has set process.exitCode.
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    return reportError(e, debug);
  }
}

process.exitCode = await main(process.argv);
