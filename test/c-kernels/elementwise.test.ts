// C elementwise kernels (unary, broadcasting binary, channel affine), softmax and reductions against the interpreter.
import { Abs } from '../../src/ops/abs.js';
import { Add } from '../../src/ops/add.js';
import { Clip } from '../../src/ops/clip.js';
import { Div } from '../../src/ops/div.js';
import { Erf } from '../../src/ops/erf.js';
import { Exp } from '../../src/ops/exp.js';
import { HardSigmoid } from '../../src/ops/hard-sigmoid.js';
import { HardSwish } from '../../src/ops/hard-swish.js';
import { LeakyRelu } from '../../src/ops/leaky-relu.js';
import { LogSoftmax } from '../../src/ops/log-softmax.js';
import { Log } from '../../src/ops/log.js';
import { Max } from '../../src/ops/max.js';
import { Min } from '../../src/ops/min.js';
import { Mul } from '../../src/ops/mul.js';
import { Neg } from '../../src/ops/neg.js';
import type { OpDef } from '../../src/ops/op-def.js';
import { Pow } from '../../src/ops/pow.js';
import { PRelu } from '../../src/ops/prelu.js';
import { ReduceMax } from '../../src/ops/reduce-max.js';
import { ReduceMean } from '../../src/ops/reduce-mean.js';
import { ReduceMin } from '../../src/ops/reduce-min.js';
import { ReduceSum } from '../../src/ops/reduce-sum.js';
import { Relu } from '../../src/ops/relu.js';
import { Sigmoid } from '../../src/ops/sigmoid.js';
import { Softmax } from '../../src/ops/softmax.js';
import { Sqrt } from '../../src/ops/sqrt.js';
import { Sub } from '../../src/ops/sub.js';
import { Tanh } from '../../src/ops/tanh.js';
import type { AttrValue } from '../../src/ir/graph.js';
import { stridesOf } from '../../src/ir/tensor.js';
import {
  attr, evalOp, f32, float, inp, ints, type KernelCase, kernelSuite, op as opCode, OUT, Random, Tensor, type Tolerance, uniform,
} from './harness.js';

// The enum constants of templates/c/lib/ep_elementwise.h and ep_reduce.h, by name.
const UNARY = Object.fromEntries(
  ['RELU', 'LEAKY_RELU', 'CLIP', 'SIGMOID', 'HARD_SIGMOID', 'HARD_SWISH', 'TANH', 'EXP', 'LOG', 'SQRT', 'NEG', 'ABS', 'ERF'].map((n) => [n, `EP_UNARY_${n}`]),
) as Record<string, string>;
const BINARY = Object.fromEntries(['ADD', 'SUB', 'MUL', 'DIV', 'MAX', 'MIN', 'POW', 'PRELU'].map((n) => [n, `EP_BINARY_${n}`])) as Record<string, string>;
const REDUCE = { SUM: 'EP_REDUCE_SUM', MEAN: 'EP_REDUCE_MEAN', MAX: 'EP_REDUCE_MAX', MIN: 'EP_REDUCE_MIN' };

/** Random values with the special ones mixed in (zeros of both signs, infinities, NaN, large and tiny). */
function specialInput(rng: Random, n: number, lo: number, hi: number): Tensor {
  const specials = [0, -0, Infinity, -Infinity, NaN, 1e30, -1e30, 1e-30, 3, -3, 0.5, -0.5];
  const values = Array.from({ length: n }, (_, i) => (i < specials.length ? specials[i] : rng.uniform(lo, hi)));
  return Tensor.fromNumbers('float32', [n], values);
}

interface UnarySpec {
  name: string;
  code: string;
  op: OpDef<unknown>;
  attrs?: Record<string, AttrValue>;
  extra?: Tensor[];
  p?: [number, number];
  range?: [number, number];
  exact?: boolean;
  tol?: Tolerance;
}

const TRANSCENDENTAL: Tolerance = { abs: 1e-6, rel: 4e-7 }; // a few float32 ulps

