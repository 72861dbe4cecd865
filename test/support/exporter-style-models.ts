// Models written the way CNTK, PyTorch and keras2onnx export them (opsets 8-13), for import and backend tests.
import { Tensor } from '../../src/ir/tensor.js';
import { Random } from '../../src/util/random.js';
import { rawModel } from './raw-onnx.js';

const rng = new Random(11);
export const rand = (shape: number[]) => Tensor.fromNumbers('float32', shape, Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.uniform(-0.5, 0.5)));
const int64 = (values: number[]) => Tensor.fromNumbers('int64', [values.length], values);

/** The MNIST model of the ONNX model zoo as CNTK wrote it (mnist-8): opset 8, initializers as inputs. */
export function cntkMnist(): Uint8Array {
  return rawModel({
    opset: 8,
    producer: 'CNTK',
    initializersAsInputs: true,
    inputs: [{ name: 'Input3', shape: [1, 1, 28, 28] }],
    outputs: [{ name: 'Plus214_Output_0', shape: [1, 10] }],
    initializers: {
      Parameter5: rand([8, 1, 5, 5]), Parameter6: rand([8, 1, 1]), Parameter87: rand([16, 8, 5, 5]), Parameter88: rand([16, 1, 1]),
      Pooling160_Output_0_reshape0_shape: int64([1, 256]), Parameter193: rand([16, 4, 4, 10]),
      Parameter193_reshape1_shape: int64([256, 10]), Parameter194: rand([1, 10]),
    },
    nodes: [
      { op: 'Conv', inputs: ['Input3', 'Parameter5'], outputs: ['Convolution28_Output_0'], name: 'Convolution28', attrs: { kernel_shape: [5, 5], strides: [1, 1], auto_pad: 'SAME_UPPER', group: 1, dilations: [1, 1] } },
      { op: 'Add', inputs: ['Convolution28_Output_0', 'Parameter6'], outputs: ['Plus30_Output_0'], name: 'Plus30' },
      { op: 'Relu', inputs: ['Plus30_Output_0'], outputs: ['ReLU32_Output_0'], name: 'ReLU32' },
      { op: 'MaxPool', inputs: ['ReLU32_Output_0'], outputs: ['Pooling66_Output_0'], name: 'Pooling66', attrs: { kernel_shape: [2, 2], strides: [2, 2], pads: [0, 0, 0, 0], auto_pad: 'NOTSET' } },
      { op: 'Conv', inputs: ['Pooling66_Output_0', 'Parameter87'], outputs: ['Convolution110_Output_0'], name: 'Convolution110', attrs: { kernel_shape: [5, 5], strides: [1, 1], auto_pad: 'SAME_UPPER', group: 1, dilations: [1, 1] } },
      { op: 'Add', inputs: ['Convolution110_Output_0', 'Parameter88'], outputs: ['Plus112_Output_0'], name: 'Plus112' },
      { op: 'Relu', inputs: ['Plus112_Output_0'], outputs: ['ReLU114_Output_0'], name: 'ReLU114' },
      { op: 'MaxPool', inputs: ['ReLU114_Output_0'], outputs: ['Pooling160_Output_0'], name: 'Pooling160', attrs: { kernel_shape: [3, 3], strides: [3, 3], pads: [0, 0, 0, 0], auto_pad: 'NOTSET' } },
      { op: 'Reshape', inputs: ['Pooling160_Output_0', 'Pooling160_Output_0_reshape0_shape'], outputs: ['Pooling160_Output_0_reshape0'], name: 'Times212_reshape0' },
      { op: 'Reshape', inputs: ['Parameter193', 'Parameter193_reshape1_shape'], outputs: ['Parameter193_reshape1'], name: 'Times212_reshape1' },
      { op: 'MatMul', inputs: ['Pooling160_Output_0_reshape0', 'Parameter193_reshape1'], outputs: ['Times212_Output_0'], name: 'Times212' },
      { op: 'Add', inputs: ['Times212_Output_0', 'Parameter194'], outputs: ['Plus214_Output_0'], name: 'Plus214' },
    ],
  });
}

