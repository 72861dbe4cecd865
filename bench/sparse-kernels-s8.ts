// Weight-sparse int8 kernels (templates/c/lib/ep_int8_sparse.h) vs the dense int8 ones (ep_dense_s8, ep_conv2d_s8):
//  1. per layer: magnitude-pruned int8 layers at several sparsities, each kernel called once with literal arguments in a
//     bench firmware (bench/kernels/sparse-s8.c) on QEMU mps2-an386 (Cortex-M4F, DSP) and lm3s6965 (Cortex-M3):
//     instructions and flash of the layer's arrays, dense vs sparse, next to the emitter's estimates
//     (src/emit/c/sparse-choice-s8.ts) and its choice; outputs compared (dense = sparse, host = target);
//  2. the int8 MNIST-like CNN pruned to 80% (per layer, by magnitude) through the real pipeline (compileToC with sparse
//     'never' and 'auto', hw-sim firmware on both targets): instructions per inference, weight bytes, library flash.
//
//   npx tsc -p . && node dist/bench/sparse-kernels-s8.js [--json] [--fit] [--check] [--keep DIR]
//
// --fit prints the least-squares constants of the four instruction models from the mps2-an386 measurements (the
// values sparse-choice-s8.ts holds). --check exits with status 1 unless every output is identical and the 80%-pruned
// CNN takes fewer instructions and less flash with 'auto' than with 'never' on both targets.

import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fitTerms } from '../src/cost/fit.js';
import { compileToC } from '../src/emit/c/compile-c.js';
import type { ConvShape, SparseDecision } from '../src/emit/c/sparse-choice.js';
import {
  chooseSparseConvS8,
  chooseSparseDenseS8,
  convS8Terms,
  denseS8Terms,
  foldZeroPoint,
  packSparseConvS8,
  packSparseDenseS8,
  sparseConvS8Terms,
  sparseDenseS8Terms,
  tapLists,
  type Terms,
} from '../src/emit/c/sparse-choice-s8.js';
import { cloneGraph, type Graph } from '../src/ir/graph.js';
import { Tensor } from '../src/ir/tensor.js';
import { int8MnistLikeCnn } from '../src/models/int8-sample-models.js';
import { channelMultipliers, LAYER_INPUTS } from '../src/ops/util/int8-params.js';
import { Random } from '../src/util/random.js';
import { buildHost, buildTarget, BENCH_TARGETS, functionSizes, isMain, missingTools, runHost, runQemu, table, workDir, type BenchTarget } from './kernels/bench-lib.js';
import { randomInputs, runLibraries } from './sparse-kernels.js';

// ---- pruning ----

/** int8 weights with the smallest magnitudes zeroed: round(sparsity · n) of them (ties by position). */
export function magnitudePruneS8(w: Int8Array, sparsity: number): Int8Array {
  const order = Array.from(w.keys()).sort((a, b) => Math.abs(w[a]) - Math.abs(w[b]) || a - b);
  const out = Int8Array.from(w);
  for (const i of order.slice(0, Math.round(sparsity * w.length))) out[i] = 0;
  return out;
}

/** The int8 graph with every Int8Conv and Int8Gemm weight magnitude-pruned to `sparsity` (per layer). */
export function prunedS8(g: Graph, sparsity: number): Graph {
  const out = cloneGraph(g);
  for (const n of out.nodes) {
    if (n.opType !== 'Int8Conv' && n.opType !== 'Int8Gemm') continue;
    const name = n.inputs[LAYER_INPUTS.W];
    const w = out.initializers.get(name)!;
    out.initializers.set(name, new Tensor('int8', w.shape, magnitudePruneS8(w.data as Int8Array, sparsity)));
  }
  return out;
}

// ---- per-layer cases ----

type Kernel = 'ep_dense_s8' | 'ep_sparse_dense_s8' | 'ep_conv2d_s8' | 'ep_sparse_conv2d_s8';

