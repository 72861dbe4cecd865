// ConvTranspose: against a naive scatter implementation (groups, strides, dilations, pads), output_shape pads, MACs, errors.
import { describe, expect, it } from 'vitest';
import { shapeSize, Tensor } from '../../src/ir/tensor.js';
import { ConvTranspose } from '../../src/ops/conv-transpose.js';
import { f32, ints, int, macsOf, runOp, str } from './nn-op-harness.js';

const seq = (shape: number[], start = 1) => f32(shape, Array.from({ length: shapeSize(shape) }, (_, i) => ((i * 5 + start) % 9) - 4));

/**
 * Scatter form, the textbook definition: every input element adds x·w into output position
 * i·stride + k·dilation - padBegin. 2-D only; pads as ONNX writes them.
 */
function scatter2d(x: Tensor, w: Tensor, group: number, strides: number[], dilations: number[], pads: number[], out: number[]): number[] {
  const [N, C, H, W] = x.shape;
  const [, Mg, KH, KW] = w.shape;
  const M = Mg * group;
  const y = new Array<number>(N * M * out[0] * out[1]).fill(0);
  const cg = C / group;
  for (let n = 0; n < N; n++)
    for (let c = 0; c < C; c++)
      for (let mg = 0; mg < Mg; mg++)
        for (let h = 0; h < H; h++)
          for (let ww = 0; ww < W; ww++)
            for (let kh = 0; kh < KH; kh++)
              for (let kw = 0; kw < KW; kw++) {
                const oh = h * strides[0] + kh * dilations[0] - pads[0];
                const ow = ww * strides[1] + kw * dilations[1] - pads[1];
                if (oh < 0 || ow < 0 || oh >= out[0] || ow >= out[1]) continue;
                const m = Math.floor(c / cg) * Mg + mg;
                y[((n * M + m) * out[0] + oh) * out[1] + ow] += x.at(((n * C + c) * H + h) * W + ww) * w.at(((c * Mg + mg) * KH + kh) * KW + kw);
              }
  return y;
}

describe('ConvTranspose', () => {
  it('matches the scatter definition with groups, strides, dilations, asymmetric pads and output_padding', () => {
    const x = seq([2, 4, 3, 4]);
    const w = seq([4, 3, 3, 2], 2);
    const attrs = { group: int(2), strides: ints([2, 3]), dilations: ints([2, 1]), pads: ints([1, 0, 2, 1]), output_padding: ints([1, 0]) };
    const [y] = runOp(ConvTranspose, [x, w], attrs);
    // H: 2·2 + 1 + (3-1)·2 + 1 - 1 - 2 = 7; W: 3·3 + 0 + 2 - 0 - 1 = 10
    expect(y.shape).toEqual([2, 6, 7, 10]);
    expect(Array.from(y.data as ArrayLike<number | bigint>)).toEqual(scatter2d(x, w, 2, [2, 3], [2, 1], [1, 0], [7, 10]));
  });

  it('adds the bias per output channel', () => {
    const x = seq([1, 1, 2, 2]);
    const w = seq([1, 2, 2, 2]);
    const [plain] = runOp(ConvTranspose, [x, w]);
    const [biased] = runOp(ConvTranspose, [x, w, f32([2], [10, 100])]);
    const plane = 9;
    biased.toNumbers().forEach((v, i) => expect(v - plain.at(i)).toBe(i < plane ? 10 : 100));
  });

  it('derives pads from output_shape: odd totals go to the begin unless SAME_UPPER', () => {
    // 1-D: input 3, kernel 3, stride 2: full size 7; output_shape 6 leaves a total padding of 1.
    const x = f32([1, 1, 3], [1, 2, 3]);
    const w = f32([1, 1, 3], [1, 1, 1]);
    const full = runOp(ConvTranspose, [x, w], { strides: ints([2]) })[0];
    expect(Array.from(full.data as ArrayLike<number | bigint>)).toEqual([1, 1, 3, 2, 5, 3, 3]);
    const lower = runOp(ConvTranspose, [x, w], { strides: ints([2]), output_shape: ints([6]) })[0];
    expect(Array.from(lower.data as ArrayLike<number | bigint>)).toEqual([1, 3, 2, 5, 3, 3]);
    const upper = runOp(ConvTranspose, [x, w], { strides: ints([2]), output_shape: ints([6]), auto_pad: str('SAME_UPPER') })[0];
    expect(Array.from(upper.data as ArrayLike<number | bigint>)).toEqual([1, 1, 3, 2, 5, 3]);
    // auto_pad alone aims at input · stride.
    const same = runOp(ConvTranspose, [x, w], { strides: ints([2]), auto_pad: str('SAME_LOWER') })[0];
    expect(Array.from(same.data as ArrayLike<number | bigint>)).toEqual([1, 3, 2, 5, 3, 3]);
    // A larger output_shape extends the end with zeros; a full N, C, spatial shape is accepted.
    const longer = runOp(ConvTranspose, [x, w], { strides: ints([2]), output_shape: ints([1, 1, 8]) })[0];
    expect(Array.from(longer.data as ArrayLike<number | bigint>)).toEqual([1, 1, 3, 2, 5, 3, 3, 0]);
  });

  it('counts input size × M/group × kernel MACs and marks W and B as parameters', () => {
    expect(macsOf(ConvTranspose, [[2, 4, 3, 4], [4, 3, 3, 2]], { group: int(2) })).toBe(2 * 4 * 3 * 4 * 3 * 3 * 2);
    expect(macsOf(ConvTranspose, [[1, 1, 3], [1, 2, 3], [2]])).toBe(3 * 2 * 3);
    expect(ConvTranspose.paramInputs).toEqual({ 1: 'weight', 2: 'bias' });
  });

  it('reports channel, bias and attribute mismatches', () => {
    const x = seq([1, 4, 3, 3]);
    expect(() => runOp(ConvTranspose, [x, seq([2, 1, 3, 3])])).toThrow(/weight W has 2 input channels/);
    expect(() => runOp(ConvTranspose, [x, seq([4, 1, 3, 3])], { group: int(3) })).toThrow(/group 3 does not divide the 4 input channels/);
    expect(() => runOp(ConvTranspose, [x, seq([4, 1, 3, 3]), f32([3], [0, 0, 0])], { group: int(2) })).toThrow(/bias B has shape 3, expected 2/);
    expect(() => runOp(ConvTranspose, [x, seq([4, 1, 3, 3])], { kernel_shape: ints([2, 2]) })).toThrow(/kernel_shape 2x2 disagrees/);
    expect(() => runOp(ConvTranspose, [x, seq([4, 1, 3, 3])], { output_shape: ints([5, 5, 5]) })).toThrow(/output_shape has 3 values for 2 spatial axes/);
    expect(() => runOp(ConvTranspose, [x, seq([4, 1, 3])])).toThrow(/weight W has rank 3/);
  });
});
