// Benchmark of the int8 C kernels on the MNIST-like CNN (bench/kernels/mnist-cnn-s8.c), on QEMU mps2-an386 (Cortex-M4F:
// the DSP path) or lm3s6965 (Cortex-M3: the portable path): instructions per MAC for the whole inference and per layer,
// code size, stack, and the outputs compared bit for bit between the target, a host build and the interpreter.
//
//   make build && node dist/bench/kernels/mnist-cnn-s8.js [--target mps2-an386|lm3s6965] [--json] [--check] [--keep DIR]
//
// The weights, scales and input are random (seeded) with realistic ranges: per-channel symmetric weights, activation
// scales calibrated on the accumulators, ReLU as the output clamp. --check exits with status 1 when the model takes
// more than 1.5 (mps2-an386) or 2.5 (lm3s6965) instructions per MAC, or any output differs.

import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { AttrValue, Node } from '../../src/ir/graph.js';
import { Tensor } from '../../src/ir/tensor.js';
import { DequantizeLinear } from '../../src/ops/dequantize-linear.js';
import { Int8Conv } from '../../src/ops/int8-conv.js';
import { Int8Gemm } from '../../src/ops/int8-gemm.js';
import { MaxPool } from '../../src/ops/max-pool.js';
import { readAttrs, type OpDef } from '../../src/ops/op-def.js';
import { channelMultipliers } from '../../src/ops/util/int8-params.js';
import { QuantizeLinear } from '../../src/ops/quantize-linear.js';
import { integerConvolve } from '../../src/ops/util/quant-conv.js';
import { Random } from '../../src/util/random.js';
import { benchTargetArg, buildHost, buildTarget, fnvS8, functionSizes, isMain, missingTools, runHost, runQemu, table, workDir, type BenchTarget, MPS2_AN386 } from './bench-lib.js';

export interface LayerResult {
  name: string;
  call: string;
  macs: number;
  instructions: number;
  codeBytes: number;
}

export interface MnistS8BenchResult {
  target: string;
  layers: LayerResult[];
  macs: number;
  instructions: number;
  instructionsPerMac: number;
  /** Code of model_run: every kernel call inlined, as in the generated model.c. */
  modelCodeBytes: number;
  stackBytes: number;
  /** int8 outputs (as 0..255) and FNV-1a hashes of every int8 tensor: target, host, interpreter. */
  target_: Record<string, number>;
  host: Record<string, number>;
  interpreter: Record<string, number>;
  /** Labels whose values differ between the three. */
  mismatches: string[];
}

const LAYERS: Omit<LayerResult, 'instructions' | 'codeBytes'>[] = [
  { name: 'quant', call: 'ep_quantize_f32_s8 784', macs: 0 },
  { name: 'conv1', call: 'ep_conv2d_s8 5x5 1->8 28x28 pad 2 +ReLU', macs: 8 * 28 * 28 * 25 },
  { name: 'pool1', call: 'ep_maxpool2d_s8 2x2 s2 8x28x28', macs: 0 },
  { name: 'conv2', call: 'ep_conv2d_s8 5x5 8->16 14x14 pad 2 +ReLU', macs: 16 * 14 * 14 * 200 },
  { name: 'pool2', call: 'ep_maxpool2d_s8 3x3 s3 16x14x14', macs: 0 },
  { name: 'fc', call: 'ep_dense_s8 256->10', macs: 2560 },
  { name: 'dequant', call: 'ep_dequantize_s8_f32 10', macs: 0 },
];

export const MNIST_S8_MACS = LAYERS.reduce((s, l) => s + l.macs, 0); // 786,560

/** One op of the interpreter on constant inputs (first output). */
function evaluate<A>(op: OpDef<A>, inputs: (Tensor | undefined)[], attrs: Record<string, AttrValue> = {}): Tensor {
  const node: Node = { name: `bench_${op.opType}`, opType: op.opType, domain: op.domain, inputs: inputs.map((t, i) => (t ? `in${i}` : '')), outputs: ['y'], attrs };
  return op.evaluate(inputs, readAttrs(op, node), node)[0];
}

