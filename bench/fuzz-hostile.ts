// Crafted hostile ONNX models for the fuzz bench: huge dims, Expand/ConstantOfShape/Tile bombs, deep and wide graphs,
// cycles, duplicate producers and outputs, external data pointing everywhere, wrong types, truncated data, huge
// attribute lists, hostile names. Each stays under 1 MB.

import onnxProto from 'onnx-proto';
import { HOSTILE_LOCATIONS, HOSTILE_NAMES } from './fuzz-mutations.js';

const { onnx } = onnxProto;
type INode = onnxProto.onnx.INodeProto;
type ITensor = onnxProto.onnx.ITensorProto;
const A = onnx.AttributeProto.AttributeType;

export interface Crafted {
  name: string;
  bytes: Uint8Array;
}

const FLOAT = 1;
const INT64 = 7;

function vi(name: string, shape: (number | string)[] | undefined, elemType = FLOAT): onnxProto.onnx.IValueInfoProto {
  const dim = shape?.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d }));
  return { name, type: { tensorType: { elemType, shape: dim ? { dim } : undefined } } };
}

function f32(name: string, dims: number[], values: number[]): ITensor {
  const raw = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => raw.writeFloatLE(v, i * 4));
  return { name, dataType: FLOAT, dims, rawData: raw };
}

function i64(name: string, values: number[], dims = [values.length]): ITensor {
  return { name, dataType: INT64, dims, int64Data: values };
}

const ints = (name: string, values: number[]) => ({ name, type: A.INTS, ints: values });
const int = (name: string, value: number) => ({ name, type: A.INT, i: value });

interface Spec {
  nodes: INode[];
  inputs?: onnxProto.onnx.IValueInfoProto[];
  outputs?: onnxProto.onnx.IValueInfoProto[];
  inits?: ITensor[];
  opset?: number;
  graphName?: string;
}

function model(s: Spec): Uint8Array {
  return onnx.ModelProto.encode(onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'fuzz-hostile',
    opsetImport: [{ domain: '', version: s.opset ?? 13 }],
    graph: {
      name: s.graphName ?? 'hostile',
      node: s.nodes,
      initializer: s.inits ?? [],
      input: s.inputs ?? [vi('x', [1, 4])],
      output: s.outputs ?? [vi('y', undefined)],
    },
  })).finish();
}

/** y = x + (a constant computed by `nodes` into 'c'). */
function plusConstant(nodes: INode[], inits: ITensor[], xShape: number[] = [1]): Uint8Array {
  return model({ nodes: [...nodes, { opType: 'Add', input: ['x', 'c'], output: ['y'] }], inputs: [vi('x', xShape)], inits });
}

function chain(n: number, op: string, extra: (i: number) => Partial<INode> = () => ({})): Uint8Array {
  const nodes: INode[] = [];
  let prev = 'x';
  for (let i = 0; i < n; i++) {
    nodes.push({ name: `n${i}`, opType: op, input: [prev], output: [`v${i}`], ...extra(i) });
    prev = `v${i}`;
  }
  return model({ nodes, inputs: [vi('x', [1, 8])], outputs: [vi(prev, undefined)] });
}

const HUGE_DIMS = [2 ** 31, 2 ** 40, 2 ** 24 + 1, 2 ** 62, 2 ** 53 + 2];

