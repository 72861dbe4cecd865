// zeroPointVectors: an int8 model input filled with the zero point its first reader subtracts (a real 0 for that
// reader), added to the worst-case and calibration vectors; nothing for float inputs or a zero point of 0.
import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../src/ir/builder.js';
import { Tensor } from '../../src/ir/tensor.js';
import { calibrationAdversarialVectors, worstCaseVectors } from '../../src/verify/adversarial-vectors.js';
import { zeroPointVectors } from '../../src/verify/zero-point-vectors.js';

function dequantize(zeroPoint: number, dtype: 'int8' | 'float32' = 'int8') {
  const b = new GraphBuilder('dequantize');
  const x = b.input('x', dtype, [1, 6]);
  if (dtype === 'float32') {
    b.output(b.op('Relu', [x]));
  } else {
    b.output(b.op('DequantizeLinear', [x, b.initializer('scale', Tensor.fromNumbers('float32', [1], [0.1])), b.initializer('zero_point', Tensor.fromNumbers('int8', [1], [zeroPoint]))]));
  }
  return b.build();
}

describe('zeroPointVectors', () => {
  it('fills an int8 input with the zero point of the DequantizeLinear that reads it', () => {
    const [v, ...rest] = zeroPointVectors(dequantize(-7));
    expect(rest).toEqual([]);
    expect(v.name).toBe('all at the zero point (-7)');
    expect(Array.from(v.inputs[0].data as Int8Array)).toEqual([-7, -7, -7, -7, -7, -7]);
    expect(v.inputs[0].dtype).toBe('int8');
    expect(v.inputs[0].shape).toEqual([1, 6]);
  });

  it('adds nothing for a zero point of 0 (the int8 fills have all zeros) or a float input', () => {
    expect(zeroPointVectors(dequantize(0))).toEqual([]);
    expect(zeroPointVectors(dequantize(3, 'float32'))).toEqual([]);
  });

  it('is the last of the worst-case and the calibration vectors', () => {
    const g = dequantize(12);
    for (const vs of [worstCaseVectors(g), calibrationAdversarialVectors(g)]) expect(vs.at(-1)!.name).toBe('all at the zero point (12)');
  });
});
