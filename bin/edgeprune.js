#!/usr/bin/env node
// Entry point of the `edgeprune` command: runs the bundled CLI (dist/bundle/, built by `npm run build`).
// With --debug, stack traces go through the bundle's source maps to the TypeScript (parsing them costs start-up time).
import fs from 'node:fs';

const mtime = (file) => fs.statSync(new URL(file, import.meta.url), { throwIfNoEntry: false })?.mtimeMs;
const bundle = mtime('../dist/bundle/edgeprune.js');
if (bundle === undefined) {
  process.stderr.write('edgeprune: error: the command is not built (dist/bundle/ is missing); run `npm run build` in the edgeprune folder\n');
  process.exit(2);
}
// In a checkout (a package has no tsc output): tsc alone leaves the bundle behind the TypeScript.
const compiled = mtime('../dist/.tsbuildinfo');
if (compiled !== undefined && compiled > bundle) {
  process.stderr.write('edgeprune: warning: dist/bundle/ is older than the compiled TypeScript; run `npm run build` (tsc, then rolldown)\n');
}
if (process.argv.includes('--debug')) process.setSourceMapsEnabled(true);
await import('../dist/bundle/edgeprune.js');
