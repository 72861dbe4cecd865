// `npm run conformance`: the ONNX node tests on the interpreter, and through the C backend on the host and in QEMU.
// The last line is the interpreter's: `conformance: N passed, M failed, K skipped`. With `--c-results <file>` the C
// backend's outcomes are read from the file the suite's conformance test wrote (make test), not run a second time.

import { UserError } from '../errors.js';
import { findMcuTarget } from '../targets/load-targets.js';
import { runCConformance, summarize, type CCaseOutcome } from './c-backend.js';
import { readPinnedRefusals, refusalDifferences } from './c-refusals.js';
import { readCResults } from './c-results-file.js';
import { C_REFUSED_FILE } from './paths.js';
import { runInterpreterConformance } from './run-all.js';

const C_TARGET = 'mps2-an386';

function printFailures(label: string, outcomes: CCaseOutcome[], verbose: boolean): void {
  for (const o of outcomes) {
    if (o.status === 'failed') console.log(`FAIL (${label}) ${o.name}: ${o.reason}`);
    else if (verbose && o.status === 'refused') console.log(`refused (${label}) ${o.name}: ${o.reason}`);
  }
}

async function main(): Promise<number> {
  const verbose = process.argv.includes('--verbose');
  const interpreterOnly = process.argv.includes('--interpreter-only');
  let failed = 0;
  const resultsAt = process.argv.indexOf('--c-results');
  const resultsFile = resultsAt >= 0 ? process.argv[resultsAt + 1] : undefined;
  if (resultsAt >= 0 && !resultsFile) throw new UserError('--c-results needs a file (the C conformance outcomes the suite wrote)');
  if (!interpreterOnly) {
    const c = resultsFile ? readCResults(resultsFile) : await runCConformance({ target: findMcuTarget(C_TARGET, 'conformance') });
    printFailures('C, host', c.host, verbose);
    printFailures(`C, qemu ${c.targetName ?? C_TARGET}`, c.target ?? [], verbose);
    const refusalProblems = refusalDifferences(c.host, readPinnedRefusals(C_REFUSED_FILE), 'test/conformance/c-refused.json', true);
    for (const p of refusalProblems) console.log(`FAIL (C, refusals) ${p}`);
    const host = summarize(c.host);
    const target = summarize(c.target ?? []);
    console.log(`conformance (C backend, host gcc): ${host.passed} passed, ${host.failed} failed, ${host.refused} refused by compile (not supported by the C backend)`);
    console.log(`conformance (C backend, QEMU ${c.targetName ?? C_TARGET}): ${target.passed} passed, ${target.failed} failed, ${target.refused} refused by compile`);
    failed += host.failed + target.failed + refusalProblems.length;
  }
  const s = runInterpreterConformance();
  for (const o of s.outcomes) {
    if (o.status === 'failed') console.log(`FAIL ${o.name}: ${o.reason}`);
    else if (verbose) console.log(`${o.status === 'passed' ? 'ok  ' : 'skip'} ${o.name}${o.status === 'skipped' ? `: ${o.reason}` : ''}`);
  }
  console.log(`conformance: ${s.passed} passed, ${s.failed} failed, ${s.skipped} skipped`);
  return failed + s.failed > 0 ? 1 : 0;
}

try {
  process.exitCode = await main();
} catch (e) {
  if (!(e instanceof UserError)) throw e;
  console.error(`error: ${e.message}`);
  process.exitCode = 2;
}