const ints = (value: number[]): AttrValue => ({ kind: 'ints', value });
const int = (value: number): AttrValue => ({ kind: 'int', value });
const f32 = (v: number) => Tensor.fromNumbers('float32', [1], [v]);
const i8 = (v: number) => Tensor.fromNumbers('int8', [1], [v]);

interface Layer {
  w: Tensor;
  wScale: Tensor;
  bias: Tensor;
  yScale: number;
  yZero: number;
}

/**
 * Random per-channel symmetric weights for a layer reading x (scale xScale, zero point xZero), a bias of about the
 * accumulators' size, and an output scale that maps 3 standard deviations of the real outputs onto the int8 range.
 */
function randomLayer(rng: Random, shape: number[], x: Tensor, xScale: number, xZero: number, relu: boolean, conv: boolean): Layer {
  const M = shape[0];
  const perChannel = shape.slice(1).reduce((a, b) => a * b, 1);
  const w = Tensor.fromNumbers('int8', shape, Array.from({ length: M * perChannel }, () => Math.round(rng.uniform(-127, 127))));
  const wScale = Tensor.fromNumbers('float32', [M], Array.from({ length: M }, () => rng.uniform(0.002, 0.01)));
  const accNoBias = conv
    ? integerConvolve(x, w, i8(xZero), undefined, undefined, { autoPad: 'NOTSET', group: 1, pads: [2, 2, 2, 2] }, { name: 'calibration' } as Node).acc
    : Float64Array.from({ length: M }, (_, m) => {
        let s = 0;
        for (let k = 0; k < perChannel; k++) s += ((x.data as Int8Array)[k] - xZero) * (w.data as Int8Array)[m * perChannel + k];
        return s;
      });
  const plane = accNoBias.length / M;
  const real = Array.from(accNoBias, (a, i) => a * xScale * (wScale.data as Float32Array)[Math.floor(i / plane)]);
  const mean = real.reduce((a, b) => a + b, 0) / real.length;
  const std = Math.sqrt(real.reduce((a, b) => a + (b - mean) ** 2, 0) / real.length) || 1;
  const bias = Tensor.fromNumbers('int32', [M], Array.from({ length: M }, (_, m) => Math.round((rng.uniform(-0.5, 0.5) * std) / (xScale * (wScale.data as Float32Array)[m]))));
  const yScale = Math.fround(relu ? (3 * std) / 255 : (3 * std) / 127);
  return { w, wScale, bias, yScale, yZero: relu ? -128 : Math.round(rng.uniform(-20, 20)) };
}