interface LayerSpec {
  name: string;
  dense?: { rows: number; K: number; N: number };
  conv?: ConvShape;
}

const convShape = (C: number, M: number, HW: number, k: number, pad: number, stride = 1): ConvShape => {
  const O = Math.floor((HW + 2 * pad - k) / stride) + 1;
  return { C, H: HW, W: HW, M, KH: k, KW: k, OH: O, OW: O, sh: stride, sw: stride, dh: 1, dw: 1, pt: pad, pl: pad, groups: 1 };
};

export const LAYERS: LayerSpec[] = [
  { name: 'MNIST fc 256→10', dense: { rows: 1, K: 256, N: 10 } },
  { name: 'digits fc1 256→32', dense: { rows: 1, K: 256, N: 32 } },
  { name: 'fc 64→32, 3 rows', dense: { rows: 3, K: 64, N: 32 } },
  { name: 'fc 300→13', dense: { rows: 1, K: 300, N: 13 } },
  { name: 'MNIST conv1 5x5 1→8 28x28', conv: convShape(1, 8, 28, 5, 2) },
  { name: 'MNIST conv2 5x5 8→16 14x14', conv: convShape(8, 16, 14, 5, 2) },
  { name: 'digits conv1 3x3 1→8 8x8', conv: convShape(1, 8, 8, 3, 1) },
  { name: 'digits conv2 3x3 8→16 8x8', conv: convShape(8, 16, 8, 3, 1) },
  { name: '3x3 s2 8→16 16x16', conv: convShape(8, 16, 16, 3, 1, 2) },
  { name: '1x1 16→32 8x8', conv: convShape(16, 32, 8, 1, 0) },
];

export const SPARSITIES = [0, 0.5, 0.8, 0.9];

/** Cases per bench firmware. */
const CASES_PER_FIRMWARE = 12;

interface LayerCase {
  /** Position among all cases (names its C arrays and functions). */
  index: number;
  layer: LayerSpec;
  sparsity: number;
  decision: SparseDecision;
  denseKernel: Kernel;
  sparseKernel: Kernel;
  denseTerms: Terms;
  sparseTerms: Terms;
  /** C text: the arrays and the two functions. */
  source: string;
  outBytes: number;
}

const carr = (type: string, name: string, v: ArrayLike<number>) => `static const ${type} ${name}[${Math.max(1, v.length)}] = {${Array.from(v).join(', ') || '0'}};`;

