// Compile time against model size: chains of 2,000, 8,000 and 20,000 nodes (Add of a constant, then Relu, repeated)
// imported and compiled to C (no gcc), in this process (import and compile timed apart, wall and CPU) and as the
// `edgeprune compile` command a user runs (a child process: wall and CPU time, peak memory). Goal (issue 8): 20,000
// nodes in at most 5 s. On a loaded machine wall times grow; CPU times do not.
//
//   make build && node dist/bench/compile-scale.js [--sizes 2000,8000,20000]

import fs from 'node:fs';
import path from 'node:path';
import onnxProto from 'onnx-proto';
import { compileToC } from '../src/emit/c/compile-c.js';
import { loadModel } from '../src/import/load-model.js';
import { findMcuTarget } from '../src/targets/load-targets.js';
import { runEdgeprune } from './fuzz-run.js';
import { makeTempDir } from '../src/util/temp-dir.js';

const { onnx } = onnxProto;
const GOAL_SECONDS = 5;

/** x → Add(b) → Relu → Add(b) → Relu ... with `nodes` nodes, on 8 floats. */
function chainModel(nodes: number): Uint8Array {
  const vi = (name: string) => ({ name, type: { tensorType: { elemType: 1, shape: { dim: [{ dimValue: 1 }, { dimValue: 8 }] } } } });
  const node = [];
  let prev = 'x';
  for (let i = 0; i < nodes; i++) {
    node.push({ name: `n${i}`, opType: i % 2 ? 'Relu' : 'Add', input: i % 2 ? [prev] : [prev, 'b'], output: [`v${i}`] });
    prev = `v${i}`;
  }
  const b = Buffer.alloc(32);
  for (let i = 0; i < 8; i++) b.writeFloatLE(i / 8 - 0.5, 4 * i);
  return onnx.ModelProto.encode(onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'compile-scale',
    opsetImport: [{ domain: '', version: 13 }],
    graph: { name: 'chain', node, initializer: [{ name: 'b', dataType: 1, dims: [8], rawData: b }], input: [vi('x')], output: [vi(prev)] },
  })).finish();
}

/** Wall and CPU seconds of `fn`. */
async function timed<T>(fn: () => Promise<T> | T): Promise<{ value: T; wall: number; cpu: number }> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const value = await fn();
  const cpu = process.cpuUsage(cpu0);
  return { value, wall: (performance.now() - t0) / 1000, cpu: (cpu.user + cpu.system) / 1e6 };
}

async function main(): Promise<void> {
  const i = process.argv.indexOf('--sizes');
  const sizes = (i >= 0 ? process.argv[i + 1] : '2000,8000,20000').split(',').map(Number);
  const dir = makeTempDir('scale');
  const target = findMcuTarget('stm32f405');
  try {
    console.log(`compile time of a chain of Add and Relu nodes (import + compile to C for ${target.name}, no gcc); goal: 20,000 nodes in <= ${GOAL_SECONDS} s`);
    console.log('nodes   file       import (wall/CPU)   compile (wall/CPU)   in-process total   edgeprune compile (wall/CPU, peak RSS)');
    for (const n of sizes) {
      const file = path.join(dir, `chain-${n}.onnx`);
      fs.writeFileSync(file, chainModel(n));
      const load = await timed(() => loadModel(file));
      const lib = await timed(() => compileToC(load.value, { target }));
      if (lib.value.steps.length === 0) throw new Error('nothing was compiled');
      const out = path.join(dir, `out-${n}`);
      const cli = await runEdgeprune(['compile', file, '--out', out], { timeoutMs: 300_000, scratch: dir });
      if (cli.exitCode !== 0) throw new Error(`edgeprune compile exited ${cli.exitCode}: ${cli.stderr}`);
      fs.rmSync(out, { recursive: true, force: true });
      const s = (x: number) => `${x.toFixed(2)} s`;
      console.log(
        `${String(n).padStart(6)}  ${`${(fs.statSync(file).size / 1024).toFixed(0)} KiB`.padStart(8)}   ${`${s(load.wall)} / ${s(load.cpu)}`.padEnd(18)}  ${`${s(lib.wall)} / ${s(lib.cpu)}`.padEnd(19)}  ${s(load.wall + lib.wall).padEnd(16)}  ${s(cli.ms / 1000)} / ${s(cli.cpuMs! / 1000)}, ${cli.maxRssMiB!.toFixed(0)} MiB`,
      );
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
