// Test models and helpers for structural pruning: Concat, depthwise, residual+Concat CNNs; dead channels; random inputs.
import { attr, GraphBuilder } from '../../../src/ir/builder.js';
import { cloneGraph, type Graph } from '../../../src/ir/graph.js';
import { runGraph } from '../../../src/ir/interpreter.js';
import { shapeSize, Tensor } from '../../../src/ir/tensor.js';
import { spanPositions, type PruneGroup } from '../../../src/prune/structure/index.js';
import { Random } from '../../../src/util/random.js';

function randomTensor(rng: Random, shape: number[], scale: number, offset = 0): Tensor {
  return Tensor.fromNumbers('float32', shape, Array.from({ length: shapeSize(shape) }, () => offset + scale * rng.normal()));
}

class Net {
  readonly rng: Random;
  constructor(readonly b: GraphBuilder, seed: number) {
    this.rng = new Random(seed);
  }

  conv(x: string, name: string, cin: number, cout: number, k: number, options: { group?: number; bias?: boolean } = {}): string {
    const group = options.group ?? 1;
    const w = this.b.initializer(`${name}.weight`, randomTensor(this.rng, [cout, cin / group, k, k], Math.sqrt(2 / ((cin / group) * k * k))));
    const inputs = [x, w];
    if (options.bias !== false) inputs.push(this.b.initializer(`${name}.bias`, randomTensor(this.rng, [cout], 0.1)));
    const pad = (k - 1) / 2;
    return this.b.op('Conv', inputs, { kernel_shape: attr.ints([k, k]), pads: attr.ints([pad, pad, pad, pad]), group: attr.int(group) }, name);
  }

  bn(x: string, name: string, c: number): string {
    const t = (lo: number, hi: number) => Tensor.fromNumbers('float32', [c], Array.from({ length: c }, () => this.rng.uniform(lo, hi)));
    const ins = [x, this.b.initializer(`${name}.scale`, t(0.5, 1.5)), this.b.initializer(`${name}.bias`, t(-0.1, 0.1)),
      this.b.initializer(`${name}.mean`, t(-0.1, 0.1)), this.b.initializer(`${name}.var`, t(0.5, 2))];
    return this.b.op('BatchNormalization', ins, { epsilon: attr.float(1e-5) }, name);
  }

  dense(x: string, name: string, k: number, n: number, transB = true): string {
    const w = this.b.initializer(`${name}.weight`, randomTensor(this.rng, transB ? [n, k] : [k, n], Math.sqrt(2 / k)));
    const bias = this.b.initializer(`${name}.bias`, randomTensor(this.rng, [n], 0.1));
    return this.b.op('Gemm', [x, w, bias], { transB: attr.int(transB ? 1 : 0) }, name);
  }

  relu(x: string): string {
    return this.b.op('Relu', [x]);
  }
}

/** Two branches joined by Concat, then a Conv over both, pooling, Flatten and a dense head. */
export function concatCnn(seed = 11): Graph {
  const b = new GraphBuilder('concat_cnn');
  const n = new Net(b, seed);
  const x = b.input('input', 'float32', [1, 3, 12, 12]);
  const a = n.relu(n.conv(x, 'convA', 3, 6, 3));
  const c = n.relu(n.conv(x, 'convB', 3, 4, 3));
  const cat = b.op('Concat', [a, c], { axis: attr.int(1) }, 'concat');
  let y = n.relu(n.conv(cat, 'convC', 10, 8, 3));
  y = b.op('MaxPool', [y], { kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]) }, 'pool');
  y = b.op('Flatten', [y], { axis: attr.int(1) }, 'flatten');
  b.output(n.dense(y, 'fc', 8 * 6 * 6, 10));
  return b.build();
}

/** Conv + BN, a depthwise Conv with channel multiplier 2, a pointwise Conv, global pooling, dense head. */
export function depthwiseCnn(seed = 12): Graph {
  const b = new GraphBuilder('depthwise_cnn');
  const n = new Net(b, seed);
  const x = b.input('input', 'float32', [1, 3, 10, 10]);
  let y = n.relu(n.bn(n.conv(x, 'conv1', 3, 6, 3), 'bn1', 6));
  y = n.relu(n.conv(y, 'dw', 6, 12, 3, { group: 6 }));
  y = n.relu(n.conv(y, 'pw', 12, 8, 1));
  y = b.op('GlobalAveragePool', [y], {}, 'gap');
  y = b.op('Flatten', [y], { axis: attr.int(1) }, 'flatten');
  b.output(n.dense(y, 'fc', 8, 10));
  return b.build();
}

/**
 * BN + residual Add + Concat + depthwise Conv (multiplier 1) + a flattening Reshape + Gemm with
 * transB = 0: groups {stem, conv2} (residual), {conv3}, {pw}.
 */
