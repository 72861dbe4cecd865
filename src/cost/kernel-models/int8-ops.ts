// Cost formulas of the int8 kernels of the residual and pooling ops: Int8Add (ep_int8_add.h) and the int8 average
// pools (ep_int8_pool.h).

import { exactRequantShifts } from '../../emit/c/requant-shifts.js';
import { intArg, intsArg, type KernelModel, mergedBroadcastAxes } from './common.js';
import { globalPool, pool2d } from './pool.js';

export const addS8: KernelModel = {
  kernel: 'ep_add_s8',
  header: 'ep_int8_add.h',
  extraHeaders: ['ep_int8_common.h'],
  keys: ['ep_add_s8'],
  timeTerms: ['elements', 'broadcastElements', 'stridedElements', 'nestedElements', 'runs', 'odometer', 'call'],
  codeTerms: ['call', 'nested', 'odometer'],
  formula:
    'after merging the axes contiguous in both inputs as the kernel does, per inner run the loop of its stride pattern: instructions = elements·(both inputs stepping by 1: two rescalings and a requantization each) + broadcastElements·(one input fixed: one rescaling) + stridedElements·(other strides) + nestedElements·(2+ axes: each run picks its stride loop at run time) + runs·(inner loops, 2+ axes) + odometer·(index updates, 3+ axes) + call',
  analyze(call) {
    const rank = intArg(call, 3);
    const outShape = intsArg(call, 4);
    const as = intsArg(call, 5);
    const bs = intsArg(call, 6);
    const { shape, sa, sb } = mergedBroadcastAxes(rank, outShape, as, bs);
    const r = shape.length;
    const elements = shape.reduce((a, b) => a * b, 1);
    const inner = r ? shape[r - 1] : 1;
    const ia = r ? sa[r - 1] : 1;
    const ib = r ? sb[r - 1] : 1;
    const runs = elements / inner;
    const same = ia === 1 && ib === 1;
    const broadcast = (ia === 1 && ib === 0) || (ia === 0 && ib === 1);
    const nested = r >= 2;
    const time = {
      elements: same && !nested ? elements : 0,
      broadcastElements: broadcast && !nested ? elements : 0,
      stridedElements: !same && !broadcast && !nested ? elements : 0,
      nestedElements: nested ? elements : 0,
      runs: r >= 2 ? runs : 0,
      odometer: r >= 3 ? runs : 0,
      call: 1,
    };
    return { key: 'ep_add_s8', time, code: { call: 1, nested: r >= 2 ? 1 : 0, odometer: r >= 3 ? 1 : 0 }, macs: 0 };
  },
};

const floatAvgPool = pool2d(true);

export const avgPool2dS8: KernelModel = {
  ...floatAvgPool,
  kernel: 'ep_avgpool2d_s8',
  header: 'ep_int8_pool.h',
  extraHeaders: ['ep_int8_common.h'],
  keys: ['ep_avgpool2d_s8'],
  timeTerms: [...floatAvgPool.timeTerms, 'exactFullWindows'],
  codeTerms: [...floatAvgPool.codeTerms, 'exactRule'],
  formula: `ep_avgpool2d_f32's loop structure on bytes, whole windows requantized with one prepared multiplier, clipped ones with their tap count's; a whole-window shift outside [33, 55] takes the exact rule out of line: + exactFullWindows·(its call per whole window), code + exactRule. ${floatAvgPool.formula}`,
  analyze(call, ctx) {
    const use = floatAvgPool.analyze(call, ctx);
    const exact = exactRequantShifts(call);
    return {
      ...use,
      key: 'ep_avgpool2d_s8',
      time: { ...use.time, exactFullWindows: exact ? use.time.fullWindows : 0 },
      code: { ...use.code, exactRule: exact ? 1 : 0 },
    };
  },
};

const floatGlobalAvgPool = globalPool('ep_global_avgpool_s8');

export const globalAvgPoolS8: KernelModel = {
  ...floatGlobalAvgPool,
  header: 'ep_int8_pool.h',
  extraHeaders: ['ep_int8_common.h'],
  formula: `the sum of each plane, then one requantization per channel: ${floatGlobalAvgPool.formula}`,
  analyze(call, ctx) {
    const use = floatGlobalAvgPool.analyze(call, ctx);
    // (the float kernel's arguments: x, y, C, HW; the int8 one's are the same first four)
    return { ...use, key: 'ep_global_avgpool_s8' };
  },
};

export const softmaxTail: KernelModel = {
  kernel: 'ep_softmax_tail_f32',
  header: 'ep_float_tail.h',
  keys: ['ep_softmax_tail_f32'],
  timeTerms: ['elements', 'stridedElements', 'groups', 'call'],
  codeTerms: ['call'],
  formula: "a quantized model's float Softmax (the interpreter's double exp): instructions = elements·(max, exp, sum and division per element, axis contiguous) + stridedElements·(inner > 1) + groups·(outer x inner vectors) + call",
  analyze(call) {
    const outer = intArg(call, 2);
    const len = intArg(call, 3);
    const inner = intArg(call, 4);
    const n = outer * len * inner;
    return { key: 'ep_softmax_tail_f32', time: { elements: inner === 1 ? n : 0, stridedElements: inner === 1 ? 0 : n, groups: outer * inner, call: 1 }, code: { call: 1 }, macs: 0 };
  },
};
