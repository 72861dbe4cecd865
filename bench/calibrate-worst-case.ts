// Write targets/calibration/worst-case/<target>.json: the worst-case coefficients of the target's data-dependent
// kernel keys (src/cost/calibrate-worst-case.ts), and print each key's fit.
//
//   npx tsc -p . && node dist/bench/calibrate-worst-case.js --target lm3s6965

import { calibrateWorstCase } from '../src/cost/calibrate-worst-case.js';
import { findMcuTarget } from '../src/targets/load-targets.js';
import { isMain, table } from './kernels/bench-lib.js';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const at = args.indexOf('--target');
  if (at < 0) {
    console.error('calibrate-worst-case: give --target <name>');
    process.exit(2);
  }
  const started = performance.now();
  const run = await calibrateWorstCase(findMcuTarget(args[at + 1], "calibrate-worst-case"), { log: (l) => console.error(l) });
  console.log(table(['key', 'cases', 'raised by', 'max over-prediction'], Object.entries(run.calibration.kernels).map(([k, v]) => [k, v.fit.cases, v.fit.raisedBy.toFixed(3), `${(v.fit.maxOverPrediction * 100).toFixed(1)}%`])));
  console.log(`${run.cases} cases; wrote ${run.file}; ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

if (isMain(import.meta.url)) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
