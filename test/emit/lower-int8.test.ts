// The int8 C lowerings (src/emit/c/lower-int8.ts): the kernel calls they make for a quantized graph (constants from
// channelMultipliers, int8_t weight arrays, literal zero points and clamps), run on the host as written and compared
// with the interpreter on the whole graph, bit for bit; and their refusals.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { cElementType, type CArg, type CStep } from '../../src/emit/c/c-step.js';
import { CUnsupported, type LowerContext } from '../../src/emit/c/lower.js';
import { INT8_LOWERINGS, INT8_STANDARD_LOWERINGS } from '../../src/emit/c/lower-int8.js';
import { emptyGraph, staticInfo, type AttrValue, type Graph, type Node } from '../../src/ir/graph.js';
import { inferShapes } from '../../src/ir/infer-shapes.js';
import { nodeAttrs, runGraph } from '../../src/ir/interpreter.js';
import { Tensor } from '../../src/ir/tensor.js';
import { channelMultipliers, EDGEPRUNE_DOMAIN } from '../../src/ops/util/int8-params.js';
import { Random } from '../../src/util/random.js';
import { skipWithoutTools } from '../support/toolchain.js';

const KERNEL_DIR = path.resolve('templates/c/lib');
const f32 = (v: number[]) => Tensor.fromNumbers('float32', [v.length], v);
const s8 = (v: number) => Tensor.fromNumbers('int8', [], [v]);
const ints = (value: number[]): AttrValue => ({ kind: 'ints', value });
const int = (value: number): AttrValue => ({ kind: 'int', value });

/** A graph from inputs, initializers and nodes (domain per node), shapes inferred. */
function graph(inputs: { name: string; dtype: 'float32' | 'int8'; shape: number[] }[], inits: Record<string, Tensor>, nodes: Omit<Node, 'outputs'>[], output: string): Graph {
  const g = emptyGraph('lower_int8_test');
  g.inputs.push(...inputs);
  for (const [k, t] of Object.entries(inits)) g.initializers.set(k, t);
  for (const n of nodes) g.nodes.push({ ...n, outputs: [`${n.name}_out`] });
  inferShapes(g);
  g.outputs.push({ ...staticInfo(g, output) });
  return g;
}

/** Quantize → Int8Conv (3x3 pad 1 stride 1, ReLU clamp) → MaxPool 2x2 → Int8Conv depthwise (stride 2) → Dequantize. */
function convGraph(): Graph {
  const rng = new Random(3);
  const w1 = Tensor.fromNumbers('int8', [4, 2, 3, 3], Array.from({ length: 72 }, () => rng.int(255) - 127));
  const w2 = Tensor.fromNumbers('int8', [4, 1, 3, 3], Array.from({ length: 36 }, () => rng.int(255) - 127));
  return graph(
    [{ name: 'x', dtype: 'float32', shape: [1, 2, 9, 10] }],
    {
      xs: f32([0.02]), xz: s8(-3),
      w1, w1s: f32([0.004, 0.006, 0.005, 0.003]), a1s: f32([0.05]), a1z: s8(-128), b1: Tensor.fromNumbers('int32', [4], [100, -250, 0, 77]),
      w2, w2s: f32([0.01]), a2s: f32([0.07]), a2z: s8(9),
    },
    [
      { name: 'q', opType: 'QuantizeLinear', domain: '', inputs: ['x', 'xs', 'xz'], attrs: {} },
      { name: 'c1', opType: 'Int8Conv', domain: EDGEPRUNE_DOMAIN, inputs: ['q_out', 'xs', 'xz', 'w1', 'w1s', 'a1s', 'a1z', 'b1'], attrs: { kernel_shape: ints([3, 3]), pads: ints([1, 1, 1, 1]), act_min: int(-128) } },
      { name: 'p', opType: 'MaxPool', domain: '', inputs: ['c1_out'], attrs: { kernel_shape: ints([2, 2]), strides: ints([2, 2]) } },
      { name: 'c2', opType: 'Int8Conv', domain: EDGEPRUNE_DOMAIN, inputs: ['p_out', 'a1s', 'a1z', 'w2', 'w2s', 'a2s', 'a2z'], attrs: { kernel_shape: ints([3, 3]), pads: ints([1, 1, 1, 1]), strides: ints([2, 2]), group: int(4), act_min: int(-20), act_max: int(100) } },
      { name: 'd', opType: 'DequantizeLinear', domain: '', inputs: ['c2_out', 'a2s', 'a2z'], attrs: {} },
    ],
    'd_out',
  );
}

