// Quantized ONNX that edgeprune's int8 ops cannot hold is refused naming the node and the scheme: per-channel
// activations, asymmetric or -128 weights, weights per input channel, blocked, int4 and int16 quantization, scales
// computed at run time, float8, dynamic quantization and onnxruntime's contrib QOperator ops; from the CLI as one line with exit code 2.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import onnxProto from 'onnx-proto';
import { afterAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { attr, GraphBuilder } from '../../src/ir/builder.js';
import type { DType } from '../../src/ir/dtype.js';
import type { AttrValue, Graph } from '../../src/ir/graph.js';
import type { Tensor } from '../../src/ir/tensor.js';
import { exportOnnx } from '../../src/onnx/export.js';
import { loadOnnxBytes } from '../../src/onnx/load-onnx.js';
import { convertQuantizedGraph } from '../../src/passes/convert-quantized-onnx.js';
import { runCli } from '../support/cli.js';
import { rawModel } from '../support/raw-onnx.js';
import { f32, ints, scalar } from '../support/quantized-models.js';

interface LayerOptions {
  /** x's DequantizeLinear scale (one element per tensor, more per channel). */
  xScale?: Tensor;
  xAxis?: number;
  weight?: Tensor;
  wScale?: Tensor;
  wZero?: Tensor;
  wAttrs?: Record<string, AttrValue>;
  /** The weight scale as a graph input instead of a constant. */
  wScaleInput?: boolean;
  /** The type QuantizeLinear writes the output in. */
  outType?: DType;
}

/** input [1, 2, 3, 3] → Q → DQ 'x_dq' → Conv 'conv' (DQ 'w_dq' weights 2x2x1x1) → Q 'y_q' → DQ → output. */
function qdqConv(o: LayerOptions = {}): Graph {
  const b = new GraphBuilder('refusal');
  const xq = b.op('QuantizeLinear', [b.input('x', 'float32', [1, 2, 3, 3]), b.initializer('xs', scalar('float32', 0.1)), b.initializer('xz', scalar('int8', 0))], {}, 'x_q');
  const xScale = o.xScale ? b.initializer('xs_dq', o.xScale) : 'xs';
  const xZero = o.xScale ? b.initializer('xz_dq', ints('int8', o.xScale.shape, o.xScale.toNumbers().map(() => 0))) : 'xz';
  const x = b.op('DequantizeLinear', [xq, xScale, xZero], o.xAxis !== undefined ? { axis: attr.int(o.xAxis) } : {}, 'x_dq');
  const wScale = o.wScaleInput ? b.input('w_scale', 'float32', [1]) : b.initializer('ws', o.wScale ?? scalar('float32', 0.05));
  const wInputs = [b.initializer('w', o.weight ?? ints('int8', [2, 2, 1, 1], [1, -2, 3, -4])), wScale, ...(o.wZero ? [b.initializer('wz', o.wZero)] : [])];
  const w = b.op('DequantizeLinear', wInputs, o.wAttrs ?? {}, 'w_dq');
  const y = b.op('Conv', [x, w], {}, 'conv');
  const outType = o.outType ?? 'int8';
  const yq = b.op('QuantizeLinear', [y, b.initializer('ys', scalar('float32', 0.2)), b.initializer('yz', scalar(outType, 0))], {}, 'y_q');
  b.output(b.op('DequantizeLinear', [yq, 'ys', 'yz'], {}, 'y_dq'));
  return b.build();
}

function refusal(g: Graph): UserError {
  try {
    convertQuantizedGraph(g);
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    return e as UserError;
  }
  throw new Error('the conversion did not refuse the model');
}

describe('refusals, naming the node and the scheme', () => {
  it('the well-formed layer converts (the baseline the refusals vary)', () => {
    expect(convertQuantizedGraph(qdqConv()).graph.nodes.map((n) => n.opType)).toEqual(['QuantizeLinear', 'Int8Conv', 'DequantizeLinear']);
  });

  it('per-channel activations', () => {
    const e = refusal(qdqConv({ xScale: f32([0.1, 0.2]), xAxis: 1 }));
    expect(e.message).toBe("node 'x_dq' (DequantizeLinear): activation 'x_q_out' is quantized per channel (axis 1, 2 scales); edgeprune's int8 activations have one scale and zero point per tensor");
    expect(e.hint).toMatch(/per tensor/);
  });

  it('per-row activations of QLinearMatMul', () => {
    const b = new GraphBuilder('qlinear_rows');
    const a = b.op('QuantizeLinear', [b.input('a', 'float32', [2, 2]), b.initializer('s', scalar('float32', 0.1)), b.initializer('z', scalar('int8', 0))]);
    const y = b.op(
      'QLinearMatMul',
      [a, b.initializer('as', f32([0.1, 0.2], [2, 1])), b.initializer('az', ints('int8', [2, 1], [0, 0])), b.initializer('b', ints('int8', [2, 2], [1, 2, 3, 4])),
        b.initializer('bs', scalar('float32', 0.1)), b.initializer('bz', scalar('int8', 0)), 's', 'z'],
      {},
      'mm',
    );
    b.output(y);
    expect(refusal(b.build()).message).toMatch(/^node 'mm' \(QLinearMatMul\): a_scale has shape 2x1: per-row \(per-channel\) activation quantization/);
  });

  it('asymmetric weights (int8 zero point not 0, uint8 not 128), with the zero point as written', () => {
    expect(refusal(qdqConv({ wScale: f32([0.05, 0.06]), wZero: ints('int8', [2], [0, 3]), wAttrs: { axis: attr.int(0) } })).message).toBe(
      "node 'conv' (Conv): weights 'w' (int8) have zero point 3 on channel 1: asymmetric weight quantization; edgeprune's int8 weights are symmetric (zero point 0 for int8, 128 for uint8)",
    );
    expect(refusal(qdqConv({ weight: ints('uint8', [2, 2, 1, 1], [1, 2, 3, 4]), wZero: scalar('uint8', 130) })).message).toMatch(/^node 'conv' \(Conv\): weights 'w' \(uint8\) have zero point 130: asymmetric/);
  });

  it('weights of -128 (symmetric int8 weights are in [-127, 127])', () => {
    expect(refusal(qdqConv({ weight: ints('int8', [2, 2, 1, 1], [1, -128, 3, 4]) })).message).toBe(
      "node 'conv' (Conv): weight element 1 of 'w' is -128; edgeprune's symmetric int8 weights are in [-127, 127]",
    );
  });

  it('weights quantized per input channel', () => {
    expect(refusal(qdqConv({ wScale: f32([0.05, 0.06]), wAttrs: { axis: attr.int(1) } })).message).toBe(
      "node 'conv' (Conv): weights 'w' are quantized per axis 1, not per output channel (axis 0); edgeprune's int8 weights have one scale per output channel",
    );
  });

  it('blocked quantization', () => {
    const e = refusal(qdqConv({ wScale: f32([0.05, 0.06, 0.07, 0.08], [2, 2, 1, 1]), wAttrs: { axis: attr.int(1), block_size: attr.int(1) } }));
    expect(e.message).toBe("node 'w_dq' (DequantizeLinear): blocked quantization of 'w' (block_size 1); edgeprune's int8 weights have one scale per output channel");
  });

  it('int4 weights and int16 activations', () => {
    expect(refusal(qdqConv({ weight: ints('int4', [2, 2, 1, 1], [1, -2, 3, -4]) })).message).toBe(
      "node 'w_dq' (DequantizeLinear): int4 quantization of 'w'; edgeprune's int8 ops take int8 or uint8 tensors (and int32 biases)",
    );
    const e = refusal(qdqConv({ outType: 'int16' }));
    expect(e.message).toBe("node 'y_q' (QuantizeLinear): int16 quantization of 'y_q_out'; edgeprune's int8 ops take int8 or uint8 tensors (and int32 biases)");
    expect(e.hint).toMatch(/8 bits/);
  });

  it('scales computed at run time', () => {
    const e = refusal(qdqConv({ wScaleInput: true }));
    expect(e.message).toBe(
      "node 'w_dq' (DequantizeLinear): x_scale 'w_scale' is computed at run time (dynamic quantization); edgeprune's int8 ops need constant scales and zero points",
    );
    expect(e.hint).toMatch(/quantize_static/);
  });

  it('float8 quantization, refused while the file is read', () => {
    const model = onnxProto.onnx.ModelProto.decode(exportOnnx(qdqConv()));
    model.graph!.initializer!.find((t) => t.name === 'yz')!.dataType = 17; // FLOAT8E4M3FN, one byte as the int8 was
    const bytes = onnxProto.onnx.ModelProto.encode(model).finish();
    expect(() => loadOnnxBytes(bytes, 'f8.onnx')).toThrow(
      "node 'y_q' (QuantizeLinear): 'yz' has element type FLOAT8E4M3FN, which edgeprune does not support: float8 quantization; edgeprune quantizes to int8 (int8 or uint8 tensors, int32 biases)",
    );
  });
});

describe('from the CLI', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeprune-qdq-refusal-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('compile names the node and the scheme on one line, exit code 2, and writes nothing', async () => {
    const file = path.join(dir, 'per-channel.onnx');
    fs.writeFileSync(file, exportOnnx(qdqConv({ xScale: f32([0.1, 0.2]), xAxis: 1 })));
    const out = path.join(dir, 'out');
    const r = await runCli(['compile', file, '--out', out]);
    expect(r.exitCode, String(r.stderr)).toBe(2);
    expect(r.stderr.trim()).toBe(
      "edgeprune: error: node 'x_dq' (DequantizeLinear): activation 'x_q_out' is quantized per channel (axis 1, 2 scales); edgeprune's int8 activations have one scale and zero point per tensor; " +
        'quantize activations per tensor (onnxruntime and PyTorch do by default; per-channel scales belong to the weights)',
    );
    expect(fs.existsSync(out)).toBe(false);
  });
  it('dynamic quantization (onnxruntime quantize_dynamic: DynamicQuantizeLinear before MatMulInteger), by scheme, with the static QDQ way out', async () => {
    const file = path.join(dir, 'dynamic.onnx');
    fs.writeFileSync(file, rawModel({
      opset: 13, inputs: [{ name: 'x', shape: [1, 4] }], outputs: [{ name: 'y', elemType: 6 }],
      initializers: { w: ints('int8', [4, 2], [1, -2, 3, -4, 5, -6, 7, -8]), wz: scalar('int8', 0) },
      nodes: [
        { op: 'DynamicQuantizeLinear', inputs: ['x'], outputs: ['xq', 'xs', 'xz'], name: 'x_dynq' },
        { op: 'MatMulInteger', inputs: ['xq', 'w', 'xz', 'wz'], outputs: ['y'], name: 'mm' },
      ],
    }));
    const r = await runCli(['inspect', file]);
    expect(r.exitCode, String(r.stderr)).toBe(2);
    expect(r.stderr).toMatch(/unsupported op: DynamicQuantizeLinear \(node 'x_dynq'\); this is dynamic quantization \(DynamicQuantizeLinear: activation scales computed at run time/);
    expect(r.stderr).toMatch(/quantize_static\(.*QuantFormat\.QDQ.*edgeprune quantize/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it("onnxruntime's contrib QOperator ops (com.microsoft QLinearAdd), by scheme", async () => {
    const file = path.join(dir, 'contrib.onnx');
    const q = (name: string) => [`${name}`, 's', 'z'];
    fs.writeFileSync(file, rawModel({
      opset: 13, inputs: [{ name: 'a', shape: [1, 4], elemType: 3 }, { name: 'b', shape: [1, 4], elemType: 3 }], outputs: [{ name: 'y', elemType: 3 }],
      initializers: { s: scalar('float32', 0.1), z: scalar('int8', 0) },
      nodes: [{ op: 'QLinearAdd', domain: 'com.microsoft', inputs: [...q('a'), ...q('b'), 's', 'z'], outputs: ['y'], name: 'qadd' }],
    }));
    const r = await runCli(['inspect', file]);
    expect(r.exitCode, String(r.stderr)).toBe(2);
    expect(r.stderr).toMatch(/com\.microsoft\.QLinearAdd \(node 'qadd'\).*onnxruntime's contrib quantized ops/);
  });
});
