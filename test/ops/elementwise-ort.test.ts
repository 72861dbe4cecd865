// The elementwise ops against onnxruntime, at current and old opsets, on deterministic pseudo-random data.

import { describe, expect, it } from 'vitest';
import { compareTensors } from '../../src/conformance/compare.js';
import type { DType } from '../../src/ir/dtype.js';
import { runGraph } from '../../src/ir/interpreter.js';
import { shapeSize, Tensor } from '../../src/ir/tensor.js';
import { runOnnxruntime } from '../support/ort.js';
import { float, int, ints, loadModel, modelBytes, type TestModel, type TestNode, type TestValue } from './ew-support.js';

/** Deterministic values in [lo, hi) (a linear congruential generator). */
function pseudoRandom(n: number, seed: number, lo = -3, hi = 3): number[] {
  let s = seed >>> 0;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return lo + ((s / 2 ** 32) * (hi - lo));
  });
}

interface Case {
  label: string;
  opset: number;
  node: Omit<TestNode, 'outputs'> & { outputs?: string[] };
  inputs: TestValue[];
  outputs: TestValue[];
  initializers?: Record<string, Tensor>;
  range?: [number, number];
  /** Outputs to compare (default: all). */
  compare?: string[];
}

const f = (name: string, shape: number[]): TestValue => ({ name, dtype: 'float32', shape });
const typed = (name: string, dtype: DType, shape: number[]): TestValue => ({ name, dtype, shape });
const unary = (op: string, opset = 13, attrs = {}, range?: [number, number]): Case => ({
  label: `${op}-${opset}`, opset, node: { op, inputs: ['x'], attrs }, inputs: [f('x', [3, 4])], outputs: [f('y', [3, 4])], range,
});
const shape234 = [2, 3, 4];

