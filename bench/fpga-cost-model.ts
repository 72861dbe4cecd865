// Issue 11's cost-model goal: the FPGA cost model's prediction (src/cost/fpga/, the committed calibration) against
// Yosys on the bench models, and its cycles against the schedule Verilator is tested equal to. On iCE40 (synth_ice40):
// the digits MLP folded on ice40-up5k as bench/fpga-digits-ice40.ts builds it (random-weight examples model, 15-bit
// multipliers), its 60%-pruned form, the jet MLP (16-64-32-32-5) folded, and a chain of 4→4 layers at RF=1 and folded;
// for the digits MLP also the board top (core + UART) as placed on iCE40. On xc7 (synth_xilinx, 16-bit multipliers):
// the digits MLP folded at fc1 256, fc2 128, fc3 40 with products on DSP48E1, in logic beside DSP requantizers, and all
// in LUTs, its 60%-pruned form, and the chain. Prints predicted and measured LUT, FF, DSP, BRAM with relative errors,
// and the time each took.
//
//   npx tsc -p . && node dist/bench/fpga-cost-model.js [--target ice40-up5k | xc7a35t]

import path from 'node:path';
import { loadSplit } from '../src/cli/data-options.js';
import { synthesizeCore } from '../src/cost/fpga/calibrate.js';
import { suiteMlp } from '../src/cost/fpga/suite.js';
import { synthesizeBoardTop } from '../src/cost/fpga/board.js';
import { predictFpgaProjectCost } from '../src/cost/fpga/predict.js';
import { fpgaProject, type FpgaProjectOptions } from '../src/emit/verilog/fpga-project.js';
import { fpgaMultiplierBits } from '../src/cli/fpga-model.js';
import type { Graph } from '../src/ir/graph.js';
import { loadModel } from '../src/import/load-model.js';
import { pruneWeights, quantizedJetMlp } from '../src/models/jet-mlp.js';
import { calibrationInputs } from '../src/quant/calibration-data.js';
import { quantizeModel } from '../src/quant/quantize.js';
import { findTarget, isFpgaTarget } from '../src/targets/load-targets.js';
import { repoPath } from '../src/util/package-root.js';
import { isMain } from './kernels/bench-lib.js';

function arg(name: string, fallback: string): string {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : fallback;
}

async function digits(sparsity: number, multiplierBits: number): Promise<Graph> {
  let float = await loadModel(repoPath('examples', 'models', 'digits-mlp.onnx'));
  if (sparsity) float = pruneWeights(float, sparsity);
  const split = loadSplit(path.resolve(repoPath('examples', 'digits', 'digits.csv.gz')), { seed: 0, validation: 0.15, test: 0.2 });
  return quantizeModel(float, calibrationInputs(float, split.train, 200), { multiplierBits }).graph;
}

/** A chain of three 4→4 layers and argmax, seeded apart from the calibration suite's designs. */
const chain = async () => suiteMlp({ sizes: [4, 4, 4, 4], seed: 99, argmax: true });