export function craftedModels(): Crafted[] {
  const out: Crafted[] = [];
  const add = (name: string, bytes: Uint8Array) => out.push({ name, bytes });

  // Huge input dimensions for the ops that allocate per element.
  const w1 = f32('w', [1, 1, 1, 1], [1]);
  for (const d of HUGE_DIMS) {
    add(`conv input 1x1x${d}x1`, model({ nodes: [{ opType: 'Conv', input: ['x', 'w'], output: ['y'] }], inputs: [vi('x', [1, 1, d, 1])], inits: [w1] }));
    add(`relu input ${d}`, model({ nodes: [{ opType: 'Relu', input: ['x'], output: ['y'] }], inputs: [vi('x', [d])] }));
    add(`maxpool input 1x1x${d}x${d}`, model({ nodes: [{ opType: 'MaxPool', input: ['x'], output: ['y'], attribute: [ints('kernel_shape', [2, 2])] }], inputs: [vi('x', [1, 1, d, d])] }));
    add(`matmul ${d}x${d}`, model({ nodes: [{ opType: 'MatMul', input: ['x', 'x'], output: ['y'] }], inputs: [vi('x', [d, d])] }));
    add(`gemm weights claiming ${d} rows`, model({ nodes: [{ opType: 'Gemm', input: ['x', 'w'], output: ['y'] }], inputs: [vi('x', [1, 4])], inits: [{ name: 'w', dataType: FLOAT, dims: [4, d], rawData: new Uint8Array(16) }] }));
  }
  add('many dims of 65536', model({ nodes: [{ opType: 'Relu', input: ['x'], output: ['y'] }], inputs: [vi('x', [65536, 65536, 65536])] }));
  add('rank 1000 input', model({ nodes: [{ opType: 'Relu', input: ['x'], output: ['y'] }], inputs: [vi('x', Array(1000).fill(1))] }));

  // Bombs: a few bytes asking for gigabytes.
  for (const shape of [[16384, 16384], [2 ** 28], [4096, 4096], [1 << 24], [65536, 65536, 65536]]) {
    add(`expand bomb ${shape.join('x')}`, plusConstant([{ opType: 'Expand', input: ['one', 's'], output: ['c'] }], [f32('one', [1], [1]), i64('s', shape)]));
    add(`constantofshape bomb ${shape.join('x')}`, plusConstant([{ opType: 'ConstantOfShape', input: ['s'], output: ['c'] }], [i64('s', shape)]));
    add(`tile bomb ${shape.join('x')}`, plusConstant([{ opType: 'Tile', input: ['one', 's'], output: ['c'] }], [f32('one', [1], [1]), i64('s', shape)]));
  }
  add('int64 constantofshape 4096x4096', plusConstant([
    { opType: 'ConstantOfShape', input: ['s'], output: ['k'], attribute: [{ name: 'value', type: A.TENSOR, t: i64('v', [7], [1]) }] },
    { opType: 'Cast', input: ['k'], output: ['c'], attribute: [int('to', FLOAT)] },
  ], [i64('s', [4096, 4096])]));
  add('a hundred 1024x1024 constants', plusConstant([
    ...Array.from({ length: 100 }, (_, i): INode => ({ opType: 'ConstantOfShape', input: ['s'], output: [`k${i}`], attribute: [{ name: 'value', type: A.TENSOR, t: f32('v', [1], [i]) }] })),
    { opType: 'Sum', input: Array.from({ length: 100 }, (_, i) => `k${i}`), output: ['c'] },
  ], [i64('s', [1024, 1024])], [1024, 1024]));
  add('folded matmul 2048x2048 of constants', plusConstant([
    { opType: 'ConstantOfShape', input: ['s'], output: ['a'], attribute: [{ name: 'value', type: A.TENSOR, t: f32('v', [1], [0.5]) }] },
    { opType: 'MatMul', input: ['a', 'a'], output: ['c'] },
  ], [i64('s', [2048, 2048])], [2048, 2048]));
  add('folded maxpool with a 2048x2048 window', plusConstant([
    { opType: 'ConstantOfShape', input: ['s'], output: ['a'], attribute: [{ name: 'value', type: A.TENSOR, t: f32('v', [1], [0.5]) }] },
    { opType: 'MaxPool', input: ['a'], output: ['c'], attribute: [ints('kernel_shape', [2048, 2048]), ints('pads', [2047, 2047, 2047, 2047])] },
  ], [i64('s', [1, 1, 2048, 2048])], [1, 1, 4095, 4095]));
  add('folded conv 1x64x512x512 by 64x64x9x9', plusConstant([
    { opType: 'ConstantOfShape', input: ['s'], output: ['a'], attribute: [{ name: 'value', type: A.TENSOR, t: f32('v', [1], [0.5]) }] },
    { opType: 'ConstantOfShape', input: ['ws'], output: ['w'], attribute: [{ name: 'value', type: A.TENSOR, t: f32('v', [1], [0.5]) }] },
    { opType: 'Conv', input: ['a', 'w'], output: ['c'], attribute: [ints('pads', [4, 4, 4, 4])] },
  ], [i64('s', [1, 64, 512, 512]), i64('ws', [64, 64, 9, 9])], [1, 64, 512, 512]));
  add('big runtime activation (arena past RAM)', model({ nodes: [{ opType: 'Relu', input: ['x'], output: ['y'] }], inputs: [vi('x', [1, 1 << 22])] }));
  add('weights past flash (folded)', plusConstant([
    { opType: 'ConstantOfShape', input: ['s'], output: ['c'], attribute: [{ name: 'value', type: A.TENSOR, t: f32('v', [1], [0.5]) }] },
  ], [i64('s', [1, 1 << 22])], [1, 1 << 22]));

  // Deep and wide graphs.
  for (const n of [8000, 20000]) {
    add(`chain of ${n} Relu`, chain(n, 'Relu'));
    add(`chain of ${n} Identity`, chain(n, 'Identity'));
  }
  add('chain of 8000 Flatten', chain(8000, 'Flatten', () => ({ attribute: [int('axis', 1)] })));
  add('chain of 5000 Transpose', chain(5000, 'Transpose', () => ({ attribute: [ints('perm', [1, 0])] })));
  add('chain of 10000 Add', model({
    nodes: Array.from({ length: 10000 }, (_, i): INode => ({ opType: 'Add', input: [i === 0 ? 'x' : `v${i - 1}`, 'b'], output: [`v${i}`] })),
    inputs: [vi('x', [1, 8])], inits: [f32('b', [8], [1, 2, 3, 4, 5, 6, 7, 8])], outputs: [vi('v9999', undefined)],
  }));
  const wide = 10000;
  add(`wide: Concat of ${wide} Relu`, model({
    nodes: [...Array.from({ length: wide }, (_, i): INode => ({ opType: 'Relu', input: ['x'], output: [`r${i}`] })), { opType: 'Concat', input: Array.from({ length: wide }, (_, i) => `r${i}`), output: ['y'], attribute: [int('axis', 1)] }],
  }));
  add(`wide: ${wide} graph outputs`, model({
    nodes: Array.from({ length: wide }, (_, i): INode => ({ opType: 'Relu', input: ['x'], output: [`r${i}`] })),
    outputs: Array.from({ length: wide }, (_, i) => vi(`r${i}`, undefined)),
  }));
  add(`wide: ${wide} graph inputs`, model({
    nodes: [{ opType: 'Sum', input: Array.from({ length: wide }, (_, i) => `x${i}`), output: ['y'] }],
    inputs: Array.from({ length: wide }, (_, i) => vi(`x${i}`, [1, 4])),
  }));
  add('sum of 100000 inputs', model({ nodes: [{ opType: 'Sum', input: Array(100000).fill('x'), output: ['y'] }] }));
  add('20000 unnamed nodes with colliding names', model({
    nodes: Array.from({ length: 20000 }, (_, i): INode => ({ name: 'Relu_0', opType: 'Relu', input: [i === 0 ? 'x' : `Relu_${i - 1}`], output: [`Relu_${i}`] })),
    outputs: [vi('Relu_19999', undefined)],
  }));

  // Malformed graphs.
  add('cycle of two', model({ nodes: [{ opType: 'Add', input: ['x', 'b'], output: ['a'] }, { opType: 'Relu', input: ['a'], output: ['b'] }, { opType: 'Relu', input: ['a'], output: ['y'] }] }));
  add('self loop', model({ nodes: [{ opType: 'Add', input: ['x', 'y'], output: ['y'] }] }));
  add('cycle of 20000', model({ nodes: [...Array.from({ length: 20000 }, (_, i): INode => ({ opType: 'Add', input: ['x', `v${(i + 1) % 20000}`], output: [`v${i}`] })), { opType: 'Relu', input: ['v0'], output: ['y'] }] }));
  add('reversed chain of 20000', model({ nodes: Array.from({ length: 20000 }, (_, i): INode => ({ opType: 'Relu', input: [i === 0 ? 'x' : `v${i - 1}`], output: [i === 19999 ? 'y' : `v${i}`] })).reverse() }));
  add('two producers', model({ nodes: [{ opType: 'Relu', input: ['x'], output: ['y'] }, { opType: 'Neg', input: ['x'], output: ['y'] }] }));
  add('node output = graph input', model({ nodes: [{ opType: 'Relu', input: ['x'], output: ['x'] }, { opType: 'Relu', input: ['x'], output: ['y'] }] }));
  add('node output = initializer', model({ nodes: [{ opType: 'Relu', input: ['x'], output: ['w'] }, { opType: 'Add', input: ['x', 'w'], output: ['y'] }], inits: [f32('w', [4], [1, 2, 3, 4])] }));
  add('duplicate graph outputs', model({ nodes: [{ opType: 'Relu', input: ['x'], output: ['y'] }], outputs: [vi('y', undefined), vi('y', undefined)] }));
  add('graph output never produced', model({ nodes: [{ opType: 'Relu', input: ['x'], output: ['z'] }] }));
  add('dangling input', model({ nodes: [{ opType: 'Add', input: ['x', 'ghost'], output: ['y'] }] }));
  add('duplicate initializers', model({ nodes: [{ opType: 'Add', input: ['x', 'w'], output: ['y'] }], inits: [f32('w', [4], [1, 2, 3, 4]), f32('w', [2], [1, 2])] }));
  add('empty graph', model({ nodes: [], outputs: [] }));
  add('output is the input', model({ nodes: [], outputs: [vi('x', undefined)] }));
  add('too many inputs for Relu', model({ nodes: [{ opType: 'Relu', input: ['x', 'x', 'x'], output: ['y'] }] }));
  add('no outputs for a node', model({ nodes: [{ opType: 'Relu', input: ['x'], output: [] }, { opType: 'Relu', input: ['x'], output: ['y'] }] }));

  // External data pointing everywhere.
  const ext = (entries: Record<string, string>) => model({
    nodes: [{ opType: 'Add', input: ['x', 'w'], output: ['y'] }],
    inits: [{ name: 'w', dataType: FLOAT, dims: [1, 4], dataLocation: 1, externalData: Object.entries(entries).map(([key, value]) => ({ key, value })) }],
  });
  for (const location of HOSTILE_LOCATIONS) add(`external data at ${JSON.stringify(location)}`, ext({ location }));
  for (const offset of ['-8', '-1', '4294967296', '1e21', '18446744073709551615', 'abc', '0x10', '48']) add(`external data offset ${offset}`, ext({ location: 'weights.bin', offset }));
  for (const length of ['-1', '0', '17', '1048576', '9007199254740993']) add(`external data length ${length}`, ext({ location: 'weights.bin', length }));
  add('external data with huge dims', model({
    nodes: [{ opType: 'Add', input: ['x', 'w'], output: ['y'] }],
    inits: [{ name: 'w', dataType: FLOAT, dims: [1 << 20, 1 << 20], dataLocation: 1, externalData: [{ key: 'location', value: '/dev/zero' }] }],
  }));
  add('external data in an attribute tensor', model({
    nodes: [{ opType: 'Constant', output: ['c'], attribute: [{ name: 'value', type: A.TENSOR, t: { dataType: FLOAT, dims: [4], dataLocation: 1, externalData: [{ key: 'location', value: '/etc/passwd' }] } }] }, { opType: 'Add', input: ['x', 'c'], output: ['y'] }],
  }));

  // Wrong types and truncated data.
  for (const code of [0, 8, 14, 16, 17, 23, 26, 99, -1]) {
    add(`initializer data type ${code}`, model({ nodes: [{ opType: 'Add', input: ['x', 'w'], output: ['y'] }], inits: [{ name: 'w', dataType: code, dims: [4], rawData: new Uint8Array(16) }] }));
    add(`input element type ${code}`, model({ nodes: [{ opType: 'Relu', input: ['x'], output: ['y'] }], inputs: [vi('x', [1, 4], code)] }));
  }
  add('raw_data shorter than dims', model({ nodes: [{ opType: 'Add', input: ['x', 'w'], output: ['y'] }], inits: [{ name: 'w', dataType: FLOAT, dims: [4096, 4096], rawData: new Uint8Array(10) }] }));
  add('raw_data longer than dims', model({ nodes: [{ opType: 'Add', input: ['x', 'w'], output: ['y'] }], inits: [{ name: 'w', dataType: FLOAT, dims: [4], rawData: new Uint8Array(400000) }] }));
  add('float_data shorter than dims', model({ nodes: [{ opType: 'Add', input: ['x', 'w'], output: ['y'] }], inits: [{ name: 'w', dataType: FLOAT, dims: [1 << 24], floatData: [1, 2] }] }));
  add('negative initializer dims', model({ nodes: [{ opType: 'Add', input: ['x', 'w'], output: ['y'] }], inits: [{ name: 'w', dataType: FLOAT, dims: [-4, -1], rawData: new Uint8Array(16) }] }));
  add('int64 initializer dims 2^63-1', model({ nodes: [{ opType: 'Add', input: ['x', 'w'], output: ['y'] }], inits: [{ name: 'w', dataType: FLOAT, dims: ['9223372036854775807' as unknown as number], rawData: new Uint8Array(16) }] }));
  add('reshape to negative dims', plusConstant([{ opType: 'Reshape', input: ['w', 's'], output: ['c'] }], [f32('w', [4], [1, 2, 3, 4]), i64('s', [-2, -2])], [2, 2]));
  add('reshape to 0 x huge', plusConstant([{ opType: 'Reshape', input: ['w', 's'], output: ['c'] }], [f32('w', [4], [1, 2, 3, 4]), i64('s', [0, 2 ** 62])], [2, 2]));
  add('mixed input types for Add', model({ nodes: [{ opType: 'Add', input: ['x', 'w'], output: ['y'] }], inits: [i64('w', [1, 2, 3, 4])] }));
  add('opset 1', model({ nodes: [{ opType: 'Relu', input: ['x'], output: ['y'] }], opset: 1 }));
  add('opset 1000', model({ nodes: [{ opType: 'Relu', input: ['x'], output: ['y'] }], opset: 1000 }));

  // Huge attribute lists and values.
  const big = (n: number, v: (i: number) => number = (i) => i) => Array.from({ length: n }, (_, i) => v(i));
  add('Transpose perm of 100000', model({ nodes: [{ opType: 'Transpose', input: ['x'], output: ['y'], attribute: [ints('perm', big(100000))] }] }));
  add('Squeeze axes of 100000 (opset 11)', model({ nodes: [{ opType: 'Squeeze', input: ['x'], output: ['y'], attribute: [ints('axes', big(100000, () => 0))] }], opset: 11 }));
  add('Unsqueeze axes of 100000 (opset 11)', model({ nodes: [{ opType: 'Unsqueeze', input: ['x'], output: ['y'], attribute: [ints('axes', big(100000))] }], opset: 11 }));
  add('Pad pads of 100000 (opset 10)', model({ nodes: [{ opType: 'Pad', input: ['x'], output: ['y'], attribute: [ints('pads', big(100000, () => 1))] }], opset: 10 }));
  add('Conv kernel_shape of 100000', model({ nodes: [{ opType: 'Conv', input: ['x', 'w'], output: ['y'], attribute: [ints('kernel_shape', big(100000, () => 1))] }], inputs: [vi('x', [1, 1, 4, 4])], inits: [w1] }));
  add('MaxPool kernel 1e9', model({ nodes: [{ opType: 'MaxPool', input: ['x'], output: ['y'], attribute: [ints('kernel_shape', [1e9, 1e9]), ints('pads', [1e9, 1e9, 1e9, 1e9])] }], inputs: [vi('x', [1, 1, 4, 4])] }));
  add('MaxPool strides 0 and dilations 2^40', model({ nodes: [{ opType: 'MaxPool', input: ['x'], output: ['y'], attribute: [ints('kernel_shape', [2, 2]), ints('strides', [0, 0]), ints('dilations', [2 ** 40, 1])] }], inputs: [vi('x', [1, 1, 4, 4])] }));
  add('Split into 100000 (opset 11)', model({ nodes: [{ opType: 'Split', input: ['x'], output: ['y'], attribute: [ints('split', big(100000, () => 1)), int('axis', 1)] }], opset: 11 }));
  add('Split with 20000 outputs', model({ nodes: [{ opType: 'Split', input: ['x'], output: big(20000).map((i) => `s${i}`), attribute: [int('axis', 1)] }], outputs: [vi('s0', undefined)] }));
  add('Reshape to rank 100000', plusConstant([{ opType: 'Reshape', input: ['w', 's'], output: ['c'] }], [f32('w', [1], [1]), i64('s', big(100000, () => 1))]));
  add('Constant value_ints of 200000', model({ nodes: [{ opType: 'Constant', output: ['c'], attribute: [ints('value_ints', big(200000))] }, { opType: 'Cast', input: ['c'], output: ['f'], attribute: [int('to', FLOAT)] }, { opType: 'ReduceSum', input: ['f'], output: ['s'], attribute: [int('keepdims', 0)] }, { opType: 'Add', input: ['x', 's'], output: ['y'] }] }));
  add('Slice with extreme starts and ends', plusConstant([{ opType: 'Slice', input: ['w', 'st', 'en', 'ax', 'sp'], output: ['c'] }], [f32('w', [4], [1, 2, 3, 4]), i64('st', [-(2 ** 62)]), i64('en', [2 ** 62]), i64('ax', [0]), i64('sp', [-(2 ** 62)])], [1]));
  add('Gather with indices out of range', plusConstant([{ opType: 'Gather', input: ['w', 'i'], output: ['c'] }], [f32('w', [4], [1, 2, 3, 4]), i64('i', [2 ** 40])], [1]));
  add('node with 10000 attributes', model({ nodes: [{ opType: 'Relu', input: ['x'], output: ['y'], attribute: big(10000).map((i) => int(`a${i}`, i)) }] }));
  add('attribute of every type on Relu', model({ nodes: [{ opType: 'Relu', input: ['x'], output: ['y'], attribute: big(15).map((t) => ({ name: `t${t}`, type: t })) }] }));
  add('subgraph attribute', model({ nodes: [{ opType: 'Relu', input: ['x'], output: ['y'], attribute: [{ name: 'body', type: A.GRAPH, g: { name: 'inner' } }] }] }));

  // Hostile names (they must come out as data: compile succeeds or refuses cleanly).
  for (const name of HOSTILE_NAMES) {
    add(`hostile names ${JSON.stringify(name.slice(0, 30))}`, model({
      graphName: name,
      nodes: [{ name, opType: 'Add', input: ['x', name === '' ? 'w' : name + '_w'], output: [name === '' ? 'y' : name] }],
      inits: [f32(name === '' ? 'w' : name + '_w', [1, 4], [1, 2, 3, 4])],
      outputs: [vi(name === '' ? 'y' : name, undefined)],
    }));
  }
  add('60 nodes named with 5000 characters each', model({
    nodes: big(60).map((i): INode => ({ name: `${'n'.repeat(4990)}${i}`, opType: 'Relu', input: [i === 0 ? 'x' : `${'v'.repeat(4990)}${i - 1}`], output: [i === 59 ? 'y' : `${'v'.repeat(4990)}${i}`] })),
  }));
  return out;
}
