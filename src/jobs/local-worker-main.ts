// The program of a local pool worker (what `edgeprune worker --local` runs, without loading the whole command line:
// a worker starts in about half the time): `node local-worker-main.js [--kinds <module>]...`.

import { errorMessage } from '../errors.js';
import { registerBuiltinJobKinds, registerJobKindsFrom } from './builtin-kinds.js';
import { serveLocalJobs } from './local-worker.js';

async function main(args: string[]): Promise<void> {
  registerBuiltinJobKinds();
  for (let i = 0; i < args.length; i++) {
    if (args[i] !== '--kinds' || i + 1 >= args.length) throw new Error(`unexpected argument '${args[i]}' (only --kinds <module>)`);
    await registerJobKindsFrom(args[++i]);
  }
  await serveLocalJobs();
}

try {
  await main(process.argv.slice(2));
} catch (e) {
  process.stderr.write(`edgeprune worker: error: ${errorMessage(e)}\n`);
  process.exitCode = 2;
}
