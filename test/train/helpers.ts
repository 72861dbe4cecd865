// Shared by the training-bridge tests: small IR models, the digits data set, and comparison with the interpreter.

import path from 'node:path';
import { expect } from 'vitest';
import { readCsvDataset } from '../../src/data/csv.js';
import type { Dataset } from '../../src/data/dataset.js';
import { splitDataset } from '../../src/data/split.js';
import { attr, GraphBuilder } from '../../src/ir/builder.js';
import type { Graph } from '../../src/ir/graph.js';
import { runGraph } from '../../src/ir/interpreter.js';
import { shapeSize, Tensor } from '../../src/ir/tensor.js';
import { Random } from '../../src/util/random.js';

export const DIGITS = path.resolve(__dirname, '../../examples/digits/digits.csv.gz');

/** The 8x8 digits scaled to [0, 1], split 80/20 by class with a fixed seed. */
export function digitsSplit(seed = 7): { train: Dataset; test: Dataset } {
  const ds = readCsvDataset(DIGITS);
  for (let i = 0; i < ds.features.length; i++) ds.features[i] /= 16;
  const { train, test } = splitDataset(ds, { validation: 0, test: 0.2 }, seed);
  return { train, test };
}

export class ModelKit {
  readonly b: GraphBuilder;
  readonly rng: Random;
  constructor(name: string, seed: number) {
    this.b = new GraphBuilder(name);
    this.rng = new Random(seed);
  }
  values(shape: number[], scale: number): Tensor {
    return Tensor.fromNumbers('float32', shape, Array.from({ length: shapeSize(shape) }, () => this.rng.normal() * scale));
  }
  conv(x: string, name: string, cin: number, cout: number, k: number, opts: { pads?: number[]; strides?: number[]; group?: number; bias?: boolean } = {}): string {
    const group = opts.group ?? 1;
    const w = this.b.initializer(`${name}.weight`, this.values([cout, cin / group, k, k], Math.sqrt(2 / ((cin / group) * k * k))));
    const inputs = [x, w];
    if (opts.bias !== false) inputs.push(this.b.initializer(`${name}.bias`, this.values([cout], 0.1)));
    const a: Record<string, ReturnType<typeof attr.int>> = { kernel_shape: attr.ints([k, k]) };
    if (opts.pads) a.pads = attr.ints(opts.pads);
    if (opts.strides) a.strides = attr.ints(opts.strides);
    if (group !== 1) a.group = attr.int(group);
    return this.b.op('Conv', inputs, a, name);
  }
  gemm(x: string, name: string, k: number, n: number, transB = true): string {
    const w = this.b.initializer(`${name}.weight`, this.values(transB ? [n, k] : [k, n], Math.sqrt(2 / k)));
    const bias = this.b.initializer(`${name}.bias`, this.values([n], 0.1));
    return this.b.op('Gemm', [x, w, bias], transB ? { transB: attr.int(1) } : {}, name);
  }
  bn(x: string, name: string, c: number): string {
    const r = this.rng;
    const t = (f: () => number) => Tensor.fromNumbers('float32', [c], Array.from({ length: c }, f));
    return this.b.op(
      'BatchNormalization',
      [
        x,
        this.b.initializer(`${name}.scale`, t(() => r.uniform(0.5, 1.5))),
        this.b.initializer(`${name}.bias`, t(() => r.uniform(-0.2, 0.2))),
        this.b.initializer(`${name}.mean`, t(() => r.uniform(-0.2, 0.2))),
        this.b.initializer(`${name}.var`, t(() => r.uniform(0.5, 2))),
      ],
      { epsilon: attr.float(1e-5) },
      name,
    );
  }
  scalar(name: string, v: number): string {
    return this.b.initializer(name, Tensor.scalar('float32', v));
  }
  ints(name: string, v: number[]): string {
    return this.b.initializer(name, Tensor.fromNumbers('int64', [v.length], v));
  }
}

/** The lead's target: 8x8 digits, two 3x3 convolutions, a pool and a dense layer. */
export function digitsCnn(seed = 11): Graph {
  const k = new ModelKit('digits_cnn', seed);
  let x = k.b.input('input', 'float32', [1, 1, 8, 8]);
  x = k.b.op('Relu', [k.conv(x, 'conv1', 1, 8, 3, { pads: [1, 1, 1, 1] })]);
  x = k.b.op('Relu', [k.conv(x, 'conv2', 8, 16, 3, { pads: [1, 1, 1, 1] })]);
  x = k.b.op('MaxPool', [x], { kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]) }, 'pool');
  x = k.b.op('Flatten', [x], { axis: attr.int(1) }, 'flatten');
  k.b.output(k.gemm(x, 'fc', 256, 10));
  return k.b.build();
}