/** The bench model with seeded random data, its C header and the interpreter's results. */
export function mnistS8Model(seed = 1) {
  const rng = new Random(seed);
  const input = Tensor.fromNumbers('float32', [1, 1, 28, 28], Array.from({ length: 784 }, () => (rng.next() < 0.6 ? 0 : rng.uniform(0, 1))));
  const xScale = Math.fround(1 / 255);
  const xZero = -128;
  const xq = evaluate(QuantizeLinear, [input, f32(xScale), i8(xZero)]);
  const convAttrs = { kernel_shape: ints([5, 5]), pads: ints([2, 2, 2, 2]) };
  const l1 = randomLayer(rng, [8, 1, 5, 5], xq, xScale, xZero, true, true);
  const conv = (x: Tensor, sx: number, zx: number, l: Layer) =>
    evaluate(Int8Conv, [x, f32(sx), i8(zx), l.w, l.wScale, f32(l.yScale), i8(l.yZero), l.bias], { ...convAttrs, act_min: int(l.yZero), act_max: int(127) });
  const a1 = conv(xq, xScale, xZero, l1);
  const a2 = evaluate(MaxPool, [a1], { kernel_shape: ints([2, 2]), strides: ints([2, 2]) });
  const l2 = randomLayer(rng, [16, 8, 5, 5], a2, l1.yScale, l1.yZero, true, true);
  const a3 = conv(a2, l1.yScale, l1.yZero, l2);
  const a4 = evaluate(MaxPool, [a3], { kernel_shape: ints([3, 3]), strides: ints([3, 3]) });
  const flat = new Tensor('int8', [1, 256], a4.data);
  const l3 = randomLayer(rng, [10, 256], flat, l2.yScale, l2.yZero, false, false);
  const yq = evaluate(Int8Gemm, [flat, f32(l2.yScale), i8(l2.yZero), l3.w, l3.wScale, f32(l3.yScale), i8(l3.yZero), l3.bias]);
  const out = evaluate(DequantizeLinear, [yq, f32(l3.yScale), i8(l3.yZero)]);

  const node = { name: 'bench', attrs: {} } as unknown as Node;
  const params = (l: Layer, sx: number) => channelMultipliers(f32(sx), l.wScale, f32(l.yScale), l.w.shape[0], node);
  const carr = (type: string, name: string, values: ArrayLike<number>) => `static const ${type} ${name}[${values.length}] = {${Array.from(values).join(', ')}};`;
  const cfloat = (v: number) => `${Math.fround(v).toPrecision(9)}f`;
  const header = [
    '/* Generated by bench/kernels/mnist-cnn-s8.ts: random weights, scales and input of the int8 MNIST-like CNN. */',
    `static const float input[784] = {${Array.from(input.data as Float32Array, cfloat).join(', ')}};`,
    `#define X_SCALE ${cfloat(xScale)}`,
    `#define X_ZP ${xZero}`,
    `#define A1_ZP ${l1.yZero}`,
    `#define A3_ZP ${l2.yZero}`,
    `#define Y_SCALE ${cfloat(l3.yScale)}`,
    `#define Y_ZP ${l3.yZero}`,
    ...([[l1, xScale, '1'], [l2, l1.yScale, '2'], [l3, l2.yScale, '3']] as const).flatMap(([l, sx, k]) => {
      const p = params(l, sx);
      return [
        carr('int8_t', `w${k}`, l.w.data as Int8Array),
        carr('int32_t', `b${k}`, l.bias.data as Int32Array),
        carr('int32_t', `m${k}`, p.map((q) => q.multiplier)),
        carr('int8_t', `s${k}`, p.map((q) => q.shift)),
      ];
    }),
    '',
  ].join('\n');
  const expected = reportOf({ xq, conv1: a1, pool1: a2, conv2: a3, pool2: a4 }, yq, out);
  return { header, expected };
}

function reportOf(tensors: Record<string, Tensor>, yq: Tensor, out: Tensor): Record<string, number> {
  const r: Record<string, number> = {};
  for (const [k, t] of Object.entries(tensors)) r[`hash:${k}`] = fnvS8(t.data as Int8Array);
  const bits = new Uint32Array((out.data as Float32Array).buffer.slice(0));
  (yq.data as Int8Array).forEach((v, i) => (r[`q:${i}`] = v & 0xff));
  bits.forEach((v, i) => (r[`out:${i}`] = v));
  return r;
}

function comparable(report: Map<string, number>, labels: string[]): Record<string, number> {
  return Object.fromEntries(labels.map((l) => [l, report.get(l) ?? NaN]));
}

/** The host build's report: the same program and data for every target, so built and run once per process. */
let hostRun: Promise<Map<string, number>> | undefined;
function hostReportOnce(dir: string, include: string[]): Promise<Map<string, number>> {
  hostRun ??= (async () => runHost(await buildHost('mnist-cnn-s8', dir, include)))();
  return hostRun;
}

