// C lowerings of elementwise ops (unary, broadcasting binary), Softmax/LogSoftmax, reductions and ArgMax.

import { sameShape, shapeSize } from '../../ir/tensor.js';
import { normalizeAxes, normalizeAxis } from '../../ops/util/axes.js';
import { float, int, ints, symbol, value, weight, type CArg, type CStep } from './c-step.js';
import { unsupported, type LowerContext, type Lowering } from './lower.js';
import { broadcastStrides, collapseAxes } from './weight-transforms.js';
import { floatTailSoftmax } from './lower-float-tail.js';
import { ARGMAX_LOWERING } from './lower-argmax.js';

/** An input as a kernel argument: a constant array in flash, or a run-time value. */
function operand(ctx: LowerContext, name: string): CArg {
  const t = ctx.constant(name);
  if (t && t.dtype !== 'float32') unsupported(`constant '${name}' is ${t.dtype}, not float32`);
  return t ? weight(name, t) : value(name);
}

const runtime = (ctx: LowerContext, names: string[]) => names.filter((n) => n && !ctx.constant(n));

function unaryStep(ctx: LowerContext, op: string, p0 = 0, p1 = 0): CStep {
  const x = ctx.node.inputs[0];
  const out = ctx.output(0);
  return {
    nodes: [ctx.node.name],
    summary: ctx.node.opType,
    inputs: [x],
    outputs: [out],
    inPlace: [{ output: 0, input: 0 }],
    calls: [{ kernel: 'ep_unary_f32', args: [symbol(`EP_UNARY_${op}`), value(x), value(out), int(shapeSize(ctx.type(x).shape)), float(p0), float(p1)] }],
  };
}

function unary(op: string, params: (ctx: LowerContext) => [number, number] = () => [0, 0]): Lowering {
  return { lower: (ctx) => unaryStep(ctx, op, ...params(ctx)) };
}

/** A constant scalar bound of Clip, or the default. */
function clipBound(ctx: LowerContext, index: number, fallback: number): number {
  const name = ctx.node.inputs[index];
  if (!name) return fallback;
  const t = ctx.constant(name);
  if (!t) unsupported(`Clip bound '${name}' is computed at run time; the C kernel needs constant bounds`);
  return t.at(0);
}

/** y = a op b with numpy broadcasting, through the strided binary kernel. */
function binaryStep(ctx: LowerContext, op: string, a: string, b: string, out: string): CStep {
  const outShape = ctx.type(out).shape;
  const as = ctx.type(a).shape;
  const bs = ctx.type(b).shape;
  const { shape, strides } = collapseAxes(outShape, [broadcastStrides(as, outShape), broadcastStrides(bs, outShape)]);
  if (shape.length > 6) unsupported(`broadcasting over ${shape.length} independent axes; the C kernel handles 6`);
  const inPlace: { output: number; input: number }[] = [];
  const ins = runtime(ctx, [a, b]);
  if (!ctx.constant(a) && sameShape(as, outShape)) inPlace.push({ output: 0, input: ins.indexOf(a) });
  if (!ctx.constant(b) && sameShape(bs, outShape) && b !== a) inPlace.push({ output: 0, input: ins.indexOf(b) });
  return {
    nodes: [ctx.node.name],
    summary: `${ctx.node.opType} ${as.join('x') || 'scalar'} ${bs.join('x') || 'scalar'}`,
    inputs: ins,
    outputs: [out],
    inPlace,
    calls: [{ kernel: 'ep_binary_f32', args: [symbol(`EP_BINARY_${op}`), operand(ctx, a), operand(ctx, b), value(out), int(shape.length), ints(shape), ints(strides[0]), ints(strides[1])] }],
  };
}

function binary(op: string): Lowering {
  return {
    lower(ctx) {
      if (ctx.node.inputs.length !== 2) unsupported(`${ctx.node.inputs.length} inputs; the C backend takes ${ctx.node.opType} of two`);
      return binaryStep(ctx, op, ctx.node.inputs[0], ctx.node.inputs[1], ctx.output(0));
    },
  };
}

/** [outer][len][inner] around one axis. */
function aroundAxis(shape: readonly number[], axis: number) {
  return { outer: shapeSize(shape.slice(0, axis)), len: shape[axis], inner: shapeSize(shape.slice(axis + 1)) };
}