const CASES: Case[] = [
  unary('Sigmoid'), unary('Tanh'), unary('Exp'), unary('Log', 13, {}, [0.01, 5]), unary('Sqrt', 13, {}, [0, 5]), unary('Erf'),
  unary('Neg'), unary('Abs'), unary('LeakyRelu', 16, { alpha: float(0.2) }), unary('HardSigmoid', 7, { alpha: float(0.3), beta: float(0.4) }),
  unary('HardSwish', 14),
  { label: 'Softmax-11 default axis', opset: 11, node: { op: 'Softmax', inputs: ['x'] }, inputs: [f('x', shape234)], outputs: [f('y', shape234)] },
  { label: 'Softmax-11 axis 2', opset: 11, node: { op: 'Softmax', inputs: ['x'], attrs: { axis: int(2) } }, inputs: [f('x', shape234)], outputs: [f('y', shape234)] },
  { label: 'LogSoftmax-12 axis 0', opset: 12, node: { op: 'LogSoftmax', inputs: ['x'], attrs: { axis: int(0) } }, inputs: [f('x', shape234)], outputs: [f('y', shape234)] },
  { label: 'LogSoftmax-13 axis 1', opset: 13, node: { op: 'LogSoftmax', inputs: ['x'], attrs: { axis: int(1) } }, inputs: [f('x', shape234)], outputs: [f('y', shape234)] },
  { label: 'Clip-10 attributes', opset: 10, node: { op: 'Clip', inputs: ['x'], attrs: { min: float(-1), max: float(0.5) } }, inputs: [f('x', [12])], outputs: [f('y', [12])] },
  {
    label: 'Clip-13 int8', opset: 13, node: { op: 'Clip', inputs: ['x', 'lo', 'hi'] }, inputs: [typed('x', 'int8', [12])], outputs: [typed('y', 'int8', [12])],
    initializers: { lo: Tensor.fromNumbers('int8', [], [-2]), hi: Tensor.fromNumbers('int8', [], [1]) },
  },
  { label: 'Pow-15', opset: 15, node: { op: 'Pow', inputs: ['x', 'e'] }, inputs: [f('x', [3, 4]), f('e', [4])], outputs: [f('y', [3, 4])], range: [0.1, 2] },
  { label: 'Max-13', opset: 13, node: { op: 'Max', inputs: ['a', 'b', 'c'] }, inputs: [f('a', [3, 1]), f('b', [4]), f('c', [1, 4])], outputs: [f('y', [3, 4])] },
  { label: 'Min-8', opset: 8, node: { op: 'Min', inputs: ['a', 'b'] }, inputs: [f('a', [3, 1]), f('b', [4])], outputs: [f('y', [3, 4])] },
  { label: 'Sum-13', opset: 13, node: { op: 'Sum', inputs: ['a', 'b', 'c'] }, inputs: [f('a', [3, 1]), f('b', [4]), f('c', [3, 4])], outputs: [f('y', [3, 4])] },
  { label: 'Mean-13', opset: 13, node: { op: 'Mean', inputs: ['a', 'b', 'c'] }, inputs: [f('a', [3, 1]), f('b', [4]), f('c', [3, 4])], outputs: [f('y', [3, 4])] },
  { label: 'ReduceSum-11 axes attribute', opset: 11, node: { op: 'ReduceSum', inputs: ['x'], attrs: { axes: ints([0, 2]), keepdims: int(0) } }, inputs: [f('x', shape234)], outputs: [f('y', [3])] },
  { label: 'ReduceMean-13 axes attribute', opset: 13, node: { op: 'ReduceMean', inputs: ['x'], attrs: { axes: ints([-1]) } }, inputs: [f('x', shape234)], outputs: [f('y', [2, 3, 1])] },
  {
    label: 'ReduceMax-18 axes input', opset: 18, node: { op: 'ReduceMax', inputs: ['x', 'axes'], attrs: { keepdims: int(0) } }, inputs: [f('x', shape234)], outputs: [f('y', [2, 4])],
    initializers: { axes: Tensor.fromNumbers('int64', [1], [1]) },
  },
  { label: 'ReduceMin-18 all axes', opset: 18, node: { op: 'ReduceMin', inputs: ['x'] }, inputs: [f('x', shape234)], outputs: [f('y', [1, 1, 1])] },
  { label: 'Less-13', opset: 13, node: { op: 'Less', inputs: ['a', 'b'] }, inputs: [f('a', [3, 1]), f('b', [4])], outputs: [typed('y', 'bool', [3, 4])] },
  { label: 'GreaterOrEqual-16', opset: 16, node: { op: 'GreaterOrEqual', inputs: ['a', 'b'] }, inputs: [f('a', [3, 1]), f('b', [4])], outputs: [typed('y', 'bool', [3, 4])] },
  {
    label: 'Where-16', opset: 16, node: { op: 'Where', inputs: ['c', 'a', 'b'] }, inputs: [typed('c', 'bool', [3, 1]), f('a', [4]), f('b', [3, 4])], outputs: [f('y', [3, 4])],
  },
  { label: 'Cast-13 float to int32', opset: 13, node: { op: 'Cast', inputs: ['x'], attrs: { to: int(6) } }, inputs: [f('x', [12])], outputs: [typed('y', 'int32', [12])] },
  { label: 'Cast-13 float to uint8', opset: 13, node: { op: 'Cast', inputs: ['x'], attrs: { to: int(2) } }, inputs: [f('x', [12])], outputs: [typed('y', 'uint8', [12])], range: [0, 255] },
  { label: 'Cast-13 float to bool', opset: 13, node: { op: 'Cast', inputs: ['x'], attrs: { to: int(9) } }, inputs: [f('x', [12])], outputs: [typed('y', 'bool', [12])], range: [-1, 1] },
  { label: 'Cast-13 int64 to float', opset: 13, node: { op: 'Cast', inputs: ['x'], attrs: { to: int(1) } }, inputs: [typed('x', 'int64', [12])], outputs: [f('y', [12])], range: [-1e6, 1e6] },
  // onnxruntime fills the mask of Dropout 7-10 with zeros; ONNX's reference (and edgeprune) give ones.
  {
    label: 'Dropout-7 with mask', opset: 7, node: { op: 'Dropout', inputs: ['x'], outputs: ['y', 'mask'], attrs: { ratio: float(0.3) } }, inputs: [f('x', [12])],
    outputs: [f('y', [12]), f('mask', [12])], compare: ['y'],
  },
  { label: 'Dropout-13 with mask', opset: 13, node: { op: 'Dropout', inputs: ['x'], outputs: ['y', 'mask'] }, inputs: [f('x', [12])], outputs: [f('y', [12]), typed('mask', 'bool', [12])] },
];

function feedsFor(c: Case): Record<string, Tensor> {
  const [lo, hi] = c.range ?? [-3, 3];
  const feeds: Record<string, Tensor> = {};
  c.inputs.forEach((v, i) => {
    const raw = pseudoRandom(shapeSize(v.shape), 17 + i, lo, hi);
    const data = v.dtype === 'bool' ? raw.map((r) => (r > (lo + hi) / 2 ? 1 : 0)) : v.dtype.startsWith('float') ? raw : raw.map(Math.round);
    feeds[v.name] = Tensor.fromNumbers(v.dtype, v.shape, data);
  });
  return feeds;
}

describe('elementwise ops agree with onnxruntime', () => {
  for (const c of CASES) {
    it(c.label, async () => {
      const model: TestModel = {
        opset: c.opset,
        nodes: [{ ...c.node, outputs: c.node.outputs ?? c.outputs.map((o) => o.name) }],
        inputs: c.inputs,
        outputs: c.outputs,
        initializers: c.initializers,
      };
      const feeds = feedsFor(c);
      const ours = runGraph(loadModel(model), feeds);
      const theirs = await runOnnxruntime(modelBytes(model), feeds);
      for (const o of c.outputs.filter((v) => !c.compare || c.compare.includes(v.name))) {
        expect(compareTensors(ours.get(o.name)!, theirs.get(o.name)!, { atol: 1e-6, rtol: 1e-5 }), o.name).toBeNull();
      }
    });
  }
});
