// Small float models and seeded calibration inputs for the quantizer tests.
import { attr, GraphBuilder } from '../../src/ir/builder.js';
import type { Graph } from '../../src/ir/graph.js';
import { runGraph } from '../../src/ir/interpreter.js';
import { shapeSize, Tensor } from '../../src/ir/tensor.js';
import { Random } from '../../src/util/random.js';

export function randomTensor(rng: Random, shape: number[], lo = -1, hi = 1): Tensor {
  return Tensor.fromNumbers('float32', shape, Array.from({ length: shapeSize(shape) }, () => rng.uniform(lo, hi)));
}

/** `count` seeded feeds for every graph input, uniform in [lo, hi]. */
export function feeds(g: Graph, count: number, seed = 1, lo = -1, hi = 1): Record<string, Tensor>[] {
  const rng = new Random(seed);
  return Array.from({ length: count }, () => Object.fromEntries(g.inputs.map((v) => [v.name, randomTensor(rng, v.shape as number[], lo, hi)])));
}

/** The first output of a run. */
export function run(g: Graph, feed: Record<string, Tensor>): Float32Array {
  return runGraph(g, feed).get(g.outputs[0].name)!.data as Float32Array;
}

/** A model builder with seeded weights. */
export class ModelBuilder {
  readonly b: GraphBuilder;
  readonly rng: Random;
  private n = 0;
  constructor(name: string, seed = 7) {
    this.b = new GraphBuilder(name);
    this.rng = new Random(seed);
  }
  weight(shape: number[], scale = 0.5): string {
    return this.b.initializer(`w${this.n++}`, randomTensor(this.rng, shape, -scale, scale));
  }
  conv(x: string, cin: number, cout: number, name: string, pad = 1, extra: Record<string, ReturnType<typeof attr.int>> = {}): string {
    return this.b.op('Conv', [x, this.weight([cout, cin, 3, 3]), this.weight([cout], 0.1)], { kernel_shape: attr.ints([3, 3]), pads: attr.ints([pad, pad, pad, pad]), ...extra }, name);
  }
  dense(x: string, k: number, m: number, name: string): string {
    return this.b.op('Gemm', [x, this.weight([m, k]), this.weight([m], 0.1)], { transB: attr.int(1) }, name);
  }
  batchNorm(x: string, channels: number, name: string, stats?: { mean: number[]; variance: number[] }): string {
    const t = (v: number[]) => this.b.initializer(`${name}.${this.n++}`, Tensor.fromNumbers('float32', [channels], v));
    const fill = (f: () => number) => Array.from({ length: channels }, f);
    const mean = stats?.mean ?? fill(() => this.rng.uniform(-0.2, 0.2));
    const variance = stats?.variance ?? fill(() => this.rng.uniform(0.5, 2));
    const scale = stats ? fill(() => 1) : fill(() => this.rng.uniform(0.5, 1.5));
    const bias = stats ? fill(() => 0) : fill(() => this.rng.uniform(-0.1, 0.1));
    return this.b.op('BatchNormalization', [x, t(scale), t(bias), t(mean), t(variance)], { epsilon: attr.float(1e-5) }, name);
  }
}

/** input 1x1x6x6 → Conv 3x3 (2) + Relu → MaxPool 2 → Flatten → Gemm 18→3 → Softmax. */
export function smallCnn(): Graph {
  const m = new ModelBuilder('small_cnn');
  let x = m.b.input('input', 'float32', [1, 1, 6, 6]);
  x = m.b.op('Relu', [m.conv(x, 1, 2, 'conv')], {}, 'relu');
  x = m.b.op('MaxPool', [x], { kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]) }, 'pool');
  x = m.b.op('Flatten', [x], { axis: attr.int(1) }, 'flatten');
  m.b.output(m.b.op('Softmax', [m.dense(x, 18, 3, 'fc')], { axis: attr.int(-1) }, 'probabilities'));
  return m.b.build();
}

/** A residual block: Conv+Relu → Conv, Add with the skip, Relu, AveragePool (padded, count_include_pad), GlobalAveragePool, Flatten, Gemm. */
export function residualModel(): Graph {
  const m = new ModelBuilder('residual');
  let x = m.b.input('input', 'float32', [1, 2, 6, 6]);
  const skip = m.b.op('Relu', [m.conv(x, 2, 4, 'conv1')], {}, 'relu1');
  const c2 = m.conv(skip, 4, 4, 'conv2');
  x = m.b.op('Relu', [m.b.op('Add', [c2, skip], {}, 'add')], {}, 'relu2');
  x = m.b.op('AveragePool', [x], { kernel_shape: attr.ints([3, 3]), strides: attr.ints([2, 2]), pads: attr.ints([1, 1, 1, 1]), count_include_pad: attr.int(1) }, 'avg');
  x = m.b.op('GlobalAveragePool', [x], {}, 'gap');
  x = m.b.op('Flatten', [x], {}, 'flatten');
  m.b.output(m.dense(x, 4, 3, 'fc'));
  return m.b.build();
}
