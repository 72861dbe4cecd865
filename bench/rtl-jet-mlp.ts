// The jet-tagging-shaped MLP (16-64-32-32-5, int8, ReLU) as RTL at reuse factor 1, dense and 80% weight-pruned:
// latency and II measured in Verilator (bit-exact with the interpreter on 100 vectors), the multipliers the emitter
// builds (non-zero weights + requantizers), and the LUT/DSP/FF counts of Yosys synth_xilinx -family xc7 (a synthesis
// estimate by Yosys, not Vivado's) with its cell-delay clock bound (Yosys sta, no routing). The dense design takes
// many minutes to synthesize on a loaded machine.
//
//   npx tsc -p . && node dist/bench/rtl-jet-mlp.js [--no-synth] [--sparsity 0.8] [--dense-only]

import fs from 'node:fs';
import path from 'node:path';
import { simulateRtl } from '../hw-sim/verilator/run-model.js';
import { synthesize, type SynthesisResources } from '../hw-sim/yosys/synth.js';
import { emitRtl, hardwareLayers } from '../src/emit/verilog/emit-rtl.js';
import { jetInputs, quantizedJetMlp } from '../src/models/jet-mlp.js';
import { makeTempDir, removeTempDir } from '../src/util/temp-dir.js';
import { table } from './kernels/bench-lib.js';

const VECTORS = 100;
/** The dense design's synthesis takes most of an hour on a loaded 2-core machine. */
const SYNTH_TIMEOUT_MS = 2 * 3_600_000;

interface Row {
  label: string;
  passed: boolean;
  latency: number;
  ii: number;
  weightMultipliers: number;
  requantizers: number;
  synth?: SynthesisResources;
  synthSeconds?: number;
}

async function measure(label: string, sparsity: number, synth: boolean): Promise<Row> {
  const g = quantizedJetMlp({ sparsity });
  const emitted = emitRtl(g);
  const sim = await simulateRtl(g, jetInputs(g, VECTORS, 3), { stallSeed: 5 });
  const hw = hardwareLayers(emitted.design);
  const row: Row = {
    label,
    passed: sim.passed,
    latency: sim.latencyCycles,
    ii: sim.initiationInterval,
    weightMultipliers: hw.reduce((s, l) => s + l.hardware.multipliers.weights, 0),
    requantizers: hw.reduce((s, l) => s + l.hardware.multipliers.requantizers, 0),
  };
  console.log(`${label}: ${sim.passed ? 'bit-exact' : 'MISMATCH'} on ${sim.vectors} vectors (with stalls too), latency ${sim.latencyCycles} cycles, II ${sim.initiationInterval}, ${row.weightMultipliers} weight multipliers + ${row.requantizers} requantizers`);
  if (!synth) return row;
  const work = makeTempDir('rtl-jet-bench');
  try {
    const top = path.join(work, emitted.files[0].name);
    fs.writeFileSync(top, emitted.files[0].content);
    const started = performance.now();
    row.synth = await synthesize({ verilog: [top, ...emitted.library], top: emitted.design.top, family: 'xc7', timing: true, timeoutMs: SYNTH_TIMEOUT_MS });
    row.synthSeconds = (performance.now() - started) / 1000;
    const t = row.synth.timing;
    const clock = t ? `; logic delay ${t.logicDelayNs.toFixed(2)} ns (clock ≤ ${t.fmaxUpperBoundMHz.toFixed(0)} MHz, ${t.source}): ${row.latency} cycles ≥ ${(row.latency * t.logicDelayNs).toFixed(0)} ns` : '';
    console.log(`${label}: ${row.synth.source}: ${row.synth.luts} LUTs, ${row.synth.dsps} DSP48E1, ${row.synth.flipFlops} FFs, ${row.synth.carries} CARRY4 (${row.synthSeconds.toFixed(0)} s)${clock}`);
  } finally {
    removeTempDir(work);
  }
  return row;
}

async function main(): Promise<void> {
  const synth = !process.argv.includes('--no-synth');
  const at = process.argv.indexOf('--sparsity');
  const sparsity = at > 0 ? Number(process.argv[at + 1]) : 0.8;
  // The pruned design first: it synthesizes in a fraction of the dense one's time. --dense-only: the dense one alone.
  const denseOnly = process.argv.includes('--dense-only');
  const pruned = denseOnly ? undefined : await measure(`${Math.round(sparsity * 100)}% pruned`, sparsity, synth);
  const dense = await measure('dense', 0, synth);
  const rows = pruned ? [dense, pruned] : [dense];
  const cell = (r: Row, f: (s: SynthesisResources) => number) => (r.synth ? f(r.synth) : '-');
  console.log(table(
    ['design', 'bit-exact', 'latency (cycles)', 'II', 'multipliers (weights + requant)', 'LUTs', 'DSP48E1', 'FFs', 'clock bound (MHz)'],
    rows.map((r) => [r.label, r.passed ? 'yes' : 'NO', r.latency, r.ii, `${r.weightMultipliers + r.requantizers} (${r.weightMultipliers} + ${r.requantizers})`, cell(r, (s) => s.luts), cell(r, (s) => s.dsps), cell(r, (s) => s.flipFlops), cell(r, (s) => (s.timing ? Math.round(s.timing.fmaxUpperBoundMHz) : NaN))]),
  ));
  const mult = (r: Row) => r.weightMultipliers + r.requantizers;
  if (pruned) console.log(`multipliers: ${(mult(dense) / mult(pruned)).toFixed(2)}x fewer pruned (goal: at least 4x)`);
  if (dense.synth && pruned?.synth) {
    console.log(`LUTs: ${(dense.synth.luts / Math.max(1, pruned.synth.luts)).toFixed(2)}x fewer pruned (goal: at least 3x); DSP48E1: ${dense.synth.dsps} → ${pruned.synth.dsps}`);
  }
  if (rows.some((r) => r.synth)) console.log('Xilinx figures: synthesis estimate (Yosys synth_xilinx -family xc7), not Vivado; the clock bound is Yosys sta on cell delays, without routing');
  if (rows.some((r) => !r.passed)) process.exitCode = 4;
}

await main();