function unaryCase(s: UnarySpec, seed: number, inPlace = false): KernelCase {
  const [lo, hi] = s.range ?? [-8, 8];
  const x = specialInput(new Random(seed), 61, lo, hi);
  const y = evalOp(s.op, [x, ...(s.extra ?? [])], s.attrs ?? {});
  const [p0, p1] = s.p ?? [0, 0];
  const n = x.size;
  return {
    name: `unary ${s.name}${inPlace ? ' in place' : ''}`,
    fn: 'ep_unary_f32',
    args: inPlace ? [opCode(s.code), OUT, OUT, n, float(p0), float(p1)] : [opCode(s.code), inp(0), OUT, n, float(p0), float(p1)],
    inputs: inPlace ? [] : [f32(x)],
    init: inPlace ? f32(x) : undefined,
    expected: f32(y),
    exact: s.exact,
    tol: s.tol,
  };
}

const fr = Math.fround;
const UNARY_SPECS: UnarySpec[] = [
  { name: 'Relu', code: UNARY.RELU, op: Relu, exact: true },
  { name: 'LeakyRelu alpha 0.1', code: UNARY.LEAKY_RELU, op: LeakyRelu, attrs: { alpha: attr.float(fr(0.1)) }, p: [fr(0.1), 0], exact: true },
  { name: 'Clip [-1, 2]', code: UNARY.CLIP, op: Clip, extra: [Tensor.scalar('float32', -1), Tensor.scalar('float32', 2)], p: [-1, 2], exact: true },
  { name: 'Sigmoid', code: UNARY.SIGMOID, op: Sigmoid, range: [-20, 20], tol: TRANSCENDENTAL },
  { name: 'HardSigmoid alpha 0.2 beta 0.5', code: UNARY.HARD_SIGMOID, op: HardSigmoid, attrs: { alpha: attr.float(fr(0.2)), beta: attr.float(0.5) }, p: [fr(0.2), 0.5], exact: true },
  { name: 'HardSwish', code: UNARY.HARD_SWISH, op: HardSwish, exact: true },
  { name: 'Tanh', code: UNARY.TANH, op: Tanh, tol: TRANSCENDENTAL },
  { name: 'Exp', code: UNARY.EXP, op: Exp, range: [-80, 80], tol: TRANSCENDENTAL },
  { name: 'Log', code: UNARY.LOG, op: Log, range: [0, 100], tol: TRANSCENDENTAL },
  { name: 'Sqrt', code: UNARY.SQRT, op: Sqrt, range: [0, 100], exact: true },
  { name: 'Neg', code: UNARY.NEG, op: Neg, exact: true },
  { name: 'Abs', code: UNARY.ABS, op: Abs, exact: true },
  { name: 'Erf', code: UNARY.ERF, op: Erf, range: [-4, 4], tol: TRANSCENDENTAL },
];

/** Strides of an input (right-aligned to the output's rank) per output axis: 0 where it broadcasts. */
function broadcastStrides(inShape: number[], outShape: number[]): number[] {
  const own = stridesOf(inShape);
  return outShape.map((_, i) => {
    const j = i - (outShape.length - inShape.length);
    return j < 0 || inShape[j] === 1 ? 0 : own[j];
  });
}

const BINARY_OPS: [string, string, OpDef<unknown>][] = [
  ['Add', BINARY.ADD, Add],
  ['Sub', BINARY.SUB, Sub],
  ['Mul', BINARY.MUL, Mul],
  ['Div', BINARY.DIV, Div],
  ['Max', BINARY.MAX, Max],
  ['Min', BINARY.MIN, Min],
  ['Pow', BINARY.POW, Pow],
  ['PRelu', BINARY.PRELU, PRelu],
];