function softmax(log: boolean): Lowering {
  return {
    lower(ctx) {
      const x = ctx.node.inputs[0];
      const xs = ctx.type(x).shape;
      const axis = normalizeAxis((ctx.attrs as { axis: number }).axis, xs.length, ctx.node);
      const { outer, len, inner } = aroundAxis(xs, axis);
      const out = ctx.output(0);
      return {
        nodes: [ctx.node.name],
        summary: `${ctx.node.opType} over axis ${axis}`,
        inputs: [x],
        outputs: [out],
        // (a quantized model's float tail takes the interpreter's exp: its outputs are verified bit for bit)
        calls: [floatTailSoftmax(ctx, x, out, outer, len, inner) ?? { kernel: 'ep_softmax_f32', args: [value(x), value(out), int(outer), int(len), int(inner), int(log ? 1 : 0)] }],
      };
    },
  };
}

function reduce(op: string): Lowering {
  return {
    lower(ctx) {
      const x = ctx.node.inputs[0];
      const xs = ctx.type(x).shape;
      const axesName = ctx.node.inputs[1];
      const attrs = ctx.attrs as { noopWithEmptyAxes: boolean };
      let axes: number[];
      if (axesName) {
        const t = ctx.constant(axesName);
        if (!t) unsupported('axes computed at run time');
        axes = normalizeAxes(t.toNumbers(), xs.length, ctx.node);
      } else axes = attrs.noopWithEmptyAxes ? [] : xs.map((_, i) => i);
      axes = axes.filter((a) => xs[a] !== 1).sort((p, q) => p - q);
      const out = ctx.output(0);
      if (axes.length === 0) return { nodes: [ctx.node.name], summary: `${ctx.node.opType} (nothing to reduce)`, inputs: [x], outputs: [out], view: true, calls: [] };
      if (axes[axes.length - 1] - axes[0] !== axes.length - 1) unsupported(`reducing non-adjacent axes [${axes.join(', ')}]`);
      const outer = shapeSize(xs.slice(0, axes[0]));
      const len = shapeSize(axes.map((a) => xs[a]));
      const inner = shapeSize(xs.slice(axes[axes.length - 1] + 1));
      return {
        nodes: [ctx.node.name],
        summary: `${ctx.node.opType} over axes ${axes.join(', ')}`,
        inputs: [x],
        outputs: [out],
        calls: [{ kernel: 'ep_reduce_f32', args: [symbol(`EP_REDUCE_${op}`), value(x), value(out), int(outer), int(len), int(inner)] }],
      };
    },
  };
}

/** Sum of n inputs as a chain of binary adds into the output buffer. */
const sum: Lowering = {
  lower(ctx) {
    const ins = ctx.node.inputs;
    if (ins.length === 1) return { nodes: [ctx.node.name], summary: 'Sum of one input', inputs: [ins[0]], outputs: [ctx.output(0)], view: true, calls: [] };
    if (ins.length !== 2) unsupported(`Sum of ${ins.length} inputs; the C backend takes two`);
    return binaryStep(ctx, 'ADD', ins[0], ins[1], ctx.output(0));
  },
};

export const ELEMENTWISE_LOWERINGS: Record<string, Lowering> = {
  Relu: unary('RELU'),
  LeakyRelu: unary('LEAKY_RELU', (ctx) => [(ctx.attrs as { alpha: number }).alpha, 0]),
  Sigmoid: unary('SIGMOID'),
  Tanh: unary('TANH'),
  Clip: unary('CLIP', (ctx) => [clipBound(ctx, 1, -Infinity), clipBound(ctx, 2, Infinity)]),
  HardSigmoid: unary('HARD_SIGMOID', (ctx) => {
    const a = ctx.attrs as { alpha: number; beta: number };
    return [a.alpha, a.beta];
  }),
  HardSwish: unary('HARD_SWISH'),
  Exp: unary('EXP'),
  Log: unary('LOG'),
  Sqrt: unary('SQRT'),
  Neg: unary('NEG'),
  Abs: unary('ABS'),
  Erf: unary('ERF'),
  Add: binary('ADD'),
  Sub: binary('SUB'),
  Mul: binary('MUL'),
  Div: binary('DIV'),
  Max: binary('MAX'),
  Min: binary('MIN'),
  Pow: binary('POW'),
  PRelu: binary('PRELU'),
  Sum: sum,
  Softmax: softmax(false),
  LogSoftmax: softmax(true),
  ReduceMean: reduce('MEAN'),
  ReduceSum: reduce('SUM'),
  ReduceMax: reduce('MAX'),
  ReduceMin: reduce('MIN'),
  ArgMax: ARGMAX_LOWERING,
};
