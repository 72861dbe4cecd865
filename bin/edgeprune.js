#!/usr/bin/env node
// Entry point of the `edgeprune` command: runs the compiled CLI (build with `npm run build`).
import '../dist/src/cli/main.js';
