// Issue 10's iCE40 goals on the int8 digits MLP (examples/models/digits-mlp.onnx, quantized here with 16-bit
// multipliers), folded onto ice40-up5k: `verify --target ice40-up5k` with a cold Verilator cache (goal ≤ 60 s) and
// warm (goal ≤ 15 s), then `verify --synth`: placed and routed by nextpnr-ice40 (goal Fmax ≥ 24 MHz), the bitstream
// written, the latency in cycles and µs, the resources used.
//
//   npx tsc -p . && node dist/bench/fpga-digits-ice40.js [--reuse-factor <spec>] [--vectors N]

import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { repoPath } from '../src/util/package-root.js';
import { makeTempDir, removeTempDir } from '../src/util/temp-dir.js';
import { isMain } from './kernels/bench-lib.js';

const BIN = repoPath('bin', 'edgeprune.js');
const MODEL = repoPath('examples', 'models', 'digits-mlp.onnx');
const DATA = repoPath('examples', 'digits', 'digits.csv.gz');
/** fc1 64→64, fc2 64→32, fc3 32→10 folded to one or two multipliers each. */
export const DIGITS_MLP_REUSE = 'fc1=2048,fc2=2048,fc3=320';
const GOAL_COLD_S = 60;
const GOAL_WARM_S = 15;
const GOAL_FMAX_MHZ = 24;

function arg(name: string, fallback: string): string {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : fallback;
}

async function cli(args: string[], env: Record<string, string> = {}): Promise<{ seconds: number; json: Record<string, any> }> {
  const t0 = Date.now();
  const r = await execa(process.execPath, [BIN, ...args], { reject: false, timeout: 3_600_000, env: { ...process.env, ...env } });
  if (r.exitCode !== 0) throw new Error(`edgeprune ${args.slice(0, 3).join(' ')} failed (exit ${r.exitCode}): ${String(r.stderr).trim().split('\n').slice(-3).join(' ')}`);
  return { seconds: (Date.now() - t0) / 1000, json: args.includes('--json') ? JSON.parse(String(r.stdout)) : {} };
}

async function main(): Promise<void> {
  const reuse = arg('--reuse-factor', DIGITS_MLP_REUSE);
  const vectors = arg('--vectors', '100');
  const work = makeTempDir('bench-fpga-digits');
  try {
    const model = path.join(work, 'digits-mlp-int8.onnx');
    await cli(['quantize', MODEL, '--data', DATA, '--multiplier-bits', '16', '--out', model]);
    const cache = path.join(work, 'cache');
    fs.mkdirSync(cache);
    const verify = ['verify', model, '--target', 'ice40-up5k', '--data', DATA, '--vectors', vectors, '--reuse-factor', reuse, '--json'];
    const cold = await cli(verify, { XDG_CACHE_HOME: cache });
    const warm = await cli(verify, { XDG_CACHE_HOME: cache });
    const r = warm.json;
    const ok = (met: boolean) => (met ? 'met' : 'MISSED');
    console.log(`digits MLP int8 on ice40-up5k, reuse factors ${reuse}, ${r.vectors} vectors`);
    console.log(`  bit-exact with the interpreter: ${r.passed ? 'yes, every vector and layer' : `NO (${r.mismatchCount} mismatches)`}`);
    console.log(`  verify, cold cache: ${cold.seconds.toFixed(1)} s (goal ≤ ${GOAL_COLD_S} s: ${ok(cold.seconds <= GOAL_COLD_S)})`);
    console.log(`  verify, warm cache: ${warm.seconds.toFixed(1)} s (goal ≤ ${GOAL_WARM_S} s: ${ok(warm.seconds <= GOAL_WARM_S)})`);
    console.log(`  latency ${r.latencyCycles} cycles, II ${r.initiationInterval} cycles (Verilator)`);
    let placed;
    try {
      placed = await cli([...verify, '--synth'], { XDG_CACHE_HOME: cache });
    } catch (e) {
      console.log(`  place and route: MISSED: ${(e as Error).message}`);
      return;
    }
    console.log(`  verify --synth: ${placed.seconds.toFixed(1)} s`);
    Object.assign(r, placed.json);
    console.log(`  latency ${r.latencyCycles} cycles, II ${r.initiationInterval} cycles → ${r.latencyUs.toFixed(1)} µs at ${r.clockMHz.toFixed(1)} MHz (${r.clockSource})`);
    console.log(`  Fmax (nextpnr): ${r.fmaxMHz.toFixed(1)} MHz (goal ≥ ${GOAL_FMAX_MHZ}: ${ok(r.fmaxMHz >= GOAL_FMAX_MHZ)}); bitstream ${r.implementation.bitstreamBytes} bytes`);
    const p = r.implementation.placement;
    console.log(`  placed: ${p.logicCells.used}/${p.logicCells.available} logic cells, ${p.ebr.used}/${p.ebr.available} EBR, ${p.dsp.used}/${p.dsp.available} DSP; multipliers ${r.multipliers.count} on ${r.multipliers.mapping} (${r.multipliers.reason})`);
  } finally {
    removeTempDir(work);
  }
}

if (isMain(import.meta.url)) await main();
