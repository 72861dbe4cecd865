// Issue 10's iCE40 goals on an int8 digits MLP (64-64-32-10) folded onto ice40-up5k. The MLP is trained here
// (`edgeprune train --arch mlp --seed S`, deterministic) and quantized with 15-bit multipliers (what FPGA commands use
// on iCE40) after --qat-epochs of quantization-aware fine-tuning; --random takes the seeded random-weight
// examples/models/digits-mlp.onnx instead. Then `verify --target ice40-up5k` with a cold Verilator cache (goal ≤ 60 s)
// and warm (goal ≤ 15 s), and `verify --synth`: placed and routed by nextpnr-ice40 (goal Fmax ≥ 24 MHz), the
// bitstream written, the latency in cycles and µs, the resources used. Every layer is folded to one or two
// multipliers, its vectors passed one element per beat into block RAM (ep_dense_folded SERIAL_IN/SERIAL_OUT).
//
//   npx tsc -p . && node dist/bench/fpga-digits-ice40.js [--seed S] [--qat-epochs N] [--random] [--reuse-factor <spec>] [--vectors N]

import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { mappingText } from '../src/emit/verilog/fpga-project.js';
import { repoPath } from '../src/util/package-root.js';
import { makeTempDir, removeTempDir } from '../src/util/temp-dir.js';
import { isMain } from './kernels/bench-lib.js';

const BIN = repoPath('bin', 'edgeprune.js');
const MODEL = repoPath('examples', 'models', 'digits-mlp.onnx');
const DATA = repoPath('examples', 'digits', 'digits.csv.gz');
/** fc1 64→64 on two multipliers, fc2 64→32 and the last layer 32→10 on one each (trained: `logits`; random: `fc3`). */
export const DIGITS_MLP_REUSE = 'fc1=2048,fc2=2048,fc3=320';
const TRAINED_MLP_REUSE = 'fc1=2048,fc2=2048,logits=320';
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

/** `quantize`'s accuracy line ("test accuracy (359 samples): float 96.10% · int8 95.54% (-0.56 points)"). */
async function quantize(args: string[]): Promise<string> {
  const r = await execa(process.execPath, [BIN, 'quantize', ...args], { reject: false, timeout: 3_600_000 });
  if (r.exitCode !== 0) throw new Error(`edgeprune quantize failed (exit ${r.exitCode}): ${String(r.stderr).trim().split('\n').slice(-3).join(' ')}`);
  return `${r.stdout}\n${r.stderr}`.split('\n').find((l) => l.startsWith('test accuracy')) ?? 'test accuracy: not printed';
}

async function main(): Promise<void> {
  const random = process.argv.includes('--random');
  const reuse = arg('--reuse-factor', random ? DIGITS_MLP_REUSE : TRAINED_MLP_REUSE);
  const vectors = arg('--vectors', '100');
  const seed = arg('--seed', '0');
  const qatEpochs = arg('--qat-epochs', '5');
  const work = makeTempDir('bench-fpga-digits');
  try {
    const model = path.join(work, 'digits-mlp-int8.onnx');
    let float = MODEL;
    if (!random) {
      float = path.join(work, 'digits-mlp.onnx');
      await cli(['train', DATA, '--arch', 'mlp', '--seed', seed, '--out', float]);
    }
    const qat = random || qatEpochs === '0' ? [] : ['--qat-epochs', qatEpochs];
    const accuracy = await quantize([float, '--data', DATA, '--multiplier-bits', '15', ...qat, '--out', model]);
    console.log(`digits MLP: ${random ? 'examples/models/digits-mlp.onnx (random weights)' : `trained, seed ${seed}, ${qat.length ? `${qatEpochs} QAT epochs` : 'post-training quantization'}`}, 15-bit multipliers; ${accuracy}`);
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
    console.log(`  placed: ${p.logicCells.used}/${p.logicCells.available} logic cells, ${p.ebr.used}/${p.ebr.available} EBR, ${p.dsp.used}/${p.dsp.available} DSP; multipliers ${r.multipliers.count}, ${mappingText(r.multipliers)} (${r.multipliers.reason})`);
  } finally {
    removeTempDir(work);
  }
}

if (isMain(import.meta.url)) await main();