function binaryCase(opName: string, aShape: number[], bShape: number[], seed: number, opts: { inPlace?: boolean; nan?: boolean } = {}): KernelCase {
  const [, code, op] = BINARY_OPS.find(([n]) => n === opName)!;
  const rng = new Random(seed);
  const a = uniform(rng, aShape, opName === 'Pow' ? 0.1 : -2, 2);
  const b = uniform(rng, bShape, opName === 'Pow' ? -2 : -2, 2);
  if (opts.nan) {
    (a.data as Float32Array)[1] = NaN;
    (b.data as Float32Array)[0] = NaN;
  }
  const y = evalOp(op, [a, b]);
  const out = y.shape;
  const exact = opName !== 'Pow';
  const tag = `${opName} ${aShape.join('x') || 'scalar'} with ${bShape.join('x') || 'scalar'}${opts.nan ? ' (NaN)' : ''}`;
  return {
    name: `binary ${tag}${opts.inPlace ? ' in place (y = a)' : ''}`,
    fn: 'ep_binary_f32',
    args: [opCode(code), opts.inPlace ? OUT : inp(0), inp(opts.inPlace ? 0 : 1), OUT, out.length, ints(out), ints(broadcastStrides(aShape, out)), ints(broadcastStrides(bShape, out))],
    inputs: opts.inPlace ? [f32(b)] : [f32(a), f32(b)],
    init: opts.inPlace ? f32(a) : undefined,
    expected: f32(y),
    exact,
    tol: exact ? undefined : TRANSCENDENTAL,
  };
}

function softmaxCase(shape: number[], axis: number, log: boolean, seed: number, inPlace = false): KernelCase {
  const x = uniform(new Random(seed), shape, -10, 10);
  const data = x.data as Float32Array;
  data[0] = -Infinity;
  if (data.length > 5) data[5] = 60;
  const y = evalOp(log ? LogSoftmax : Softmax, [x], { axis: attr.int(axis) });
  const a = axis < 0 ? axis + shape.length : axis;
  const outer = shape.slice(0, a).reduce((p, d) => p * d, 1);
  const inner = shape.slice(a + 1).reduce((p, d) => p * d, 1);
  return {
    name: `${log ? 'LogSoftmax' : 'Softmax'} ${shape.join('x')} axis ${axis}${inPlace ? ' in place' : ''}`,
    fn: 'ep_softmax_f32',
    args: [inPlace ? OUT : inp(0), OUT, outer, shape[a], inner, log ? 1 : 0],
    inputs: inPlace ? [] : [f32(x)],
    init: inPlace ? f32(x) : undefined,
    expected: f32(y),
    tol: TRANSCENDENTAL,
  };
}

function reduceCase(kind: keyof typeof REDUCE, shape: number[], axes: number[], seed: number, nan = false): KernelCase {
  const op = { SUM: ReduceSum, MEAN: ReduceMean, MAX: ReduceMax, MIN: ReduceMin }[kind];
  const x = uniform(new Random(seed), shape, -3, 3);
  if (nan) (x.data as Float32Array)[3] = NaN;
  const y = evalOp(op, [x, Tensor.fromNumbers('int64', [axes.length], axes)], { keepdims: attr.int(0) });
  const first = Math.min(...axes);
  const last = Math.max(...axes);
  const outer = shape.slice(0, first).reduce((p, d) => p * d, 1);
  const len = shape.slice(first, last + 1).reduce((p, d) => p * d, 1);
  const inner = shape.slice(last + 1).reduce((p, d) => p * d, 1);
  return {
    name: `Reduce${kind[0]}${kind.slice(1).toLowerCase()} ${shape.join('x')} axes ${axes.join(',')}${nan ? ' (NaN)' : ''}`,
    fn: 'ep_reduce_f32',
    args: [opCode(REDUCE[kind]), inp(0), OUT, outer, len, inner],
    inputs: [f32(x)],
    expected: f32(y),
    exact: true,
  };
}