function layerCase(k: number, layer: LayerSpec, sparsity: number): LayerCase {
  const rng = new Random(1000 + k);
  const M = layer.dense ? layer.dense.N : layer.conv!.M;
  const per = layer.dense ? layer.dense.K : (layer.conv!.C / layer.conv!.groups) * layer.conv!.KH * layer.conv!.KW;
  const inputs = layer.dense ? layer.dense.rows * layer.dense.K : layer.conv!.C * layer.conv!.H * layer.conv!.W;
  const w = magnitudePruneS8(Int8Array.from({ length: M * per }, () => Math.max(-127, Math.min(127, Math.round(rng.normal() * 40)))), sparsity);
  const x = Array.from({ length: inputs }, () => rng.int(256) - 128);
  const bias = Int32Array.from({ length: M }, () => Math.round(rng.normal() * 2000));
  const xZero = -128 + rng.int(40);
  const yZero = -128;
  const f32 = (v: number[]) => Tensor.fromNumbers('float32', [v.length], v);
  const mult = channelMultipliers(f32([0.02]), f32(Array.from({ length: M }, () => rng.uniform(0.002, 0.01))), f32([Math.sqrt(per) * 0.01]), M, { name: `case${k}`, opType: 'Int8Conv', domain: '', inputs: [], outputs: [], attrs: {} });
  const acc0 = foldZeroPoint(w, M, bias, xZero);
  const p = `c${k}_`;
  const lines = [carr('int8_t', `${p}x`, x), carr('int8_t', `${p}w`, w), carr('int32_t', `${p}b`, bias), carr('int32_t', `${p}m`, mult.map((q) => q.multiplier)), carr('int8_t', `${p}s`, mult.map((q) => q.shift)), carr('int32_t', `${p}a`, acc0.data as Int32Array)];
  const tail = `${xZero}, ${yZero}, ${yZero}, 127`;
  let dense: string;
  let sparse: string;
  let outBytes: number;
  let decision: SparseDecision;
  let denseTerms: Terms;
  let sparseTerms: Terms;
  if (layer.dense) {
    const { rows, K, N } = layer.dense;
    const packed = packSparseDenseS8(w, N, K);
    lines.push(carr('uint8_t', `${p}cnt`, packed.cnt.data as Uint8Array), carr('uint8_t', `${p}pos`, packed.idx.data as Uint8Array), carr('int8_t', `${p}val`, packed.val.data as Int8Array));
    dense = `ep_dense_s8(${p}x, ${p}w, ${p}b, ${p}m, ${p}s, out_buf, ${rows}, ${K}, ${N}, ${tail})`;
    sparse = `ep_sparse_dense_s8(${p}x, ${p}cnt, ${p}pos, ${p}val, ${p}a, ${p}m, ${p}s, out_buf, ${rows}, ${K}, ${N}, ${yZero}, ${yZero}, 127)`;
    outBytes = rows * N;
    decision = chooseSparseDenseS8('auto', w, rows, K, N, true);
    denseTerms = denseS8Terms(rows, K, N);
    sparseTerms = sparseDenseS8Terms(rows, K, N, packed.nonZeros);
  } else {
    const s = layer.conv!;
    const packed = packSparseConvS8(w, s);
    lines.push(carr('uint8_t', `${p}cnt`, packed.cnt.data as Uint8Array), carr('uint8_t', `${p}ent`, packed.ent.data as Uint8Array));
    const shape = [s.C, s.H, s.W, s.M, s.KH, s.KW, s.OH, s.OW, s.sh, s.sw, s.dh, s.dw, s.pt, s.pl, s.groups].join(', ');
    dense = `ep_conv2d_s8(${p}x, ${p}w, ${p}b, ${p}m, ${p}s, out_buf, ${shape}, ${tail})`;
    sparse = `ep_sparse_conv2d_s8(${p}x, ${p}cnt, ${p}ent, ${p}a, ${p}m, ${p}s, out_buf, ${shape}, ${tail})`;
    outBytes = s.M * s.OH * s.OW;
    decision = chooseSparseConvS8('auto', w, s, true);
    denseTerms = convS8Terms(s);
    sparseTerms = sparseConvS8Terms(s, tapLists(w, s));
  }
  lines.push(`__attribute__((noinline)) static void case_${k}_dense(void) { ${dense}; }`, `__attribute__((noinline)) static void case_${k}_sparse(void) { ${sparse}; }`);
  return {
    index: k,
    layer,
    sparsity,
    decision,
    denseKernel: layer.dense ? 'ep_dense_s8' : 'ep_conv2d_s8',
    sparseKernel: layer.dense ? 'ep_sparse_dense_s8' : 'ep_sparse_conv2d_s8',
    denseTerms,
    sparseTerms,
    source: lines.join('\n'),
    outBytes,
  };
}

function casesHeader(cases: LayerCase[]): string {
  const n = cases.length;
  return [
    '/* Generated by bench/sparse-kernels-s8.ts: pruned int8 layers, each called by the dense and the sparse kernel. */',
    `#define SPARSE_S8_CASES ${n}`,
    `#define SPARSE_S8_OUT_BYTES ${Math.max(...cases.map((c) => c.outBytes))}`,
    'static int8_t out_buf[SPARSE_S8_OUT_BYTES];',
    ...cases.map((c) => c.source),
    `static void (*const case_dense[${n}])(void) = {${cases.map((c) => `case_${c.index}_dense`).join(', ')}};`,
    `static void (*const case_sparse[${n}])(void) = {${cases.map((c) => `case_${c.index}_sparse`).join(', ')}};`,
    `static const int case_out_bytes[${n}] = {${cases.map((c) => c.outBytes).join(', ')}};`,
    '',
  ].join('\n');
}

