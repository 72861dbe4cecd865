// Cost formulas of the data-movement kernels (ep_data.h): transpose, pad, block copies.

import { CostModelError, intArg, intsArg, type KernelModel, symbolArg } from './common.js';

export const PAD_MODES = ['CONSTANT', 'EDGE', 'REFLECT', 'WRAP'];

export const transpose: KernelModel = {
  kernel: 'ep_transpose_f32',
  header: 'ep_data.h',
  keys: ['ep_transpose_f32'],
  timeTerms: ['elements', 'stridedElements', 'runs', 'call'],
  codeTerms: ['call', 'nested'],
  formula: 'after merging axes that stay adjacent: instructions = elements + stridedElements·(inner loop not contiguous) + runs·(inner loops, with the index update) + call',
  analyze(call) {
    const rank = intArg(call, 2);
    const inShape = intsArg(call, 3);
    const perm = intsArg(call, 4);
    const inStride = new Array<number>(rank).fill(0);
    let s = 1;
    for (let i = rank - 1; i >= 0; i--) {
      inStride[i] = s;
      s *= inShape[i];
    }
    const shape: number[] = [];
    const stride: number[] = [];
    for (let i = 0; i < rank; i++) {
      const n = inShape[perm[i]];
      const st = inStride[perm[i]];
      if (n === 1) continue;
      const r = shape.length;
      if (r > 0 && stride[r - 1] === st * n) {
        shape[r - 1] *= n;
        stride[r - 1] = st;
        continue;
      }
      shape.push(n);
      stride.push(st);
    }
    const elements = shape.reduce((a, b) => a * b, 1);
    const inner = shape.length ? shape[shape.length - 1] : 1;
    const sn = stride.length ? stride[stride.length - 1] : 1;
    return {
      key: 'ep_transpose_f32',
      time: { elements, stridedElements: sn === 1 ? 0 : elements, runs: elements / inner, call: 1 },
      code: { call: 1, nested: shape.length >= 2 ? 1 : 0 },
      macs: 0,
    };
  },
};

export const pad: KernelModel = {
  kernel: 'ep_pad_f32',
  header: 'ep_data.h',
  keys: PAD_MODES.map((m) => `ep_pad_f32:${m}`),
  timeTerms: ['fillElements', 'copyElements', 'edgeElements', 'rows', 'rowAxes', 'call'],
  codeTerms: ['call', 'rank'],
  formula: 'per mode, row by row of the last axis: instructions = fillElements·(rows wholly padding) + copyElements·(the copied run) + edgeElements·(pad columns, each resolved by ep__pad_source) + rows + rowAxes·(outer axes resolved per row) + call',
  analyze(call) {
    const rank = intArg(call, 2);
    const shape = intsArg(call, 3);
    const begins = intsArg(call, 4);
    const ends = intsArg(call, 5);
    const mode = symbolArg(call, 6, 'EP_PAD_');
    if (!PAD_MODES.includes(mode)) throw new CostModelError(`ep_pad_f32: unknown mode EP_PAD_${mode}`);
    const outShape = shape.map((d, i) => d + begins[i] + ends[i]);
    const total = outShape.reduce((a, b) => a * b, 1);
    const time = { fillElements: 0, copyElements: 0, edgeElements: 0, rows: 0, rowAxes: 0, call: 1 };
    if (rank > 0 && total > 0) {
      const last = rank - 1;
      const n = outShape[last];
      const b = begins[last];
      const e = ends[last];
      const lo = Math.max(b, 0);
      const hi = lo + shape[last] - Math.max(-b, 0) - Math.max(-e, 0);
      const rows = total / n;
      // Rows whose outer coordinates fall in constant padding are filled whole (constant mode only).
      let inside = 1;
      for (let d = 0; d < last; d++) {
        const kept = shape[d] - Math.max(-begins[d], 0) - Math.max(-ends[d], 0);
        inside *= mode === 'CONSTANT' ? kept : outShape[d];
      }
      const fillRows = rows - inside;
      time.rows = rows;
      time.rowAxes = rows * last;
      time.fillElements = fillRows * n;
      time.copyElements = inside * Math.max(0, hi - lo);
      time.edgeElements = inside * (n - Math.max(0, hi - lo));
    }
    return { key: `ep_pad_f32:${mode}`, time, code: { call: 1, rank }, macs: 0 };
  },
};

export const copyBlocks: KernelModel = {
  kernel: 'ep_copy_blocks_f32',
  header: 'ep_data.h',
  keys: ['ep_copy_blocks_f32'],
  timeTerms: ['elements', 'blocks', 'call'],
  codeTerms: ['call'],
  formula: 'instructions = elements + blocks + call',
  analyze(call) {
    const block = intArg(call, 4);
    const count = intArg(call, 5);
    return { key: 'ep_copy_blocks_f32', time: { elements: block * count, blocks: count, call: 1 }, code: { call: 1 }, macs: 0 };
  },
};
