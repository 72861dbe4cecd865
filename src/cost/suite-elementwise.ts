// Calibration cases of the kernels without weights: pools, unary and binary elementwise ops, per-channel affine,
// softmax, reductions, transposes, pads, concats and views (src/cost/suite.ts puts them in the suite).

import { attr, GraphBuilder } from '../ir/builder.js';
import { Tensor } from '../ir/tensor.js';
import { Random } from '../util/random.js';
import { rng, tensor, uniform, type SuiteCase } from './suite-common.js';

export function poolCases(): SuiteCase[] {
  const out: SuiteCase[] = [];
  const specs: [string, number[], number[], number[], number[], number[]?, number?][] = [
    // name, input shape, kernel, strides, pads, dilations, count_include_pad
    ['k2s2x28', [1, 8, 28, 28], [2, 2], [2, 2], [0, 0, 0, 0]],
    ['k3s3x14', [1, 16, 14, 14], [3, 3], [3, 3], [0, 0, 0, 0]],
    ['k2s2x8', [1, 16, 8, 8], [2, 2], [2, 2], [0, 0, 0, 0]],
    ['k3s2p1x16', [1, 8, 16, 16], [3, 3], [2, 2], [1, 1, 1, 1]],
    ['k3s1p1x12', [1, 4, 12, 12], [3, 3], [1, 1], [1, 1, 1, 1]],
    ['k2s1x10', [1, 6, 10, 10], [2, 2], [1, 1], [0, 0, 0, 0]],
    ['k5s1p2x10', [1, 3, 10, 10], [5, 5], [1, 1], [2, 2, 2, 2]],
    ['k1x4s2x1x64', [1, 4, 1, 64], [1, 4], [1, 2], [0, 0, 0, 0]],
    ['k9s1x12', [1, 2, 12, 12], [9, 9], [1, 1], [0, 0, 0, 0]],
    ['k3s2d2x15', [1, 4, 15, 15], [3, 3], [2, 2], [0, 0, 0, 0], [2, 2]],
  ];
  for (const kind of ['MaxPool', 'AveragePool'] as const) {
    for (const [name, shape, k, s, pads, dil] of specs) {
      if (kind === 'AveragePool' && dil) continue;
      const b = new GraphBuilder('pool');
      const x = b.input('x', 'float32', shape);
      const attrs: Record<string, ReturnType<typeof attr.ints>> = { kernel_shape: attr.ints(k), strides: attr.ints(s), pads: attr.ints(pads) };
      if (dil) attrs.dilations = attr.ints(dil);
      b.output(b.op(kind, [x], attrs));
      out.push({ name: `${kind === 'MaxPool' ? 'maxpool' : 'avgpool'}.${name}`, graph: b.build() });
    }
  }
  const b = new GraphBuilder('pool');
  const x = b.input('x', 'float32', [1, 4, 12, 12]);
  b.output(b.op('AveragePool', [x], { kernel_shape: attr.ints([3, 3]), strides: attr.ints([1, 1]), pads: attr.ints([1, 1, 1, 1]), count_include_pad: attr.int(1) }));
  out.push({ name: 'avgpool.k3s1p1x12cip', graph: b.build() });
  for (const kind of ['GlobalMaxPool', 'GlobalAveragePool']) {
    for (const [C, H, W] of [[8, 8, 8], [16, 4, 4], [4, 16, 16], [32, 2, 2], [16, 3, 3], [8, 4, 8], [3, 32, 32], [16, 2, 4]]) {
      const g = new GraphBuilder('gpool');
      const x = g.input('x', 'float32', [1, C, H, W]);
      g.output(g.op(kind, [x]));
      out.push({ name: `${kind === 'GlobalMaxPool' ? 'gmaxpool' : 'gavgpool'}.${C}x${H}x${W}`, graph: g.build() });
    }
  }
  return out;
}

/** Inputs a unary op sees in a network: standard normal (positive for LOG and SQRT). */
function unaryInputs(r: Random, op: string, shape: number[]): Tensor[][] {
  const positive = op === 'Log' || op === 'Sqrt';
  return [[tensor(r, shape, () => (positive ? Math.abs(r.normal()) + 0.05 : r.normal()))]];
}

