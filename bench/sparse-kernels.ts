// Weight-sparse kernels (templates/c/lib/ep_sparse.h) vs the dense ones, through the real pipeline: magnitude-pruned
// layers and a pruned digits CNN compiled with compileToC (sparse 'never' and 'always'), built by hw-sim for the host
// and for QEMU mps2-an386 (Cortex-M4F, arm-none-eabi-gcc -O2), run on one input: instructions per inference, weight
// flash, bit-identity (sparse vs dense, host vs target), and the emitter's estimates next to the measurements.
//
//   npx tsc -p . && node dist/bench/sparse-kernels.js [--json] [--check] [--keep DIR]
//
// --check exits with status 1 unless the 256→128 dense layer at 80% sparsity takes >= 3x fewer instructions and
// >= 2.5x less weight flash with the sparse kernel, each conv layer at 80% >= 2.5x fewer instructions, and every
// output is bit-identical.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildFirmware, buildHostHarness, openHostSession, openQemuSession, type HarnessSession, type RunResult } from '../hw-sim/index.js';
import { compileToC, type CLibrary } from '../src/emit/c/compile-c.js';
import type { SparseDecision, SparseMode } from '../src/emit/c/sparse-choice.js';
import { attr, GraphBuilder } from '../src/ir/builder.js';
import { staticInfo, type Graph } from '../src/ir/graph.js';
import { shapeSize, Tensor } from '../src/ir/tensor.js';
import { buildCnn } from '../src/models/architectures.js';
import { applyMasks, magnitudeMasks } from '../src/prune/weight-masks.js';
import { kernelDefines } from '../src/targets/flags.js';
import { findMcuTarget } from '../src/targets/load-targets.js';
import { Random } from '../src/util/random.js';
import { isMain, missingTools, table } from './kernels/bench-lib.js';

// ---- models ----

function he(rng: Random, shape: number[], fanIn: number): Tensor {
  const std = Math.sqrt(2 / fanIn);
  return Tensor.fromNumbers('float32', shape, Array.from({ length: shapeSize(shape) }, () => rng.normal() * std));
}

const small = (rng: Random, n: number) => Tensor.fromNumbers('float32', [n], Array.from({ length: n }, () => rng.uniform(-0.1, 0.1)));

/** One Gemm K→N (+ ReLU) on a [1, K] input. */
export function denseLayer(K: number, N: number, seed = 1): Graph {
  const rng = new Random(seed);
  const b = new GraphBuilder(`dense_${K}x${N}`);
  const x = b.input('input', 'float32', [1, K]);
  const y = b.op('Gemm', [x, b.initializer('fc.weight', he(rng, [N, K], K)), b.initializer('fc.bias', small(rng, N))], { transB: attr.int(1) }, 'fc');
  b.output(b.op('Relu', [y], {}, 'relu'));
  return b.build();
}

/** One Conv C→M k×k, pad k/2 (+ ReLU) on a [1, C, H, W] input. */
export function convLayer(C: number, M: number, HW: number, k: number, seed = 2): Graph {
  const rng = new Random(seed);
  const b = new GraphBuilder(`conv_${C}x${M}_${k}x${k}_${HW}`);
  const x = b.input('input', 'float32', [1, C, HW, HW]);
  const p = Math.floor(k / 2);
  const y = b.op('Conv', [x, b.initializer('conv.weight', he(rng, [M, C, k, k], C * k * k)), b.initializer('conv.bias', small(rng, M))], { kernel_shape: attr.ints([k, k]), pads: attr.ints([p, p, p, p]) }, 'conv');
  b.output(b.op('Relu', [y], {}, 'relu'));
  return b.build();
}

/** The CNN `edgeprune train --arch cnn` builds for the 8x8 digits (random weights: instruction counts do not depend on them). */
export function digitsCnn(seed = 3): Graph {
  return buildCnn({ sampleShape: [1, 8, 8], classes: 10, seed });
}