/** int8 input [3, 12] → Int8Gemm 12→5 → Dequantize. */
function gemmGraph(): Graph {
  const rng = new Random(4);
  const w = Tensor.fromNumbers('int8', [5, 12], Array.from({ length: 60 }, () => rng.int(255) - 127));
  return graph(
    [{ name: 'x', dtype: 'int8', shape: [3, 12] }],
    { xs: f32([0.1]), xz: s8(127), w, ws: f32([0.002, 0.003, 0.001, 0.004, 0.002]), ys: f32([0.09]), yz: s8(-5), b: Tensor.fromNumbers('int32', [5], [-40, 10, 0, 900, -7]) },
    [
      { name: 'fc', opType: 'Int8Gemm', domain: EDGEPRUNE_DOMAIN, inputs: ['x', 'xs', 'xz', 'w', 'ws', 'ys', 'yz', 'b'], attrs: {} },
      { name: 'd', opType: 'DequantizeLinear', domain: '', inputs: ['fc_out', 'ys', 'yz'], attrs: {} },
    ],
    'd_out',
  );
}

function context(g: Graph, node: Node): LowerContext {
  return { graph: g, node, attrs: nodeAttrs(node), type: (n) => staticInfo(g, n), constant: (n) => g.initializers.get(n), output: (i) => node.outputs[i] };
}

function lower(g: Graph): CStep[] {
  return g.nodes.map((node) => {
    const table = node.domain === EDGEPRUNE_DOMAIN ? INT8_LOWERINGS : INT8_STANDARD_LOWERINGS;
    return table[node.opType].lower(context(g, node));
  });
}

/** The steps as a C program: one static buffer per value, one array per weight, the calls as lowered. */
function program(g: Graph, steps: CStep[]): string {
  const lines = ['#include <stdio.h>', '#include "ep_kernels.h"'];
  const values = new Map<string, string>();
  const declare = (name: string) => {
    if (values.has(name)) return values.get(name)!;
    const t = staticInfo(g, name);
    const ident = `v${values.size}`;
    lines.push(`static ${t.dtype === 'int8' ? 'int8_t' : 'float'} ${ident}[${t.shape.reduce((a, b) => a * b, 1)}];`);
    values.set(name, ident);
    return ident;
  };
  const weights = new Map<string, string>();
  const arg = (a: CArg): string => {
    switch (a.kind) {
      case 'value': return `${declare(a.name)} + ${a.elementOffset ?? 0}`;
      case 'weight': {
        if (!weights.has(a.weight.key)) {
          const ident = `w${weights.size}`;
          lines.push(`static const ${cElementType(a.weight)} ${ident}[] = {${Array.from(a.weight.tensor.data as ArrayLike<number>).join(', ')}};`);
          weights.set(a.weight.key, ident);
        }
        return weights.get(a.weight.key)!;
      }
      case 'int': return String(a.value);
      case 'float': return `${Math.fround(a.value).toPrecision(9)}f`;
      case 'null': return 'NULL';
      default: throw new Error(`unexpected argument ${a.kind}`);
    }
  };
  const input = declare(g.inputs[0].name);
  const output = declare(g.outputs[0].name);
  const calls = steps.flatMap((s) => s.calls.map((c) => `  ${c.kernel}(${c.args.map(arg).join(', ')});`));
  const nIn = staticInfo(g, g.inputs[0].name).shape.reduce((a, b) => a * b, 1);
  const nOut = staticInfo(g, g.outputs[0].name).shape.reduce((a, b) => a * b, 1);
  lines.push(
    'int main(int argc, char **argv) {',
    '  FILE *fi = fopen(argv[1], "rb"), *fo = fopen(argv[2], "wb");',
    `  if (argc != 3 || !fi || !fo || fread(${input}, sizeof ${input}[0], ${nIn}, fi) != ${nIn}) return 2;`,
    ...calls,
    `  fwrite(${output}, sizeof ${output}[0], ${nOut}, fo);`,
    '  return fclose(fo) == 0 ? 0 : 3;',
    '}',
  );
  return lines.join('\n') + '\n';
}

