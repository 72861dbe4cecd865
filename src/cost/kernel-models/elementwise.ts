// Cost formulas of the elementwise kernels (ep_elementwise.h) and reductions (ep_reduce.h).

import { CostModelError, intArg, intsArg, type KernelModel, mergedBroadcastAxes, symbolArg } from './common.js';

/** The unary ops the C lowering emits (EP_UNARY_COPY and _RECIPROCAL exist in the header but no lowering uses them). */
export const UNARY_OPS = ['RELU', 'LEAKY_RELU', 'CLIP', 'SIGMOID', 'HARD_SIGMOID', 'HARD_SWISH', 'TANH', 'EXP', 'LOG', 'SQRT', 'NEG', 'ABS', 'ERF'];
export const BINARY_OPS = ['ADD', 'SUB', 'MUL', 'DIV', 'MAX', 'MIN', 'POW', 'PRELU'];
export const REDUCE_OPS = ['SUM', 'MEAN', 'MAX', 'MIN'];

export const unary: KernelModel = {
  kernel: 'ep_unary_f32',
  header: 'ep_elementwise.h',
  keys: UNARY_OPS.map((op) => `ep_unary_f32:${op}`),
  timeTerms: ['elements', 'call'],
  codeTerms: ['call'],
  formula: 'per op: instructions = elements + call (transcendental ops: the average over typical activations, standard normal)',
  analyze(call) {
    const op = symbolArg(call, 0, 'EP_UNARY_');
    if (!UNARY_OPS.includes(op)) throw new CostModelError(`ep_unary_f32: unknown op EP_UNARY_${op}`);
    return { key: `ep_unary_f32:${op}`, time: { elements: intArg(call, 3), call: 1 }, code: { call: 1 }, macs: 0 };
  },
};

export const binary: KernelModel = {
  kernel: 'ep_binary_f32',
  header: 'ep_elementwise.h',
  keys: BINARY_OPS.map((op) => `ep_binary_f32:${op}`),
  timeTerms: ['elements', 'broadcastElements', 'runs', 'odometer', 'call'],
  codeTerms: ['call', 'nested', 'odometer'],
  formula: 'per op, after merging contiguous axes as the kernel does: instructions = elements·(both operands stepping) + broadcastElements·(one operand a scalar in the inner loop) + runs·(inner loops, 2+ axes) + odometer·(index updates, 3+ axes) + call',
  analyze(call) {
    const op = symbolArg(call, 0, 'EP_BINARY_');
    if (!BINARY_OPS.includes(op)) throw new CostModelError(`ep_binary_f32: unknown op EP_BINARY_${op}`);
    const rank = intArg(call, 4);
    const outShape = intsArg(call, 5);
    const as = intsArg(call, 6);
    const bs = intsArg(call, 7);
    const { shape, sa, sb } = mergedBroadcastAxes(rank, outShape, as, bs);
    const r = shape.length;
    const elements = shape.reduce((a, b) => a * b, 1);
    const inner = r ? shape[r - 1] : 1;
    const ia = r ? sa[r - 1] : 0;
    const ib = r ? sb[r - 1] : 0;
    const runs = elements / inner;
    const broadcast = (ia === 1 && ib === 0) || (ia === 0 && ib === 1);
    const time = {
      elements: broadcast ? 0 : elements,
      broadcastElements: broadcast ? elements : 0,
      runs: r >= 2 ? runs : 0,
      odometer: r >= 3 ? runs : 0,
      call: 1,
    };
    return { key: `ep_binary_f32:${op}`, time, code: { call: 1, nested: r >= 2 ? 1 : 0, odometer: r >= 3 ? 1 : 0 }, macs: 0 };
  },
};

export const channelAffine: KernelModel = {
  kernel: 'ep_channel_affine_f32',
  header: 'ep_elementwise.h',
  keys: ['ep_channel_affine_f32'],
  timeTerms: ['elements', 'channels', 'call'],
  codeTerms: ['call'],
  formula: 'instructions = elements + channels + call',
  analyze(call) {
    const C = intArg(call, 4);
    const plane = intArg(call, 5);
    return { key: 'ep_channel_affine_f32', time: { elements: C * plane, channels: C, call: 1 }, code: { call: 1 }, macs: 0 };
  },
};

export const softmax: KernelModel = {
  kernel: 'ep_softmax_f32',
  header: 'ep_reduce.h',
  keys: ['ep_softmax_f32', 'ep_softmax_f32:log'],
  timeTerms: ['elements', 'stridedElements', 'groups', 'call'],
  codeTerms: ['call'],
  formula: 'Softmax and LogSoftmax: instructions = elements·(max, exp, sum and scale per element, axis contiguous) + stridedElements·(inner > 1) + groups·(outer x inner vectors) + call',
  analyze(call) {
    const outer = intArg(call, 2);
    const len = intArg(call, 3);
    const inner = intArg(call, 4);
    const log = intArg(call, 5) !== 0;
    const n = outer * len * inner;
    return { key: log ? 'ep_softmax_f32:log' : 'ep_softmax_f32', time: { elements: inner === 1 ? n : 0, stridedElements: inner === 1 ? 0 : n, groups: outer * inner, call: 1 }, code: { call: 1 }, macs: 0 };
  },
};

export const reduce: KernelModel = {
  kernel: 'ep_reduce_f32',
  header: 'ep_reduce.h',
  keys: REDUCE_OPS.map((op) => `ep_reduce_f32:${op}`),
  timeTerms: ['elements', 'stridedElements', 'outputs', 'call'],
  codeTerms: ['call'],
  formula: 'per op: instructions = elements·(reduced axis contiguous) + stridedElements·(inner > 1) + outputs + call',
  analyze(call) {
    const op = symbolArg(call, 0, 'EP_REDUCE_');
    if (!REDUCE_OPS.includes(op)) throw new CostModelError(`ep_reduce_f32: unknown op EP_REDUCE_${op}`);
    const outer = intArg(call, 3);
    const len = intArg(call, 4);
    const inner = intArg(call, 5);
    const n = outer * len * inner;
    return { key: `ep_reduce_f32:${op}`, time: { elements: inner === 1 ? n : 0, stridedElements: inner === 1 ? 0 : n, outputs: outer * inner, call: 1 }, code: { call: 1 }, macs: 0 };
  },
};