/** The graph with every prunable weight magnitude-pruned to `sparsity` (per layer). */
export function pruned(g: Graph, sparsity: number): Graph {
  return sparsity > 0 ? applyMasks(g, magnitudeMasks(g, sparsity, 'layer')) : g;
}

/** Seeded inputs in [-1, 1) for every graph input, as raw bytes. */
export function randomInputs(g: Graph, seed = 7): Uint8Array[] {
  const rng = new Random(seed);
  return g.inputs.map((v) => {
    const n = shapeSize(staticInfo(g, v.name).shape);
    const data = Float32Array.from({ length: n }, () => rng.uniform(-1, 1));
    return new Uint8Array(data.buffer);
  });
}

// ---- building and running ----

export interface LibraryRun {
  name: string;
  lib: CLibrary;
  host: RunResult;
  target: RunResult;
  /** The library's bytes in the linked firmware (code + weights). */
  flashBytes: number;
}

async function runAll(session: HarnessSession, count: number, inputs: Uint8Array[][]): Promise<RunResult[]> {
  const out: RunResult[] = [];
  for (let k = 0; k < count; k++) out.push(await session.run(k, inputs[k]));
  return out;
}

/**
 * Build the libraries (each with its own prefix) into one host harness and one firmware for the target (default
 * mps2-an386), run each once on its input on both, and return the results.
 */
export async function runLibraries(entries: { name: string; lib: CLibrary; inputs: Uint8Array[] }[], opts: { keep?: string; target?: string } = {}): Promise<LibraryRun[]> {
  const work = opts.keep ? path.resolve(opts.keep) : fs.mkdtempSync(path.join(os.tmpdir(), 'ep-sparse-bench-'));
  try {
    const models = entries.map((e) => {
      const dir = path.join(work, 'models', e.name);
      fs.mkdirSync(dir, { recursive: true });
      for (const [file, text] of e.lib.files) fs.writeFileSync(path.join(dir, file), text);
      return { name: e.name, prefix: e.lib.view.prefix, dir };
    });
    const target = findMcuTarget(opts.target ?? 'mps2-an386');
    const defines = kernelDefines(target); // (the host computes as the target: bit for bit)
    const [host, firmware] = await Promise.all([
      buildHostHarness({ workDir: path.join(work, 'host'), models, defines }),
      buildFirmware({ workDir: path.join(work, 'target'), models, target, defines }),
    ]);
    const inputs = entries.map((e) => e.inputs);
    const hostSession = await openHostSession(host.exe);
    let hostRuns: RunResult[];
    try {
      hostRuns = await runAll(hostSession, entries.length, inputs);
    } finally {
      await hostSession.close();
    }
    const qemu = await openQemuSession(firmware.elf, target, { transfer: 'files' });
    let targetRuns: RunResult[];
    try {
      targetRuns = await runAll(qemu, entries.length, inputs);
    } finally {
      await qemu.close();
    }
    return entries.map((e, k) => {
      const linked = firmware.linkedSizes[e.name] ?? { text: 0, data: 0, bss: 0 };
      return { name: e.name, lib: e.lib, host: hostRuns[k], target: targetRuns[k], flashBytes: linked.text + linked.data };
    });
  } finally {
    if (!opts.keep) fs.rmSync(work, { recursive: true, force: true });
  }
}

const sameOutputs = (a: RunResult, b: RunResult) => a.outputs.length === b.outputs.length && a.outputs.every((o, i) => Buffer.from(o).equals(Buffer.from(b.outputs[i])));

// ---- the bench ----

export interface SparseCase {
  name: string;
  /** The layer the figures are about ('' for a whole model). */
  layer: string;
  graph: Graph;
}

export interface SparseRow {
  case: string;
  sparsity: number;
  nonZeros: number;
  weights: number;
  dense: { instructions: number; weightBytes: number; flashBytes: number };
  sparse: { instructions: number; weightBytes: number; flashBytes: number };
  instructionRatio: number;
  weightFlashRatio: number;
  /** Sparse == dense outputs (target), and host == target for both. */
  bitIdentical: boolean;
  /** What 'auto' picks for each layer, with the estimates. */
  decisions: { layer: string; decision: SparseDecision }[];
  /** Whole models: the build with sparse: 'auto' (the per-layer choice), measured. */
  auto?: { instructions: number; weightBytes: number; bitIdentical: boolean };
}