/** BatchNorm, a residual Add and a Concat of two branches. */
export function concatResidualCnn(seed = 12): Graph {
  const k = new ModelKit('concat_residual_cnn', seed);
  let x = k.b.input('input', 'float32', [1, 3, 8, 8]);
  x = k.b.op('Relu', [k.bn(k.conv(x, 'stem', 3, 8, 3, { pads: [1, 1, 1, 1], bias: false }), 'stem_bn', 8)]);
  const skip = x;
  let y = k.b.op('Relu', [k.bn(k.conv(x, 'res1', 8, 8, 3, { pads: [1, 1, 1, 1] }), 'res1_bn', 8)]);
  y = k.bn(k.conv(y, 'res2', 8, 8, 3, { pads: [1, 1, 1, 1] }), 'res2_bn', 8);
  x = k.b.op('Relu', [k.b.op('Add', [y, skip], {}, 'residual')]);
  const a = k.conv(x, 'branch_a', 8, 4, 1);
  const b = k.b.op('LeakyRelu', [k.conv(x, 'branch_b', 8, 6, 3, { pads: [1, 1, 1, 1] })], { alpha: attr.float(0.1) }, 'branch_b_act');
  x = k.b.op('Concat', [a, b], { axis: attr.int(1) }, 'concat');
  x = k.b.op('MaxPool', [x], { kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]) }, 'pool');
  x = k.b.op('Flatten', [x], { axis: attr.int(1) }, 'flatten');
  x = k.b.op('Tanh', [k.gemm(x, 'fc1', 160, 16)], {}, 'fc1_tanh');
  k.b.output(k.b.op('Softmax', [k.gemm(x, 'fc2', 16, 5, false)], { axis: attr.int(-1) }, 'probabilities'));
  return k.b.build();
}

/** Depthwise (multiplier 2, stride 2), ReLU6 as Clip, asymmetric pads, average pool with pads, global pool. */
export function depthwiseCnn(seed = 13): Graph {
  const k = new ModelKit('depthwise_cnn', seed);
  let x = k.b.input('input', 'float32', [1, 4, 9, 9]);
  x = k.conv(x, 'dw', 4, 8, 3, { group: 4, strides: [2, 2], pads: [1, 1, 1, 1] });
  x = k.b.op('Clip', [x, k.scalar('zero', 0), k.scalar('six', 6)], {}, 'relu6');
  x = k.conv(x, 'pw', 8, 6, 1);
  x = k.b.op('Sigmoid', [x], {}, 'sigmoid');
  x = k.conv(x, 'asym', 6, 6, 3, { pads: [0, 1, 2, 1] });
  x = k.b.op('AveragePool', [x], { kernel_shape: attr.ints([3, 3]), pads: attr.ints([1, 1, 1, 1]), count_include_pad: attr.int(1) }, 'avg');
  x = k.conv(x, 'dw2', 6, 6, 3, { group: 6, pads: [1, 1, 1, 1] });
  x = k.b.op('GlobalAveragePool', [x], {}, 'gap');
  x = k.b.op('Flatten', [x], { axis: attr.int(1) }, 'flatten');
  k.b.output(k.gemm(x, 'fc', 6, 3));
  return k.b.build();
}

/** Channels-last input transposed inside, a Transpose back before Flatten, MatMul + Add as TF exports Dense. */
export function nhwcMatMulModel(seed = 14): Graph {
  const k = new ModelKit('nhwc_matmul', seed);
  let x = k.b.input('input', 'float32', [1, 6, 6, 2]);
  x = k.b.op('Transpose', [x], { perm: attr.ints([0, 3, 1, 2]) }, 'to_nchw');
  x = k.b.op('Relu', [k.conv(x, 'conv', 2, 4, 3, { pads: [1, 1, 1, 1], strides: [2, 2] })]);
  x = k.b.op('Transpose', [x], { perm: attr.ints([0, 2, 3, 1]) }, 'to_nhwc');
  x = k.b.op('Reshape', [x, k.ints('flat_shape', [1, 36])], {}, 'flatten');
  const w = k.b.initializer('dense.weight', k.values([36, 7], 0.3));
  const bias = k.b.initializer('dense.bias', k.values([7], 0.1));
  x = k.b.op('Add', [k.b.op('MatMul', [x, w], {}, 'dense'), bias], {}, 'dense_bias');
  k.b.output(k.b.op('Softmax', [x], { axis: attr.int(1) }, 'softmax'));
  return k.b.build();
}

/** Seeded inputs for a graph's single input: `count` samples, row-major. */
export function randomInputs(g: Graph, count: number, seed = 5): Float32Array {
  const rng = new Random(seed);
  const size = shapeSize((g.inputs[0].shape as number[]).slice(1));
  return Float32Array.from({ length: count * size }, () => rng.uniform(-1, 1.5));
}

/** The interpreter's outputs for each sample, concatenated. */
export function interpret(g: Graph, features: Float32Array): Float32Array {
  const shape = g.inputs[0].shape as number[];
  const size = shapeSize(shape.slice(1));
  const count = features.length / size;
  const outs: number[] = [];
  for (let i = 0; i < count; i++) {
    const x = new Tensor('float32', [1, ...shape.slice(1)], features.slice(i * size, (i + 1) * size));
    const y = runGraph(g, { [g.inputs[0].name]: x }).get(g.outputs[0].name)!;
    outs.push(...(y.data as Float32Array));
  }
  return Float32Array.from(outs);
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