export function unaryCases(): SuiteCase[] {
  const r = rng();
  const ops: [string, Record<string, ReturnType<typeof attr.float>>?][] = [
    ['Relu'], ['LeakyRelu', { alpha: attr.float(0.1) }], ['Sigmoid'], ['HardSigmoid', { alpha: attr.float(0.2), beta: attr.float(0.5) }], ['HardSwish'],
    ['Tanh'], ['Exp'], ['Log'], ['Sqrt'], ['Neg'], ['Abs'], ['Erf'], ['Clip'],
  ];
  const out: SuiteCase[] = [];
  for (const [op, attrs] of ops) {
    for (const n of [64, 512, 2048]) {
      const b = new GraphBuilder('unary');
      const x = b.input('x', 'float32', [1, n]);
      const ins = op === 'Clip' ? [x, b.initializer('lo', Tensor.fromNumbers('float32', [], [-1])), b.initializer('hi', Tensor.fromNumbers('float32', [], [1]))] : [x];
      b.output(b.op(op, ins, attrs ?? {}));
      out.push({ name: `unary.${op}.${n}`, graph: b.build(), inputs: unaryInputs(r, op, [1, n]) });
    }
  }
  return out;
}

export function binaryCases(): SuiteCase[] {
  const r = rng();
  const ops = ['Add', 'Sub', 'Mul', 'Div', 'Max', 'Min', 'Pow', 'PRelu'];
  // [name, a shape, b shape, b constant]
  const shapes: [string, number[], number[], boolean][] = [
    ['same256', [1, 256], [1, 256], false],
    ['same2048', [1, 8, 16, 16], [1, 8, 16, 16], false],
    ['perchannel', [1, 8, 8, 8], [8, 1, 1], true],
    ['scalar', [1, 1024], [], true],
    ['rank4', [2, 4, 8, 8], [1, 4, 1, 8], true],
  ];
  const out: SuiteCase[] = [];
  for (const op of ops) {
    for (const [name, as, bs, constant] of shapes) {
      if (op === 'PRelu' && name === 'scalar') continue;
      const b = new GraphBuilder('binary');
      const a = b.input('a', 'float32', as);
      const positive = (shape: number[]) => tensor(r, shape, () => r.uniform(0.5, 1.5));
      const other = constant ? b.initializer('c', op === 'Pow' ? tensor(r, bs, () => r.uniform(0.3, 2.7)) : op === 'Div' ? positive(bs) : uniform(r, bs)) : b.input('b', 'float32', bs);
      b.output(b.op(op, [a, other]));
      const inputs = [[op === 'Pow' ? positive(as) : uniform(r, as, 1)]];
      if (!constant) inputs[0].push(op === 'Pow' ? tensor(r, bs, () => r.uniform(0.3, 2.7)) : op === 'Div' ? positive(bs) : uniform(r, bs, 1));
      out.push({ name: `binary.${op}.${name}`, graph: b.build(), inputs });
    }
  }
  return out;
}

export function affineCases(): SuiteCase[] {
  const r = rng();
  return [[1, 8, 8, 8], [1, 64], [1, 16, 4, 4], [1, 3, 24, 24], [1, 32, 16]].map((shape) => {
    const b = new GraphBuilder('bn');
    const x = b.input('x', 'float32', shape);
    const C = shape[1];
    const t = (name: string, f: () => number) => b.initializer(name, tensor(r, [C], f));
    b.output(b.op('BatchNormalization', [x, t('s', () => r.uniform(0.5, 1.5)), t('b', () => r.uniform(-0.1, 0.1)), t('m', () => r.uniform(-0.1, 0.1)), t('v', () => r.uniform(0.5, 2))], { epsilon: attr.float(1e-5) }));
    return { name: `affine.${shape.join('x')}`, graph: b.build() };
  });
}

export function softmaxCases(): SuiteCase[] {
  const out: SuiteCase[] = [];
  const specs: [number[], number][] = [[[1, 10], -1], [[1, 100], -1], [[4, 32], -1], [[1, 8, 16], 1], [[1, 3], -1]];
  for (const op of ['Softmax', 'LogSoftmax']) {
    for (const [shape, axis] of specs) {
      const b = new GraphBuilder('softmax');
      const x = b.input('x', 'float32', shape);
      b.output(b.op(op, [x], { axis: attr.int(axis) }));
      out.push({ name: `${op.toLowerCase()}.${shape.join('x')}a${axis}`, graph: b.build() });
    }
  }
  return out;
}