export interface LayerRow {
  layer: string;
  sparsity: number;
  nonZeros: number;
  weights: number;
  /** What the built-in estimates choose (sparse: 'auto'). */
  choice: 'dense' | 'sparse';
  estimate: { dense: number; sparse: number | undefined };
  flash: { dense: number; sparse: number | undefined };
  /** Per target: measured instructions and the code of each kernel call. */
  measured: Record<string, { dense: number; sparse: number; denseCode: number; sparseCode: number }>;
  /** Dense and sparse outputs identical, on every target and the host. */
  identical: boolean;
  kernels: [Kernel, Kernel];
  terms: [Terms, Terms];
}

export async function runLayerBench(opts: { keep?: string; targets?: readonly BenchTarget[] } = {}): Promise<LayerRow[]> {
  const targets = opts.targets ?? BENCH_TARGETS;
  const cases = LAYERS.flatMap((layer) => SPARSITIES.map((s) => ({ layer, s }))).map(({ layer, s }, k) => layerCase(k, layer, s));
  const { dir, done } = await workDir(opts.keep);
  try {
    // Firmwares of at most CASES_PER_FIRMWARE cases (the lm3s6965 has 256 KiB of flash), built and run one after another.
    const hostReport = new Map<string, number>();
    const reports = targets.map(() => ({ report: new Map<string, number>(), sizes: new Map<string, number>() }));
    for (let first = 0; first < cases.length; first += CASES_PER_FIRMWARE) {
      const chunk = cases.slice(first, first + CASES_PER_FIRMWARE);
      const sub = path.join(dir, `part${first / CASES_PER_FIRMWARE}`);
      await mkdir(sub, { recursive: true });
      await writeFile(path.join(sub, 'sparse-s8-cases.h'), casesHeader(chunk));
      const include = ['-I', sub, '-Wno-unused-function'];
      const [host, ...elves] = await Promise.all([buildHost('sparse-s8', sub, include), ...targets.map((t) => buildTarget('sparse-s8', sub, include, t))]);
      const renumber = (m: Map<string, number>, into: Map<string, number>) => {
        for (const [label, v] of m) into.set(label.replace(/:(\d+)$/, (_, k: string) => `:${Number(k) + first}`), v);
      };
      renumber(await runHost(host), hostReport);
      await Promise.all(
        elves.map(async (elf, i) => {
          const [report, sizes] = await Promise.all([runQemu(elf, 300_000, targets[i]), functionSizes(elf)]);
          renumber(report, reports[i].report);
          for (const [name, v] of sizes) reports[i].sizes.set(name, v); // (function names carry the global index)
        }),
      );
    }
    return cases.map((c, k) => {
      const measured: LayerRow['measured'] = {};
      let identical = hostReport.get(`hash_dense:${k}`) === hostReport.get(`hash_sparse:${k}`);
      targets.forEach((t, i) => {
        const { report, sizes } = reports[i];
        const get = (label: string) => {
          const v = report.get(label);
          if (v === undefined) throw new Error(`the ${t.name} bench firmware printed no '${label}'`);
          return v;
        };
        measured[t.name] = { dense: get(`dense:${k}`), sparse: get(`sparse:${k}`), denseCode: sizes.get(`case_${k}_dense`) ?? 0, sparseCode: sizes.get(`case_${k}_sparse`) ?? 0 };
        identical &&= get(`hash_dense:${k}`) === get(`hash_sparse:${k}`) && get(`hash_dense:${k}`) === hostReport.get(`hash_dense:${k}`);
      });
      return {
        layer: c.layer.name,
        sparsity: c.sparsity,
        nonZeros: c.decision.nonZeros,
        weights: c.decision.weights,
        choice: c.decision.kernel,
        estimate: { dense: c.decision.dense.instructions, sparse: c.decision.sparse?.instructions },
        flash: { dense: c.decision.dense.flashBytes, sparse: c.decision.sparse?.flashBytes },
        measured,
        identical,
        kernels: [c.denseKernel, c.sparseKernel],
        terms: [c.denseTerms, c.sparseTerms],
      };
    });
  } finally {
    await done();
  }
}

