// Cost formulas of the ArgMax kernels (ep_argmax.h): ep_argmax_f32 and ep_argmax_s8 over [outer][len][inner].

import { intArg, type KernelModel } from './common.js';

function argMaxModel(kernel: 'ep_argmax_f32' | 'ep_argmax_s8'): KernelModel {
  return {
    kernel,
    header: 'ep_argmax.h',
    keys: [kernel],
    timeTerms: ['elements', 'stridedElements', 'outputs', 'call'],
    codeTerms: ['call'],
    formula: 'instructions = elements·(one compare per element, axis contiguous) + stridedElements·(inner > 1) + outputs·(one int64 index stored) + call',
    analyze(call) {
      const outer = intArg(call, 2);
      const len = intArg(call, 3);
      const inner = intArg(call, 4);
      const n = outer * len * inner;
      return { key: kernel, time: { elements: inner === 1 ? n : 0, stridedElements: inner === 1 ? 0 : n, outputs: outer * inner, call: 1 }, code: { call: 1 }, macs: 0 };
    },
  };
}

export const argMaxF32 = argMaxModel('ep_argmax_f32');
export const argMaxS8 = argMaxModel('ep_argmax_s8');