/** An MLP as torch.onnx.export writes `x.view(x.size(0), -1)` at opset 11, with a dynamic batch. */
export function pytorchMlp(): Uint8Array {
  return rawModel({
    opset: 11,
    producer: 'pytorch',
    inputs: [{ name: 'input', shape: ['batch_size', 1, 8, 8] }],
    outputs: [{ name: 'output', shape: ['batch_size', 10] }],
    initializers: { 'fc1.weight': rand([32, 64]), 'fc1.bias': rand([32]), 'fc2.weight': rand([10, 32]), 'fc2.bias': rand([10]) },
    nodes: [
      { op: 'Shape', inputs: ['input'], outputs: ['1'] },
      { op: 'Constant', inputs: [], outputs: ['2'], attrs: { value: Tensor.scalar('int64', 0) } },
      { op: 'Gather', inputs: ['1', '2'], outputs: ['3'], attrs: { axis: 0 } },
      { op: 'Unsqueeze', inputs: ['3'], outputs: ['4'], attrs: { axes: [0] } },
      { op: 'Constant', inputs: [], outputs: ['5'], attrs: { value: int64([-1]) } },
      { op: 'Concat', inputs: ['4', '5'], outputs: ['6'], attrs: { axis: 0 } },
      { op: 'Reshape', inputs: ['input', '6'], outputs: ['7'] },
      { op: 'Gemm', inputs: ['7', 'fc1.weight', 'fc1.bias'], outputs: ['8'], attrs: { alpha: { float: 1 }, beta: { float: 1 }, transB: 1 } },
      { op: 'Relu', inputs: ['8'], outputs: ['9'] },
      { op: 'Gemm', inputs: ['9', 'fc2.weight', 'fc2.bias'], outputs: ['output'], attrs: { alpha: { float: 1 }, beta: { float: 1 }, transB: 1 } },
    ],
  });
}

/** A small CNN as keras2onnx writes it at opset 9: NHWC input, Transposes, BatchNorm, Softmax on 2-D. */
export function kerasCnn(): Uint8Array {
  return rawModel({
    opset: 9,
    producer: 'keras2onnx',
    inputs: [{ name: 'input_1', shape: ['N', 8, 8, 1] }],
    outputs: [{ name: 'dense', shape: ['N', 10] }],
    initializers: {
      'conv/kernel': rand([4, 1, 3, 3]), 'conv/bias': rand([4]),
      'bn/gamma': rand([4]), 'bn/beta': rand([4]), 'bn/mean': rand([4]), 'bn/var': Tensor.fromNumbers('float32', [4], [1, 2, 0.5, 1.5]),
      shape: int64([-1, 64]), 'dense/kernel': rand([64, 10]), 'dense/bias': rand([10]),
    },
    nodes: [
      { op: 'Transpose', inputs: ['input_1'], outputs: ['nchw'], attrs: { perm: [0, 3, 1, 2] } },
      { op: 'Conv', inputs: ['nchw', 'conv/kernel', 'conv/bias'], outputs: ['conv'], attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1], strides: [1, 1], dilations: [1, 1], group: 1 } },
      { op: 'BatchNormalization', inputs: ['conv', 'bn/gamma', 'bn/beta', 'bn/mean', 'bn/var'], outputs: ['bn'], attrs: { epsilon: { float: 0.001 }, momentum: { float: 0.99 } } },
      { op: 'Relu', inputs: ['bn'], outputs: ['relu'] },
      { op: 'MaxPool', inputs: ['relu'], outputs: ['pool'], attrs: { kernel_shape: [2, 2], strides: [2, 2] } },
      { op: 'Transpose', inputs: ['pool'], outputs: ['nhwc'], attrs: { perm: [0, 2, 3, 1] } },
      { op: 'Reshape', inputs: ['nhwc', 'shape'], outputs: ['flat'] },
      { op: 'Dropout', inputs: ['flat'], outputs: ['drop'], attrs: { ratio: { float: 0.5 } } },
      { op: 'MatMul', inputs: ['drop', 'dense/kernel'], outputs: ['mm'] },
      { op: 'Add', inputs: ['mm', 'dense/bias'], outputs: ['logits'] },
      { op: 'Softmax', inputs: ['logits'], outputs: ['dense'], attrs: { axis: 1 } },
    ],
  });
}