export async function runMnistS8Bench(opts: { keep?: string; target?: BenchTarget } = {}): Promise<MnistS8BenchResult> {
  const target = opts.target ?? MPS2_AN386;
  const { dir, done } = await workDir(opts.keep);
  try {
    const { header, expected } = mnistS8Model();
    await writeFile(path.join(dir, 'mnist-cnn-s8-data.h'), header);
    const include = ['-I', dir];
    const [elf, hostReport] = await Promise.all([buildTarget('mnist-cnn-s8', dir, include, target), hostReportOnce(dir, include)]);
    const [report, sizes] = await Promise.all([runQemu(elf, 120_000, target), functionSizes(elf)]);
    const get = (label: string) => {
      const v = report.get(label);
      if (v === undefined) throw new Error(`the bench firmware printed no '${label}'`);
      return v;
    };
    const layers = LAYERS.map((l) => ({ ...l, instructions: get(`layer:${l.name}`), codeBytes: sizes.get(`layer_${l.name}`) ?? 0 }));
    const labels = Object.keys(expected);
    const t = comparable(report, labels);
    const h = comparable(hostReport, labels);
    const instructions = get('model');
    return {
      target: target.name,
      layers,
      macs: MNIST_S8_MACS,
      instructions,
      instructionsPerMac: instructions / MNIST_S8_MACS,
      modelCodeBytes: sizes.get('model_run') ?? 0,
      stackBytes: get('stack'),
      target_: t,
      host: h,
      interpreter: expected,
      mismatches: labels.filter((l) => !(t[l] === expected[l] && h[l] === expected[l])),
    };
  } finally {
    await done();
  }
}

export function formatMnistS8Bench(r: MnistS8BenchResult): string {
  const perMac = (instr: number, macs: number) => (macs ? (instr / macs).toFixed(3) : '-');
  const rows = r.layers.map((l) => [l.name, l.call, l.macs, l.instructions, perMac(l.instructions, l.macs), l.codeBytes]);
  rows.push(['model', 'one inference (model_run)', r.macs, r.instructions, perMac(r.instructions, r.macs), r.modelCodeBytes]);
  const labels = Object.keys(r.interpreter);
  return [
    `int8 MNIST-like CNN, kernels of templates/c/lib on QEMU ${r.target}, arm-none-eabi-gcc -O2 -ffp-contract=off`,
    'instructions counted with SysTick under -icount shift=0; code bytes from arm-none-eabi-nm',
    '',
    table(['layer', 'kernel call', 'MACs', 'instructions', 'instr/MAC', 'code bytes'], rows, 2),
    '',
    `stack used by one inference: ${r.stackBytes} bytes`,
    r.mismatches.length === 0
      ? `outputs: every int8 tensor (hashes), the 10 int8 outputs and the 10 float outputs bit-identical on the target, the host (gcc) and the interpreter (${labels.length} values)`
      : `outputs DIFFER (target / host / interpreter): ${r.mismatches.map((l) => `${l} ${r.target_[l]}/${r.host[l]}/${r.interpreter[l]}`).join(', ')}`,
  ].join('\n');
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const keepAt = args.indexOf('--keep');
  const missing = await missingTools();
  if (missing.length) {
    console.error(`mnist-cnn-s8 bench: missing ${missing.join(', ')}`);
    process.exit(2);
  }
  const target = benchTargetArg(args);
  const r = await runMnistS8Bench({ keep: keepAt >= 0 ? args[keepAt + 1] : undefined, target });
  console.log(args.includes('--json') ? JSON.stringify(r, null, 2) : formatMnistS8Bench(r));
  if (args.includes('--check')) {
    const goal = target.name === 'lm3s6965' ? 2.5 : 1.5;
    const problems: string[] = [];
    if (r.instructionsPerMac > goal) problems.push(`${r.instructionsPerMac.toFixed(3)} instructions per MAC (goal <= ${goal})`);
    if (r.mismatches.length) problems.push(`outputs differ: ${r.mismatches.join(', ')}`);
    if (problems.length) {
      console.error(`check failed: ${problems.join('; ')}`);
      process.exit(1);
    }
  }
}

if (isMain(import.meta.url)) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
