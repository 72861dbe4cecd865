// Issue 11's FPGA build goals, on the digits MLP (64-64-32-10) trained here with `edgeprune train --arch mlp --seed S`:
//  - ice40: `build --target ice40-up5k` with a cycle and a LUT budget that the dense model misses at every reuse factor
//    and mapping (the cost model's best dense design is printed): met, placed and routed, bitstream written.
//  - xc7: the dense design with every multiplier on a DSP48E1 (hls4ml's convention; the fastest such design of the
//    dense model that fits xc7a35t, as the build's design choice finds it) sets the DSP budget D/4:
//    `build --target xc7a35t --max-dsps ⌊D/4⌋` (any mapping), with `--multipliers dsp` (the products stay on DSP
//    blocks), and with the dense design's latency held too (--latency-cycles), measured by Yosys, ≤ 1.5 points drop.
// Each run prints the budgets (estimated and measured), the design, the accuracy and the wall time.
//
//   npx tsc -p . && node dist/bench/fpga-build.js [--seeds 0,1,2] [--only ice40|xc7] [--latency-cycles N --max-luts N]

import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { chooseFpgaDesign } from '../src/build/fpga/choose-design.js';
import { loadFpgaCalibration } from '../src/cost/fpga/calibration.js';
import type { MultiplierMapping } from '../src/emit/verilog/fpga-project.js';
import { parseFpgaBudgets } from '../src/build/fpga/fpga-budgets.js';
import { searchQuantizer } from '../src/build/int8-deployment.js';
import { loadSplit } from '../src/cli/data-options.js';
import { fpgaMultiplierBits } from '../src/cli/fpga-model.js';
import { fitToModel } from '../src/data/fit-model.js';
import { loadModel } from '../src/import/load-model.js';
import { findTarget } from '../src/targets/load-targets.js';
import type { FpgaTarget } from '../src/targets/schema.js';
import { repoPath } from '../src/util/package-root.js';
import { makeTempDir, removeTempDir } from '../src/util/temp-dir.js';
import { isMain } from './kernels/bench-lib.js';

const BIN = repoPath('bin', 'edgeprune.js');
const DATA = repoPath('examples', 'digits', 'digits.csv.gz');
/** ice40-up5k budgets the dense digits MLP misses (its best design: about 1,900 cycles at 4,200 LUTs, or 2,900 LUTs at 6,500 cycles). */
export const ICE40_LATENCY_CYCLES = 2200;
export const ICE40_MAX_LUTS = 3300;

function arg(name: string, fallback: string): string {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : fallback;
}

async function train(seed: string, out: string): Promise<void> {
  const r = await execa(process.execPath, [BIN, 'train', DATA, '--arch', 'mlp', '--seed', seed, '--out', out], { reject: false, timeout: 600_000 });
  if (r.exitCode !== 0) throw new Error(`edgeprune train failed: ${r.stderr}`);
}

/** The dense model's best design on a target under these budgets (the cost model's, as the build's search starts). */
async function denseDesign(model: string, target: FpgaTarget, budgets: Parameters<typeof parseFpgaBudgets>[0], mapping: MultiplierMapping = 'auto') {
  const g = await loadModel(model);
  const train = fitToModel(loadSplit(DATA, { seed: 0, validation: 0.15, test: 0.2 }).train, g);
  return chooseFpgaDesign(searchQuantizer(train, { multiplierBits: fpgaMultiplierBits(target) })(g), target, parseFpgaBudgets(budgets, target), loadFpgaCalibration(target), mapping);
}

