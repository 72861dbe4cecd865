// `npm run conformance`: run the ONNX node tests and print one summary line per backend.

import { runInterpreterConformance } from './run-all.js';

function main(): number {
  const verbose = process.argv.includes('--verbose');
  const s = runInterpreterConformance();
  for (const o of s.outcomes) {
    if (o.status === 'failed') console.log(`FAIL ${o.name}: ${o.reason}`);
    else if (verbose) console.log(`${o.status === 'passed' ? 'ok  ' : 'skip'} ${o.name}${o.status === 'skipped' ? `: ${o.reason}` : ''}`);
  }
  console.log(`conformance: ${s.passed} passed, ${s.failed} failed, ${s.skipped} skipped`);
  return s.failed > 0 ? 1 : 0;
}

process.exitCode = main();