export const SPARSITIES = [0, 0.5, 0.8, 0.9];

export function defaultCases(): SparseCase[] {
  return [
    { name: 'dense 256→128', layer: 'fc', graph: denseLayer(256, 128) },
    { name: 'digits CNN fc 256→32', layer: 'fc', graph: denseLayer(256, 32, 4) },
    { name: 'digits CNN conv2 3x3 8→16 8x8', layer: 'conv', graph: convLayer(8, 16, 8, 3) },
    { name: 'conv 5x5 8→16 14x14', layer: 'conv', graph: convLayer(8, 16, 14, 5) },
    { name: 'digits CNN (whole model)', layer: '', graph: digitsCnn() },
  ];
}

function decisionsOf(lib: CLibrary): { layer: string; decision: SparseDecision }[] {
  return lib.steps.filter((s) => s.sparse).map((s) => ({ layer: s.nodes[0], decision: s.sparse! }));
}

export async function runSparseBench(opts: { cases?: SparseCase[]; sparsities?: number[]; keep?: string } = {}): Promise<SparseRow[]> {
  const cases = opts.cases ?? defaultCases();
  const sparsities = opts.sparsities ?? SPARSITIES;
  const plans = cases.flatMap((c, ci) =>
    sparsities.map((s, si) => {
      const g = pruned(c.graph, s);
      const compile = (mode: SparseMode, tag: string) => compileToC(g, { prefix: `${tag}${ci}_${si}`, sparse: mode });
      return { c, s, g, dense: compile('never', 'd'), sparse: compile('always', 's'), auto: compile('auto', 'a'), inputs: randomInputs(g) };
    }),
  );
  const entries = plans.flatMap((p, k) => [
    { name: `dense${k}`, lib: p.dense, inputs: p.inputs },
    { name: `sparse${k}`, lib: p.sparse, inputs: p.inputs },
    ...(p.c.layer ? [] : [{ name: `auto${k}`, lib: p.auto, inputs: p.inputs }]),
  ]);
  const runs = await runLibraries(entries, { keep: opts.keep });
  const byName = new Map(runs.map((r) => [r.name, r]));
  return plans.map((p, k) => {
    const d = byName.get(`dense${k}`)!;
    const s = byName.get(`sparse${k}`)!;
    const a = byName.get(`auto${k}`);
    const decisions = decisionsOf(p.auto);
    const layerDecisions = p.c.layer ? decisions.filter((x) => x.layer === p.c.layer) : decisions;
    const nonZeros = layerDecisions.reduce((a, x) => a + x.decision.nonZeros, 0);
    const weights = layerDecisions.reduce((a, x) => a + x.decision.weights, 0);
    const figures = (r: LibraryRun) => ({ instructions: r.target.instructions ?? NaN, weightBytes: r.lib.view.weightBytes, flashBytes: r.flashBytes });
    const dense = figures(d);
    const sparse = figures(s);
    return {
      case: p.c.name,
      sparsity: p.s,
      nonZeros,
      weights,
      dense,
      sparse,
      instructionRatio: dense.instructions / sparse.instructions,
      weightFlashRatio: dense.weightBytes / sparse.weightBytes,
      bitIdentical: sameOutputs(d.target, s.target) && sameOutputs(d.host, d.target) && sameOutputs(s.host, s.target) && d.target.status === 0 && s.target.status === 0,
      decisions,
      auto: a && { instructions: a.target.instructions ?? NaN, weightBytes: a.lib.view.weightBytes, bitIdentical: sameOutputs(a.target, d.target) && sameOutputs(a.host, a.target) },
    };
  });
}

