// Int8Add (ai.edgeprune): hand-computed rescaling of two int8 inputs, rounding, broadcasting, saturation and refusals.
import { describe, expect, it } from 'vitest';
import { Tensor } from '../../src/ir/tensor.js';
import { Int8Add } from '../../src/ops/int8-add.js';
import { addMultipliers } from '../../src/ops/util/int8-add-params.js';
import { int, makeNode, runOp } from './nn-op-harness.js';

const f32 = (v: number) => Tensor.fromNumbers('float32', [], [v]);
const s8 = (shape: number[], v: number[]) => Tensor.fromNumbers('int8', shape, v);
const zp = (v: number) => Tensor.fromNumbers('int8', [], [v]);
const values = (t: Tensor) => Array.from(t.data as Int8Array);

/** a + b with scales [sa, sb, sy] and zero points [za, zb, zy]. */
function add(a: Tensor, b: Tensor, [sa, sb, sy]: number[], [za, zb, zy]: number[], attrs = {}): number[] {
  return values(runOp(Int8Add, [a, f32(sa), zp(za), b, f32(sb), zp(zb), f32(sy), zp(zy)], attrs)[0]);
}

describe('Int8Add', () => {
  it('derives its multipliers from 2·max(scale) and a 20-bit left shift', () => {
    const m = addMultipliers(f32(0.5), f32(0.25), f32(0.25), makeNode('Int8Add', 8));
    // 0.5 / 1 = 2^-1, 0.25 / 1 = 2^-2, 1 / (2^20 · 0.25) = 2^-18: mantissa 2^30 each.
    expect(m.a).toEqual({ multiplier: 2 ** 30, shift: 31 });
    expect(m.b).toEqual({ multiplier: 2 ** 30, shift: 32 });
    expect(m.y).toEqual({ multiplier: 2 ** 30, shift: 48 });
  });
  it('adds equal scales exactly and rounds a halved sum half up', () => {
    expect(add(s8([2], [3, -3]), s8([2], [4, -4]), [1, 1, 1], [0, 0, 0])).toEqual([7, -7]);
    // y_scale 2: 3.5 → 4 and −3.5 → −3.
    expect(add(s8([2], [3, -3]), s8([2], [4, -4]), [1, 1, 2], [0, 0, 0])).toEqual([4, -3]);
  });
  it('brings inputs of different scales and zero points to the output scale', () => {
    // a: (3 − 1)·0.5 = 1.0; b: (4 − 0)·0.25 = 1.0; y = 2.0 / 0.25 = 8, + 5.
    expect(add(s8([1], [3]), s8([1], [4]), [0.5, 0.25, 0.25], [1, 0, 5])).toEqual([13]);
    // Scales with no power-of-two relation: 5·0.1 + 3·0.3 = 1.4 → / 0.2 = 7 (far from a tie).
    expect(add(s8([1], [5]), s8([1], [3]), [0.1, 0.3, 0.2], [0, 0, 0])).toEqual([7]);
  });
  it('saturates at 127 and -128 with zero points at the extremes', () => {
    // 255 + 255 + (−128) = 382 → 127;  −255 − 255 + 127 = −383 → −128.
    expect(add(s8([1], [127]), s8([1], [127]), [1, 1, 1], [-128, -128, -128])).toEqual([127]);
    expect(add(s8([1], [-128]), s8([1], [-128]), [1, 1, 1], [127, 127, 127])).toEqual([-128]);
  });
  it('broadcasts numpy-style and clamps to the fused activation range', () => {
    // [[1], [2]] + [[10, -20]] = [[11, -19], [12, -18]]; act_min 0 (a fused ReLU with y_zero_point 0).
    const y = add(s8([2, 1], [1, 2]), s8([1, 2], [10, -20]), [1, 1, 1], [0, 0, 0], { act_min: int(0) });
    expect(y).toEqual([11, 0, 12, 0]);
  });
  it('refuses non-int8 inputs, shapes that do not broadcast and an output scale too small to reach', () => {
    expect(() => runOp(Int8Add, [Tensor.fromNumbers('uint8', [1], [1]), f32(1), zp(0), s8([1], [1]), f32(1), zp(0), f32(1), zp(0)])).toThrow(/input a has type uint8/);
    expect(() => add(s8([2], [1, 2]), s8([3], [1, 2, 3]), [1, 1, 1], [0, 0, 0])).toThrow(/cannot broadcast/);
    expect(() => add(s8([1], [1]), s8([1], [1]), [1, 1, 1e-30], [0, 0, 0])).toThrow(/output multiplier of node .* 2\^30/);
  });
});