export function reduceCases(): SuiteCase[] {
  const out: SuiteCase[] = [];
  const specs: [number[], number[]][] = [[[1, 8, 64], [2]], [[1, 32, 16], [1]], [[4, 8, 8], [1, 2]], [[1, 256], [1]]];
  for (const op of ['ReduceSum', 'ReduceMean', 'ReduceMax', 'ReduceMin']) {
    for (const [shape, axes] of specs) {
      const b = new GraphBuilder('reduce');
      const x = b.input('x', 'float32', shape);
      b.output(b.op(op, [x, b.initializer('axes', Tensor.fromNumbers('int64', [axes.length], axes))], { keepdims: attr.int(1) }));
      out.push({ name: `reduce.${op}.${shape.join('x')}a${axes.join('')}`, graph: b.build() });
    }
  }
  return out;
}

export function transposeCases(): SuiteCase[] {
  const specs: [number[], number[]][] = [
    [[1, 8, 8, 8], [0, 2, 3, 1]],
    [[1, 16, 32], [0, 2, 1]],
    [[4, 8, 16], [1, 0, 2]],
    [[2, 3, 4, 5], [3, 2, 1, 0]],
    [[1, 64, 4], [0, 2, 1]],
  ];
  return specs.map(([shape, perm]) => {
    const b = new GraphBuilder('transpose');
    const x = b.input('x', 'float32', shape);
    b.output(b.op('Transpose', [x], { perm: attr.ints(perm) }));
    return { name: `transpose.${shape.join('x')}p${perm.join('')}`, graph: b.build() };
  });
}

export function padCases(): SuiteCase[] {
  const out: SuiteCase[] = [];
  const specs: [string, number[], number[]][] = [
    ['hw', [1, 4, 8, 8], [0, 0, 1, 2, 0, 0, 1, 2]],
    ['last', [1, 32], [0, 3, 0, 1]],
    ['big', [1, 2, 16, 16], [0, 0, 2, 2, 0, 0, 2, 2]],
  ];
  for (const mode of ['constant', 'edge', 'reflect', 'wrap']) {
    for (const [name, shape, pads] of specs) {
      const b = new GraphBuilder('pad');
      const x = b.input('x', 'float32', shape);
      b.output(b.op('Pad', [x, b.initializer('pads', Tensor.fromNumbers('int64', [pads.length], pads))], { mode: attr.string(mode) }));
      out.push({ name: `pad.${mode}.${name}`, graph: b.build() });
    }
  }
  const b = new GraphBuilder('pad');
  const x = b.input('x', 'float32', [1, 4, 6, 6]);
  b.output(b.op('Pad', [x, b.initializer('pads', Tensor.fromNumbers('int64', [8], [0, 2, 1, 1, 0, 2, 1, 1]))], { mode: attr.string('constant') }));
  out.push({ name: 'pad.constant.channels', graph: b.build() });
  return out;
}

export function concatCases(): SuiteCase[] {
  const specs: [number[][], number][] = [
    [[[1, 8, 8, 8], [1, 4, 8, 8]], 1],
    [[[4, 8], [4, 16]], 1],
    [[[1, 2, 16, 16], [1, 2, 16, 16], [1, 2, 16, 16]], 1],
    [[[8, 4, 3], [8, 4, 5]], 2],
  ];
  return specs.map(([shapes, axis], i) => {
    const b = new GraphBuilder('concat');
    const xs = shapes.map((s, k) => b.input(`x${k}`, 'float32', s));
    b.output(b.op('Concat', xs, { axis: attr.int(axis) }));
    return { name: `concat.${i}`, graph: b.build() };
  });
}

/** Models with no kernel call: the fixed cost and flash of a model library (one and two inputs/outputs). */
export function viewCases(): SuiteCase[] {
  const one = new GraphBuilder('view1');
  const x = one.input('x', 'float32', [1, 16]);
  one.output(one.op('Reshape', [x, one.initializer('s', Tensor.fromNumbers('int64', [2], [4, 4]))]));
  const two = new GraphBuilder('view2');
  const a = two.input('a', 'float32', [1, 16]);
  const c = two.input('b', 'float32', [1, 8]);
  two.output(two.op('Reshape', [a, two.initializer('s', Tensor.fromNumbers('int64', [2], [4, 4]))]));
  two.output(two.op('Reshape', [c, two.initializer('t', Tensor.fromNumbers('int64', [2], [2, 4]))]));
  return [{ name: 'view.1', graph: one.build() }, { name: 'view.2', graph: two.build() }];
}
