#!/usr/bin/env node
// Entry point of the `edgeprune` command: runs the bundled CLI (dist/bundle/, built by `npm run build`).
// With --debug, stack traces go through the bundle's source maps to the TypeScript (parsing them costs start-up time).
if (process.argv.includes('--debug')) process.setSourceMapsEnabled(true);
await import('../dist/bundle/edgeprune.js');