export function residualConcatCnn(seed = 13): Graph {
  const b = new GraphBuilder('residual_concat_cnn');
  const n = new Net(b, seed);
  const x = b.input('input', 'float32', [1, 2, 10, 10]);
  const s = n.relu(n.bn(n.conv(x, 'stem', 2, 8, 3), 'bn1', 8));
  const r = n.relu(b.op('Add', [n.bn(n.conv(s, 'conv2', 8, 8, 3), 'bn2', 8), s], {}, 'residual'));
  const c3 = n.relu(n.conv(r, 'conv3', 8, 4, 3));
  const cat = b.op('Concat', [r, c3], { axis: attr.int(1) }, 'concat');
  let y = n.relu(n.conv(cat, 'dw', 12, 12, 3, { group: 12 }));
  y = n.relu(n.conv(y, 'pw', 12, 6, 1));
  y = b.op('MaxPool', [y], { kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]) }, 'pool');
  const shape = b.initializer('flat_shape', Tensor.fromNumbers('int64', [2], [1, -1]));
  y = b.op('Reshape', [y, shape], {}, 'flatten');
  b.output(n.dense(y, 'fc', 6 * 5 * 5, 10, false));
  return b.build();
}

/**
 * Keras-style channels-last head: Conv, MaxPool, Transpose to NHWC, a per-channel bias Add on the
 * last axis, ReLU, Reshape to [1, H·W·C] (channel c owns features c, c + C, ...) and MatMul + Add.
 */
export function nhwcFlattenCnn(seed = 14): Graph {
  const b = new GraphBuilder('nhwc_flatten_cnn');
  const n = new Net(b, seed);
  const x = b.input('input', 'float32', [1, 3, 8, 8]);
  let y = n.relu(n.conv(x, 'conv1', 3, 5, 3));
  y = n.conv(y, 'conv2', 5, 6, 3, { bias: false });
  y = b.op('MaxPool', [y], { kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]) }, 'pool');
  y = b.op('Transpose', [y], { perm: attr.ints([0, 2, 3, 1]) }, 'to_nhwc');
  y = n.relu(b.op('Add', [y, b.initializer('conv2.bias_nhwc', randomTensor(n.rng, [6], 0.1))], {}, 'bias_add'));
  y = b.op('Reshape', [y, b.initializer('flat_shape', Tensor.fromNumbers('int64', [2], [1, -1]))], {}, 'flatten');
  const w = b.initializer('fc.weight', randomTensor(n.rng, [96, 10], 0.15));
  const bias = b.initializer('fc.bias', randomTensor(n.rng, [10], 0.1));
  b.output(b.op('Add', [b.op('MatMul', [y, w], {}, 'fc'), bias], {}, 'fc_bias'));
  return b.build();
}

/**
 * A copy of g in which the given channels of a group are dead: their producing filters and biases
 * (and the BatchNorm scale and shift and Add constants they pass through) are zero, so that after the ReLU they are 0.
 */
export function killChannels(g: Graph, grp: PruneGroup, channels: readonly number[]): Graph {
  const out = cloneGraph(g);
  // Per-channel shifts a dead channel passes through: BatchNorm scale and bias, Add/Sub constants.
  const shifts = new Set(g.nodes.flatMap((nd) => {
    if (nd.opType === 'BatchNormalization') return [nd.inputs[1], nd.inputs[2]];
    return nd.opType === 'Add' || nd.opType === 'Sub' ? nd.inputs.filter((i) => g.initializers.has(i)) : [];
  }));
  for (const t of grp.params) {
    if (t.side !== 'out' && !(t.side === 'channelwise' && shifts.has(t.tensor))) continue;
    const w = out.initializers.get(t.tensor)!.clone();
    const outer = shapeSize(w.shape.slice(0, t.axis));
    const len = w.shape[t.axis];
    const inner = shapeSize(w.shape.slice(t.axis + 1));
    for (const c of channels) {
      for (let o = 0; o < outer; o++) {
        for (const p of spanPositions(t, c)) {
          (w.data as Float32Array).fill(0, (o * len + p) * inner, (o * len + p + 1) * inner);
        }
      }
    }
    out.initializers.set(t.tensor, w);
  }
  return out;
}

export function randomFeeds(g: Graph, seed: number): Record<string, Tensor> {
  const rng = new Random(seed);
  return Object.fromEntries(g.inputs.map((i) => [i.name, randomTensor(rng, i.shape as number[], 1)]));
}

export function outputsOf(g: Graph, feeds: Record<string, Tensor>): Tensor[] {
  const r = runGraph(g, feeds);
  return g.outputs.map((o) => r.get(o.name)!);
}

/** Every k-th channel of a group, never all of them (at least one stays). */
export function someChannels(size: number, k = 3, start = 1): number[] {
  const picked = Array.from({ length: size }, (_, i) => i).filter((i) => (i + start) % k === 0);
  return picked.length >= size ? picked.slice(1) : picked;
}