/** Run the lowered program on the host (gcc) on one input; returns the output's bytes. */
async function runLowered(g: Graph, input: Tensor, flags: string[] = []): Promise<Buffer> {
  const dir = await mkdtemp(path.join(tmpdir(), 'ep-lower-int8-'));
  try {
    await writeFile(path.join(dir, 'model.c'), program(g, lower(g)));
    await execa('gcc', ['-std=c11', '-ffp-contract=off', '-O2', '-Wall', '-Wextra', '-Werror', ...flags, '-I', KERNEL_DIR, path.join(dir, 'model.c'), '-o', path.join(dir, 'model')], { timeout: 300_000 });
    const data = input.data as Float32Array | Int8Array;
    await writeFile(path.join(dir, 'in.bin'), Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    await execa(path.join(dir, 'model'), [path.join(dir, 'in.bin'), path.join(dir, 'out.bin')], { timeout: 60_000 });
    return await readFile(path.join(dir, 'out.bin'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function bytesOf(t: Tensor): Buffer {
  const d = t.data as Float32Array;
  return Buffer.from(d.buffer, d.byteOffset, d.byteLength);
}

const skip = await skipWithoutTools('test/emit/lower-int8.test.ts', ['gcc']);

describe('int8 C lowerings', () => {
  it('lowers Int8Conv with the constants of channelMultipliers, int8_t weights and literal zero points and clamps', () => {
    const g = convGraph();
    const steps = lower(g);
    expect(steps.map((s) => s.calls.map((c) => c.kernel))).toEqual([['ep_quantize_f32_s8'], ['ep_conv2d_s8'], ['ep_maxpool2d_s8'], ['ep_conv2d_s8'], ['ep_dequantize_s8_f32']]);
    const args = steps[1].calls[0].args;
    const w = args[1];
    expect(w.kind === 'weight' && cElementType(w.weight)).toBe('int8_t');
    const expected = channelMultipliers(g.initializers.get('xs')!, g.initializers.get('w1s')!, g.initializers.get('a1s')!, 4, g.nodes[1]);
    const mult = args[3];
    const shift = args[4];
    expect(mult.kind === 'weight' && Array.from(mult.weight.tensor.data as Int32Array)).toEqual(expected.map((m) => m.multiplier));
    expect(shift.kind === 'weight' && cElementType(shift.weight)).toBe('int8_t');
    expect(shift.kind === 'weight' && Array.from(shift.weight.tensor.data as Int8Array)).toEqual(expected.map((m) => m.shift));
    // C H W M KH KW OH OW sh sw dh dw pt pl groups x_zp y_zp act_min act_max
    expect(args.slice(6).map((a) => (a.kind === 'int' ? a.value : a.kind))).toEqual([2, 9, 10, 4, 3, 3, 9, 10, 1, 1, 1, 1, 1, 1, 1, -3, -128, -128, 127]);
    const dw = steps[3].calls[0].args;
    expect(dw[2].kind).toBe('null'); // no bias
    expect(dw.slice(6).map((a) => (a.kind === 'int' ? a.value : a.kind))).toEqual([4, 4, 5, 4, 3, 3, 2, 3, 2, 2, 1, 1, 1, 1, 4, -128, 9, -20, 100]);
  });

  it.skipIf(skip)('gives the interpreter’s bits on the host for a conv graph (portable and DSP paths) and a dense graph', async () => {
    const g = convGraph();
    const rng = new Random(8);
    const x = Tensor.fromNumbers('float32', [1, 2, 9, 10], Array.from({ length: 180 }, () => rng.uniform(-3, 3)));
    const want = bytesOf(runGraph(g, { x }).get('d_out')!);
    expect(await runLowered(g, x)).toEqual(want);
    expect(await runLowered(g, x, ['-DEP_S8_EMULATE_DSP'])).toEqual(want);
    const gg = gemmGraph();
    const xq = Tensor.fromNumbers('int8', [3, 12], Array.from({ length: 36 }, () => rng.int(256) - 128));
    expect(await runLowered(gg, xq)).toEqual(bytesOf(runGraph(gg, { x: xq }).get('d_out')!));
  }, 300_000);

  it('refuses what the kernels cannot take, naming the input', () => {
    const g = convGraph();
    const conv = g.nodes[1];
    const perChannelZero = { ...conv, inputs: conv.inputs.map((n) => (n === 'a1z' ? 'zz' : n)) };
    g.initializers.set('zz', Tensor.fromNumbers('int8', [2], [0, 1]));
    expect(() => INT8_LOWERINGS.Int8Conv.lower(context(g, perChannelZero))).toThrow(CUnsupported);
    expect(() => INT8_LOWERINGS.Int8Conv.lower(context(g, perChannelZero))).toThrow(/y_zero_point has 2 elements/);
    const runtimeWeights = { ...conv, inputs: conv.inputs.map((n) => (n === 'w1' ? 'q_out' : n)) };
    expect(() => INT8_LOWERINGS.Int8Conv.lower(context(g, runtimeWeights))).toThrow(/weight w 'q_out' is computed at run time/);
    const floatPool = { ...g.nodes[2], inputs: ['x'] };
    expect(() => INT8_STANDARD_LOWERINGS.MaxPool.lower(context(g, floatPool))).toThrow(/input 'x' is float32/);
    g.initializers.get('w1')!.data[5] = -128;
    expect(() => INT8_LOWERINGS.Int8Conv.lower(context(g, conv))).toThrow(/weight element 5 is -128/);
  });
});
