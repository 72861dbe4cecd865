// layout.ts: permutations between the IR's NCHW and TF.js's NHWC, and weight layouts both ways.
import { describe, expect, it } from 'vitest';
import { channelsLastPerm, heldShape, invertPerm, permuteData, permuteDims, transposedPerm, weightFromTf, weightToTf, type WeightLayout } from '../../src/train/layout.js';

const iota = (n: number) => Float32Array.from({ length: n }, (_, i) => i);

describe('layout', () => {
  it('permutes row-major data like a transpose', () => {
    // [2, 3] → [3, 2]
    expect(Array.from(permuteData(iota(6), [2, 3], [1, 0]))).toEqual([0, 3, 1, 4, 2, 5]);
    // NCHW [1, 2, 2, 2] → NHWC: element (c, h, w) moves to (h, w, c).
    expect(Array.from(permuteData(iota(8), [1, 2, 2, 2], channelsLastPerm(4)))).toEqual([0, 4, 1, 5, 2, 6, 3, 7]);
  });

  it('describes held tensors and the Permute between two holdings', () => {
    const nhwc = channelsLastPerm(4);
    expect(nhwc).toEqual([0, 2, 3, 1]);
    expect(heldShape([1, 3, 8, 6], nhwc)).toEqual([1, 8, 6, 3]);
    expect(permuteDims([0, 1, 2, 3], nhwc)).toEqual([2, 3, 1]);
    expect(permuteDims(nhwc, [0, 1, 2, 3])).toEqual([3, 1, 2]);
    // An IR Transpose NHWC → NCHW of a value held as is becomes the channels-last holding, for free.
    expect(transposedPerm([0, 3, 1, 2], [0, 1, 2, 3])).toEqual(nhwc);
    expect(invertPerm(invertPerm([0, 3, 1, 2]))).toEqual([0, 3, 1, 2]);
  });

  it('weight layouts go to TF.js and back unchanged', () => {
    const cases: [WeightLayout, number[], number[]][] = [
      [{ kind: 'conv' }, [4, 3, 2, 5], [2, 5, 3, 4]],
      [{ kind: 'depthwise', channels: 3 }, [6, 1, 3, 2], [3, 2, 3, 2]],
      [{ kind: 'transpose2d' }, [7, 5], [5, 7]],
      [{ kind: 'vector' }, [1, 7], [7]],
      [{ kind: 'same' }, [5, 7], [5, 7]],
    ];
    for (const [layout, irShape, tfShape] of cases) {
      const n = irShape.reduce((a, b) => a * b, 1);
      const { data, shape } = weightToTf(layout, iota(n), irShape);
      expect(shape).toEqual(tfShape);
      const back = weightFromTf(layout, data, shape, irShape);
      expect(back.shape).toEqual(irShape);
      expect(Array.from(back.data as Float32Array)).toEqual(Array.from(iota(n)));
    }
    // Conv OIHW → HWIO: W[o=1, i=2, h=0, w=1] lands at kernel[h=0, w=1, i=2, o=1].
    const { data } = weightToTf({ kind: 'conv' }, iota(4 * 3 * 2 * 5), [4, 3, 2, 5]);
    expect(data[((0 * 5 + 1) * 3 + 2) * 4 + 1]).toBe(((1 * 3 + 2) * 2 + 0) * 5 + 1);
    // Depthwise [C·m, 1, kh, kw] → [kh, kw, C, m]: output channel c·m + mm reads input channel c.
    const dw = weightToTf({ kind: 'depthwise', channels: 3 }, iota(6 * 1 * 3 * 2), [6, 1, 3, 2]).data;
    // W[o=5 (c=2, mm=1), 0, h=2, w=0] → kernel[h=2, w=0, c=2, mm=1]
    expect(dw[((2 * 2 + 0) * 3 + 2) * 2 + 1]).toBe((5 * 3 + 2) * 2 + 0);
  });
});
