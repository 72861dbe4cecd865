// quantizePath (the branch decisions of ep__quantize_int, emulated) against the reference rounding, and the tie fills.
import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../src/ir/builder.js';
import { Tensor } from '../../src/ir/tensor.js';
import { Random } from '../../src/util/random.js';
import { quantizePath, quantizeTieValues, quantizeTieVectors } from '../../src/verify/quantize-tie-vectors.js';

/** round_half_to_even(fl32(x / s)) (rule 3 of quant-round.ts). */
function reference(x: number, s: number): number {
  const q = Math.fround(x / s);
  const f = Math.floor(q);
  const d = q - f;
  return d > 0.5 || (d === 0.5 && f % 2 !== 0) ? f + 1 : f;
}

describe('quantize tie vectors', () => {
  it('emulates the integer division path exactly', () => {
    const r = new Random(7);
    let checked = 0;
    for (const s of [0.02, 1 / 255, 0.0137, 0.06279085, 0.1173].map(Math.fround)) {
      for (let i = 0; i < 3000; i++) {
        const x = Math.fround((r.uniform(-1, 1) * 300 + (i % 7 === 0 ? 0.5 : 0)) * s);
        const p = quantizePath(x, s);
        if (!p) continue;
        checked++;
        expect(p.n, `${x} / ${s}`).toBe(reference(x, s));
      }
    }
    expect(checked).toBeGreaterThan(10000);
  });

  it('finds values on the tie path of both quotient widths, inside the int8 range', () => {
    const values = quantizeTieValues(Math.fround(0.02), -7);
    expect(values.map((v) => v.name)).toEqual(['+narrow', '+wide', '-narrow', '-wide']);
    for (const { name, value } of values) {
      const p = quantizePath(value, Math.fround(0.02))!;
      expect(p).toMatchObject({ tie: true, roundedUp: true, fracAtMostHalf: true, wide: name.endsWith('wide') && !name.endsWith('narrow') });
      expect(Math.abs(p.n - 7)).toBeLessThanOrEqual(127);
    }
    // A power-of-two scale divides exactly: no tie.
    expect(quantizeTieValues(0.5, 0)).toEqual([]);
  });

  it('fills the QuantizeLinear input of a graph, and nothing for other graphs', () => {
    const b = new GraphBuilder('q');
    const x = b.input('x', 'float32', [1, 5]);
    b.output(b.op('QuantizeLinear', [x, b.initializer('scale', Tensor.fromNumbers('float32', [1], [0.06279085])), b.initializer('zero_point', Tensor.fromNumbers('int8', [1], [-128]))]));
    const vectors = quantizeTieVectors(b.build());
    // With the zero point -128 every negative value saturates: the negative ones are taken saturating.
    expect(vectors.map((v) => v.name)).toEqual(['(+narrow, 8)', '(+wide, 0.06279145181179047)', '(-narrow, -8)', '(-wide, -0.06279145181179047)'].map((n) => `quantization ties ${n}`));
    expect(Array.from(vectors[0].inputs[0].data as Float32Array)).toEqual([8, 8, 8, 8, 8]);
    const c = new GraphBuilder('relu');
    c.output(c.op('Relu', [c.input('x', 'float32', [1, 4])]));
    expect(quantizeTieVectors(c.build())).toEqual([]);
  });
});