function affineCase(C: number, plane: number, seed: number, inPlace = false): KernelCase {
  const rng = new Random(seed);
  const x = uniform(rng, [C * plane], -3, 3);
  const scale = uniform(rng, [C], -2, 2);
  const shift = uniform(rng, [C], -1, 1);
  const xs = f32(x);
  const expected = new Float32Array(C * plane);
  // Reference: x*scale + shift with one rounding (the double product of two floats is exact).
  for (let i = 0; i < expected.length; i++) {
    const c = Math.floor(i / plane);
    expected[i] = xs[i] * f32(scale)[c] + f32(shift)[c];
  }
  return {
    name: `channel affine ${C}x${plane}${inPlace ? ' in place' : ''}`,
    fn: 'ep_channel_affine_f32',
    args: inPlace ? [OUT, OUT, inp(0), inp(1), C, plane] : [inp(0), OUT, inp(1), inp(2), C, plane],
    inputs: inPlace ? [f32(scale), f32(shift)] : [xs, f32(scale), f32(shift)],
    init: inPlace ? xs : undefined,
    expected,
  };
}

/** Unary ops without an interpreter op of their own: expected values computed here (exactly). */
function plainUnaryCase(name: string, code: string, f: (v: number) => number, seed: number): KernelCase {
  const x = specialInput(new Random(seed), 40, -5, 5);
  const expected = Float32Array.from(f32(x), (v) => Math.fround(f(v)));
  return { name: `unary ${name}`, fn: 'ep_unary_f32', args: [opCode(code), inp(0), OUT, x.size, float(0), float(0)], inputs: [f32(x)], expected, exact: true };
}

const CASES: KernelCase[] = [
  ...UNARY_SPECS.map((s, i) => unaryCase(s, 100 + i)),
  plainUnaryCase('Copy (identity)', 'EP_UNARY_COPY', (v) => v, 160),
  plainUnaryCase('Reciprocal', 'EP_UNARY_RECIPROCAL', (v) => 1 / v, 161),
  unaryCase(UNARY_SPECS[0], 150, true),
  unaryCase(UNARY_SPECS[3], 151, true),
  ...BINARY_OPS.map(([name], i) => binaryCase(name, [2, 3, 4, 5], [2, 3, 4, 5], 200 + i)),
  ...BINARY_OPS.map(([name], i) => binaryCase(name, [2, 3, 4, 5], [], 210 + i)),
  ...BINARY_OPS.map(([name], i) => binaryCase(name, [1, 6, 5, 7], [6, 1, 1], 220 + i)),
  binaryCase('Add', [], [3, 4], 230),
  binaryCase('Sub', [3, 1], [1, 4], 231),
  binaryCase('Mul', [2, 1, 3, 1, 4], [1, 3, 5, 1], 232),
  binaryCase('Div', [1, 2, 1, 3, 1, 2], [2, 1, 2, 3, 2, 1], 233),
  binaryCase('Max', [4, 5], [4, 5], 234, { nan: true }),
  binaryCase('Min', [4, 5], [1], 235, { nan: true }),
  binaryCase('Add', [2, 3, 4], [2, 3, 4], 236, { inPlace: true }),
  binaryCase('Mul', [1, 4, 3, 3], [4, 1, 1], 237, { inPlace: true }),
  binaryCase('PRelu', [1, 4, 3, 3], [4, 1, 1], 238),
  affineCase(5, 17, 300),
  affineCase(3, 1, 301, true),
  softmaxCase([4, 10], -1, false, 400),
  softmaxCase([2, 5, 3], 1, false, 401),
  softmaxCase([3, 7], 0, false, 402),
  softmaxCase([2, 5, 3], 1, true, 403),
  softmaxCase([4, 10], -1, true, 404),
  softmaxCase([1, 10], 1, false, 405, true),
  softmaxCase([2, 6, 2], 1, true, 406, true),
  reduceCase('SUM', [2, 5, 3], [1], 500),
  reduceCase('MEAN', [2, 5, 3], [1], 501),
  reduceCase('MAX', [2, 5, 3], [1], 502),
  reduceCase('MIN', [2, 5, 3], [1], 503),
  reduceCase('SUM', [2, 3, 4, 5], [1, 2], 504),
  reduceCase('MEAN', [3, 8], [0, 1], 505),
  reduceCase('MAX', [6, 4], [1], 506, true),
  reduceCase('MIN', [6, 4], [0], 507, true),
];

await kernelSuite('test/c-kernels/elementwise.test.ts', 'C elementwise, softmax and reduce kernels vs the interpreter', CASES);
