// BatchNormalization: inference numerics, training mode and extra outputs refused, opset 7-8 spatial, parameter roles.
import { describe, expect, it } from 'vitest';
import { runGraph } from '../../src/ir/interpreter.js';
import { BatchNormalization } from '../../src/ops/batch-normalization.js';
import { f32, float, importOneNode, int, runOp } from './nn-op-harness.js';

const params = () => [f32([2], [1, 2]), f32([2], [0, 1]), f32([2], [1, 0]), f32([2], [4, 1])];
const noEps = { epsilon: float(0) };

describe('BatchNormalization', () => {
  it('normalizes each channel with its own statistics', () => {
    // Channel 0: (x - 1) / 2 · 1 + 0; channel 1: (x - 0) / 1 · 2 + 1.
    const [y] = runOp(BatchNormalization, [f32([2, 2, 2], [1, 3, 5, 6, -1, 7, 0, 0.5]), ...params()], noEps);
    expect(Array.from(y.data as ArrayLike<number | bigint>)).toEqual([0, 1, 11, 13, -1, 3, 1, 2]);
  });

  it('adds epsilon to the variance (default 1e-5)', () => {
    const [y] = runOp(BatchNormalization, [f32([1, 1], [1]), f32([1], [1]), f32([1], [0]), f32([1], [0]), f32([1], [0])]);
    expect(y.data[0]).toBeCloseTo(1 / Math.sqrt(1e-5), 1);
  });

  it('treats a 1-D input as N values of one channel', () => {
    const [y] = runOp(BatchNormalization, [f32([3], [1, 3, 5]), f32([1], [1]), f32([1], [0]), f32([1], [1]), f32([1], [4])], noEps);
    expect(Array.from(y.data as ArrayLike<number | bigint>)).toEqual([0, 1, 2]);
  });

  it('refuses training mode and the statistics outputs', () => {
    const inputs = [f32([1, 2], [1, 2]), ...params()];
    expect(() => runOp(BatchNormalization, inputs, { training_mode: int(1) })).toThrow(
      /training-mode BatchNormalization is not supported; export in eval mode/,
    );
    expect(() => runOp(BatchNormalization, inputs, {}, ['y', 'mean', 'var'])).toThrow(/only Y is supported/);
  });

  it('checks parameter shapes against the channels of X', () => {
    expect(() => runOp(BatchNormalization, [f32([1, 3], [1, 2, 3]), ...params()])).toThrow(/input scale has shape 2, expected 3/);
  });

  it('marks scale, B, mean and var as normalization parameters', () => {
    expect(BatchNormalization.paramInputs).toEqual({ 1: 'norm', 2: 'norm', 3: 'norm', 4: 'norm' });
  });

  const model = (opset: number, attrs = {}, outputs = ['y']) => ({
    opset,
    opType: 'BatchNormalization',
    attrs,
    inputs: [{ name: 'x', dtype: 'float32' as const, shape: [1, 2, 1, 2] }],
    initializers: ['scale', 'B', 'mean', 'var'].map((name, i) => ({ name, tensor: params()[i] })),
    outputs: outputs.map((name) => ({ name, dtype: 'float32' as const, shape: name === 'y' ? [1, 2, 1, 2] : [2] })),
  });

  it('imports opset 7 with spatial=1 into the current form', () => {
    const g = importOneNode(model(7, { spatial: int(1), epsilon: float(0) }));
    expect(g.nodes[0].attrs.spatial).toBeUndefined();
    const y = runGraph(g, { x: f32([1, 2, 1, 2], [1, 3, 0, 1]) }).get('y')!;
    expect(Array.from(y.data as ArrayLike<number | bigint>)).toEqual([0, 1, 1, 3]);
  });

  it('refuses opset 7 spatial=0 and opset 9 training outputs', () => {
    expect(() => importOneNode(model(7, { spatial: int(0) }))).toThrow(/spatial=0 .* is not supported/);
    expect(() => importOneNode(model(9, {}, ['y', 'mean', 'var', 'saved_mean', 'saved_var']))).toThrow(/has 5 outputs; only Y is supported/);
  });
});