export function formatSparseBench(rows: SparseRow[]): string {
  const pct = (v: number) => `${Math.round(v * 100)}%`;
  const x = (v: number) => `${v.toFixed(2)}x`;
  const main = table(
    ['case', 'sparsity', 'non-zeros', 'instr dense', 'instr sparse', 'speed-up', 'weights dense', 'weights sparse', 'smaller', 'flash dense', 'flash sparse', 'bits'],
    rows.map((r) => [r.case, pct(r.sparsity), `${r.nonZeros}/${r.weights}`, r.dense.instructions, r.sparse.instructions, x(r.instructionRatio), r.dense.weightBytes, r.sparse.weightBytes, x(r.weightFlashRatio), r.dense.flashBytes, r.sparse.flashBytes, r.bitIdentical ? 'identical' : 'DIFFER']),
    3,
  );
  const est = table(
    ['case', 'sparsity', 'layer', 'auto picks', 'est dense', 'est sparse', 'est flash dense', 'est flash sparse'],
    rows.flatMap((r) => r.decisions.map((d) => [r.case, pct(r.sparsity), d.layer, d.decision.kernel, d.decision.dense.instructions, d.decision.sparse?.instructions ?? '-', d.decision.dense.flashBytes, d.decision.sparse?.flashBytes ?? '-'])),
    4,
  );
  const autoRows = rows.filter((r) => r.auto);
  const auto = table(
    ['model', 'sparsity', 'instr dense', "instr 'auto'", 'instr sparse', "weights 'auto'", 'layers sparse', 'bits'],
    autoRows.map((r) => [r.case, pct(r.sparsity), r.dense.instructions, r.auto!.instructions, r.sparse.instructions, r.auto!.weightBytes, r.decisions.filter((d) => d.decision.kernel === 'sparse').map((d) => d.layer).join(' ') || '-', r.auto!.bitIdentical ? 'identical' : 'DIFFER']),
    2,
  );
  return [
    'Weight-sparse vs dense kernels, magnitude pruning per layer, QEMU mps2-an386 (Cortex-M4F), arm-none-eabi-gcc -O2 -ffp-contract=off',
    'instructions per inference (SysTick under -icount shift=0, resolution 40, harness call included); weights = the',
    "model's constant arrays (bytes); flash = the model library in the linked firmware (code + weights); bits: sparse",
    'and dense outputs identical, host and target identical',
    '',
    main,
    '',
    "The emitter's estimates (src/emit/c/sparse-choice.ts) and what sparse: 'auto' picks:",
    '',
    est,
    '',
    "Whole models compiled with sparse: 'auto' (each layer dense or sparse by the estimates):",
    '',
    auto,
  ].join('\n');
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const missing = await missingTools();
  if (missing.length) {
    console.error(`sparse-kernels bench: missing ${missing.join(', ')}`);
    process.exit(2);
  }
  const keepAt = args.indexOf('--keep');
  const rows = await runSparseBench({ keep: keepAt >= 0 ? args[keepAt + 1] : undefined });
  console.log(args.includes('--json') ? JSON.stringify(rows, null, 2) : formatSparseBench(rows));
  if (args.includes('--check')) {
    const goal = rows.find((r) => r.case === 'dense 256→128' && r.sparsity === 0.8);
    const convs = rows.filter((r) => r.case.includes('conv') && !r.case.includes('whole model') && r.sparsity === 0.8);
    const ok = goal !== undefined && goal.instructionRatio >= 3 && goal.weightFlashRatio >= 2.5 && convs.length > 0 && convs.every((r) => r.instructionRatio >= 2.5) && rows.every((r) => r.bitIdentical && (r.auto?.bitIdentical ?? true));
    console.log(ok ? 'check: passed' : 'check: FAILED (256→128 at 80%: >= 3x instructions, >= 2.5x weight flash; convs at 80%: >= 2.5x instructions; identical bits)');
    if (!ok) process.exit(1);
  }
}

if (isMain(import.meta.url)) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? (e.stack ?? e.message) : e);
    process.exit(1);
  });
}