/** Least-squares constants of each kernel's instruction model from one target's measurements. */
export function fitModels(rows: LayerRow[], target: string): Record<string, { coefficients: Terms; maxRelError: number }> {
  const samples = new Map<Kernel, { terms: Terms; y: number }[]>();
  for (const r of rows) {
    const m = r.measured[target];
    if (!m) continue;
    const add = (k: Kernel, terms: Terms, y: number) => samples.set(k, [...(samples.get(k) ?? []), { terms, y }]);
    add(r.kernels[0], r.terms[0], m.dense);
    add(r.kernels[1], r.terms[1], m.sparse);
  }
  const out: Record<string, { coefficients: Terms; maxRelError: number }> = {};
  for (const [k, s] of samples) {
    const names = [...new Set(s.flatMap((x) => Object.keys(x.terms)))];
    const f = fitTerms(names, s, 200);
    out[k] = { coefficients: Object.fromEntries(Object.entries(f.coefficients).map(([n, v]) => [n, Number(v.toFixed(3))])), maxRelError: f.maxRelError };
  }
  return out;
}

// ---- the whole model ----

export interface ModelRow {
  target: string;
  sparsity: number;
  never: { instructions: number; weightBytes: number; flashBytes: number };
  auto: { instructions: number; weightBytes: number; flashBytes: number };
  /** Layers 'auto' runs sparse. */
  sparseLayers: string[];
  /** 'auto' = 'never' outputs, host = target. */
  identical: boolean;
}

export const MNIST_SPARSITY = 0.8;

export async function runModelBench(opts: { keep?: string; targets?: readonly BenchTarget[] } = {}): Promise<ModelRow[]> {
  const targets = opts.targets ?? BENCH_TARGETS;
  const g = prunedS8(int8MnistLikeCnn(), MNIST_SPARSITY);
  const never = compileToC(g, { prefix: 'mdense', sparse: 'never' });
  const auto = compileToC(g, { prefix: 'mauto', sparse: 'auto' });
  const inputs = randomInputs(g, 5).map((b) => {
    const f = new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
    return new Uint8Array(Float32Array.from(f, (v) => (v + 1) / 2).buffer); // pixels in [0, 1)
  });
  const rows: ModelRow[] = [];
  for (const t of targets) {
    const runs = await runLibraries([{ name: 'never', lib: never, inputs }, { name: 'auto', lib: auto, inputs }], { keep: opts.keep && path.join(opts.keep, `model-${t.name}`), target: t.name });
    const [n, a] = runs;
    const same = (x: typeof n.target, y: typeof n.target) => x.outputs.length === y.outputs.length && x.outputs.every((o, i) => Buffer.from(o).equals(Buffer.from(y.outputs[i])));
    const figures = (r: typeof n) => ({ instructions: r.target.instructions ?? NaN, weightBytes: r.lib.view.weightBytes, flashBytes: r.flashBytes });
    rows.push({
      target: t.name,
      sparsity: MNIST_SPARSITY,
      never: figures(n),
      auto: figures(a),
      sparseLayers: auto.steps.filter((s) => s.sparse?.kernel === 'sparse').map((s) => s.nodes[0]),
      identical: n.target.status === 0 && a.target.status === 0 && same(n.target, a.target) && same(n.host, n.target) && same(a.host, a.target),
    });
  }
  return rows;
}

// ---- report ----