async function main(): Promise<void> {
  const target = findTarget(arg('--target', 'ice40-up5k'));
  if (!isFpgaTarget(target)) throw new Error(`${target.name} is not an FPGA target`);
  const bits = fpgaMultiplierBits(target);
  type BenchModel = { name: string; graph: () => Promise<Graph>; reuse: Record<string, number>; options?: FpgaProjectOptions; board?: boolean };
  const ice40: BenchModel[] = [
    { name: 'digits MLP folded (fc1 2048, fc2 2048, fc3 320)', graph: () => digits(0, bits), reuse: { fc1: 2048, fc2: 2048, fc3: 320 }, board: true },
    { name: 'digits MLP 60% pruned, folded', graph: () => digits(0.6, bits), reuse: { fc1: 2048, fc2: 2048, fc3: 320 } },
    { name: 'digits MLP folded wider (fc1 1024, fc2 2048, fc3 320)', graph: () => digits(0, bits), reuse: { fc1: 1024, fc2: 2048, fc3: 320 } },
    { name: 'jet MLP 16-64-32-32-5 folded (512, 2048, 1024, 160)', graph: async () => quantizedJetMlp(), reuse: { fc1: 512, fc2: 2048, fc3: 1024, fc4: 160 } },
  ];
  // xc7: wider folding (16 products per cycle in fc1 and fc2, 8 in fc3), the multipliers mapped three ways.
  const xc7Reuse = { fc1: 256, fc2: 128, fc3: 40 };
  const xc7: BenchModel[] = [
    { name: 'digits MLP folded (fc1 256, fc2 128, fc3 40), products on DSP', graph: () => digits(0, bits), reuse: xc7Reuse, options: { multipliers: 'dsp' } },
    { name: 'digits MLP folded (256, 128, 40), products in logic, requantizers on DSP', graph: () => digits(0, bits), reuse: xc7Reuse, options: { multipliers: 'dsp', productsInLogic: true } },
    { name: 'digits MLP folded (256, 128, 40), all in LUTs', graph: () => digits(0, bits), reuse: xc7Reuse, options: { multipliers: 'lut' } },
    { name: 'digits MLP 60% pruned, folded (256, 128, 40), products on DSP', graph: () => digits(0.6, bits), reuse: xc7Reuse, options: { multipliers: 'dsp' } },
  ];
  const models: BenchModel[] = [
    ...(target.family === 'xc7' ? xc7 : ice40),
    { name: 'chain 4→4 ×3 + argmax, RF 1', graph: chain, reuse: {} },
    { name: 'chain 4→4 ×3 + argmax, folded (8, 16, 16)', graph: chain, reuse: { fc1: 8, fc2: 16, fc3: 16 } },
  ];
  const pct = (p: number, m: number) => (m === 0 ? (p === 0 ? '0.0%' : 'n/a') : `${(((p - m) / m) * 100).toFixed(1)}%`);
  let worst = { luts: 0, dsps: 0, brams: 0, ffs: 0 };
  console.log(`FPGA cost model on ${target.name}: predicted vs Yosys (${target.yosys.command}) of the core`);
  for (const m of models) {
    const project = fpgaProject(await m.graph(), target, { ...m.options, reuseFactors: m.reuse });
    const t0 = Date.now();
    const p = predictFpgaProjectCost(project, target);
    const predictMs = Date.now() - t0;
    const t1 = Date.now();
    const y = await synthesizeCore(project.design, target.family, project.multipliers);
    const synthS = (Date.now() - t1) / 1000;
    const measured = { luts: y.luts, ffs: y.flipFlops, dsps: y.dsps, brams: y.blockRams };
    for (const k of ['luts', 'ffs', 'dsps', 'brams'] as const) worst[k] = Math.max(worst[k], Math.abs(p.total[k] - measured[k]) / Math.max(1, measured[k]));
    console.log(`${m.name}: ${project.multipliers} mapping${project.productsInLogic || m.options?.productsInLogic ? ' (products in logic)' : ''}; latency ${p.latencyCycles} cycles, II ${p.initiationInterval} (schedule)`);
    console.log(`  LUT  ${p.total.luts} vs ${measured.luts} (${pct(p.total.luts, measured.luts)})   FF ${p.total.ffs} vs ${measured.ffs} (${pct(p.total.ffs, measured.ffs)})   DSP ${p.total.dsps} vs ${measured.dsps} (${pct(p.total.dsps, measured.dsps)})   BRAM ${p.total.brams} vs ${measured.brams} (${pct(p.total.brams, measured.brams)})`);
    console.log(`  prediction ${predictMs} ms, Yosys ${synthS.toFixed(1)} s`);
    if (m.board && target.pnr) {
      const b = await synthesizeBoardTop(project, target);
      const w = p.withBoardTop;
      console.log(`  with the board top (UART): LUT ${w.luts} vs ${b.luts} (${pct(w.luts, b.luts)})   FF ${w.ffs} vs ${b.flipFlops} (${pct(w.ffs, b.flipFlops)})   DSP ${w.dsps} vs ${b.dsps}   BRAM ${w.brams} vs ${b.blockRams}`);
    }
  }
  const goal = (x: number) => `${(x * 100).toFixed(1)}% (goal ≤ 15%: ${x <= 0.15 ? 'met' : 'MISSED'})`;
  console.log(`worst relative error: LUT ${goal(worst.luts)}, DSP ${goal(worst.dsps)}, BRAM ${goal(worst.brams)}; FF ${(worst.ffs * 100).toFixed(1)}%`);
}

if (isMain(import.meta.url)) await main();