async function build(label: string, args: string[], out: string): Promise<void> {
  const t0 = Date.now();
  const r = await execa(process.execPath, [BIN, 'build', ...args, '--data', DATA, '--out', out, '--force'], { reject: false, timeout: 7_200_000 });
  const seconds = (Date.now() - t0) / 1000;
  if (r.exitCode !== 0 && r.exitCode !== 3) {
    console.log(`  ${label}: FAILED (exit ${r.exitCode}): ${String(r.stderr).trim().split('\n').slice(-2).join(' ')}`);
    return;
  }
  const rep = JSON.parse(fs.readFileSync(path.join(out, 'report.json'), 'utf8'));
  console.log(`  ${label}: ${rep.passed ? 'MET' : 'NOT MET'} in ${seconds.toFixed(0)} s (exit ${r.exitCode})`);
  for (const b of rep.budgets) console.log(`    ${b.label.padEnd(32)} limit ${String(b.limit).padStart(6)}  estimated ${String(b.estimated).padStart(6)}  measured ${String(b.measured).padStart(6)}  ${b.pass ? 'pass' : 'FAIL'}  (${b.givenAs})`);
  const d = rep.design;
  console.log(`    design: reuse ${Object.entries(d.reuseFactors).map(([k, v]) => `${k}=${v}`).join(', ')}; ${d.multipliers.count} multipliers (${d.multipliers.mapping}${d.multipliers.productsInLogic ? ', products in logic' : ''}); II ${d.initiationInterval}; ${d.clock.latencyUsAtBoardClock.toFixed(1)} µs at ${d.clock.boardMHz} MHz${d.clock.fmaxMHz ? `, Fmax ${d.clock.fmaxMHz.toFixed(1)} MHz → ${d.clock.latencyUsAtFmax.toFixed(1)} µs` : ''}${d.bitstreamBytes ? `, bitstream ${d.bitstreamBytes} bytes` : ''}`);
  const pruned = rep.layers.filter((l: any) => l.after && l.after.params < l.before.params).map((l: any) => `${l.name} ${l.before.params}→${l.after.params} params`);
  console.log(`    pruned: ${pruned.join(', ') || 'nothing'}; ${rep.steps.filter((s: any) => s.chosen).length} accepted steps; stopped: ${rep.stoppedBecause ?? '-'}`);
  const a = rep.accuracy;
  console.log(`    accuracy (test): dense float ${(a.dense * 100).toFixed(2)}% → pruned float ${(a.prunedFloat * 100).toFixed(2)}% → int8 ${(a.final * 100).toFixed(2)}% (drop ${a.dropPoints.toFixed(2)} points, allowed ${a.maxDropPoints}); bit-exact: ${rep.verification.passed} on ${rep.verification.vectors} vectors`);
}

async function main(): Promise<void> {
  const seeds = arg('--seeds', '0').split(',');
  const only = arg('--only', 'all');
  const work = makeTempDir('bench-fpga-build');
  try {
    for (const seed of seeds) {
      const model = path.join(work, `mlp-${seed}.onnx`);
      await train(seed, model);
      console.log(`digits MLP, seed ${seed}`);
      if (only !== 'xc7') {
        const up5k = findTarget('ice40-up5k') as FpgaTarget;
        const lat = Number(arg('--latency-cycles', String(ICE40_LATENCY_CYCLES)));
        const luts = Number(arg('--max-luts', String(ICE40_MAX_LUTS)));
        const dense = await denseDesign(model, up5k, { latencyCycles: lat, maxLuts: luts });
        console.log(`  ice40-up5k, --latency-cycles ${lat} --max-luts ${luts}: the dense model's best design ${dense.worstRatio <= 1 ? 'MEETS them (not a test of pruning)' : `misses them by ${((dense.worstRatio - 1) * 100).toFixed(1)}%`} (${dense.costs.latencyCycles} cycles, ${dense.costs.luts} LUTs, ${dense.costs.logicCells} logic cells predicted)`);
        await build('build ice40-up5k', [model, '--target', 'ice40-up5k', '--latency-cycles', String(lat), '--max-luts', String(luts)], path.join(work, `ice40-${seed}`));
      }
      if (only !== 'ice40') {
        const a35 = findTarget('xc7a35t') as FpgaTarget;
        const dense = await denseDesign(model, a35, { latencyCycles: 1e9 }, 'dsp');
        const dsps = Math.floor(dense.costs.dsps / 4);
        const lat = dense.costs.latencyCycles;
        console.log(`  xc7a35t: the dense design with every multiplier on DSP48E1 (fastest that fits): ${lat} cycles, ${dense.costs.dsps} DSP48E1, ${dense.costs.luts} LUTs predicted (reuse ${Object.entries(dense.reuseFactors).map(([k, v]) => `${k}=${v}`).join(', ')}); DSP budget ⌊${dense.costs.dsps}/4⌋ = ${dsps}`);
        const common = [model, '--target', 'xc7a35t', '--max-dsps', String(dsps)];
        await build(`build xc7a35t --max-dsps ${dsps}`, common, path.join(work, `xc7-${seed}`));
        await build(`build xc7a35t --max-dsps ${dsps} --multipliers dsp`, [...common, '--multipliers', 'dsp'], path.join(work, `xc7-dsp-${seed}`));
        await build(`build xc7a35t --max-dsps ${dsps} --multipliers dsp --latency-cycles ${lat}`, [...common, '--multipliers', 'dsp', '--latency-cycles', String(lat)], path.join(work, `xc7-lat-${seed}`));
      }
    }
  } finally {
    removeTempDir(work);
  }
}

if (isMain(import.meta.url)) await main();