export function formatLayerBench(rows: LayerRow[]): string {
  const targets = Object.keys(rows[0]?.measured ?? {});
  const pct = (v: number) => `${Math.round(v * 100)}%`;
  const ratio = (a: number, b: number | undefined) => (b === undefined ? '-' : `${(a / b).toFixed(2)}x`);
  return table(
    ['layer', 'sparsity', 'non-zeros', 'auto', 'est dense', 'est sparse', ...targets.flatMap((t) => [`${t} dense`, `${t} sparse`, 'speed-up']), 'flash dense', 'flash sparse', 'smaller', 'bits'],
    rows.map((r) => [
      r.layer, pct(r.sparsity), `${r.nonZeros}/${r.weights}`, r.choice, r.estimate.dense, r.estimate.sparse ?? '-',
      ...targets.flatMap((t) => [r.measured[t].dense, r.measured[t].sparse, ratio(r.measured[t].dense, r.measured[t].sparse)]),
      r.flash.dense, r.flash.sparse ?? '-', ratio(r.flash.dense, r.flash.sparse), r.identical ? 'identical' : 'DIFFER',
    ]),
    4,
  );
}

export function formatModelBench(rows: ModelRow[]): string {
  return table(
    ['target', 'sparsity', "instr 'never'", "instr 'auto'", 'speed-up', "weights 'never'", "weights 'auto'", "flash 'never'", "flash 'auto'", 'sparse layers', 'bits'],
    rows.map((r) => [r.target, `${Math.round(r.sparsity * 100)}%`, r.never.instructions, r.auto.instructions, `${(r.never.instructions / r.auto.instructions).toFixed(2)}x`, r.never.weightBytes, r.auto.weightBytes, r.never.flashBytes, r.auto.flashBytes, r.sparseLayers.join(' ') || '-', r.identical ? 'identical' : 'DIFFER']),
    2,
  );
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const missing = await missingTools();
  if (missing.length) {
    console.error(`sparse-kernels-s8 bench: missing ${missing.join(', ')}`);
    process.exit(2);
  }
  const keepAt = args.indexOf('--keep');
  const keep = keepAt >= 0 ? args[keepAt + 1] : undefined;
  const layers = await runLayerBench({ keep: keep && path.join(keep, 'layers') });
  const model = await runModelBench({ keep });
  if (args.includes('--json')) console.log(JSON.stringify({ layers, model, fit: fitModels(layers, 'mps2-an386') }, null, 2));
  else {
    console.log(
      [
        'Weight-sparse vs dense int8 kernels, magnitude pruning per layer, arm-none-eabi-gcc -O2; instructions of one call under',
        'QEMU -icount (SysTick, resolution 40 on mps2-an386, 80 on lm3s6965); est: the emitter\'s built-in estimates (mps2-an386);',
        'flash: the layer\'s constant arrays (bytes: dense weights + bias; sparse counts + positions + values + acc0); bits:',
        'dense and sparse outputs identical on both targets and the host',
        '',
        formatLayerBench(layers),
        '',
        `The int8 MNIST-like CNN pruned to ${MNIST_SPARSITY * 100}% per layer, compileToC sparse 'never' vs 'auto', one inference (harness call included);`,
        'weights: the model\'s constant arrays; flash: the model library in the linked firmware (code + weights)',
        '',
        formatModelBench(model),
      ].join('\n'),
    );
    if (args.includes('--fit')) console.log(`\nLeast-squares instruction models (mps2-an386):\n${JSON.stringify(fitModels(layers, 'mps2-an386'), null, 2)}`);
  }
  if (args.includes('--check')) {
    const ok = layers.every((r) => r.identical) && model.every((r) => r.identical && r.auto.instructions < r.never.instructions && r.auto.flashBytes < r.never.flashBytes);
    console.log(ok ? 'check: passed' : 'check: FAILED (identical outputs; the 80%-pruned CNN faster and smaller with sparse kernels)');
    if (!ok) process.exit(1);
  }
}

if (isMain(import.meta.url)) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? (e.stack ?? e.message) : e);
    process.exit(1);
  });
}
