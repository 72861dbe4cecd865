// A quantized model through the ONNX exporter and importer: the ai.edgeprune ops, their constants and their outputs survive bit for bit
// (written as they are, int8Ops 'edgeprune'; the default QDQ form is tested in test/onnx/qdq-export.test.ts).
import { describe, expect, it } from 'vitest';
import type { Graph } from '../../src/ir/graph.js';
import { runGraph } from '../../src/ir/interpreter.js';
import { exportOnnx } from '../../src/onnx/export.js';
import { loadOnnxBytes } from '../../src/onnx/load-onnx.js';
import { onnx } from '../../src/onnx/proto.js';
import { quantizeModel } from '../../src/quant/quantize.js';
import { VERSION } from '../../src/version.js';
import { feeds, residualModel, smallCnn } from './quant-models.js';

function roundTrip(float: Graph): void {
  const calibration = feeds(float, 30);
  const { graph } = quantizeModel(float, calibration);
  const bytes = exportOnnx(graph, VERSION, { int8Ops: 'edgeprune' });
  const model = onnx.ModelProto.decode(bytes);
  expect(model.opsetImport.map((o) => [o.domain, Number(o.version)])).toContainEqual(['ai.edgeprune', 1]);
  const back = loadOnnxBytes(bytes, 'quantized.onnx');
  const shape = (g: Graph) => g.nodes.map((n) => ({ name: n.name, op: n.opType, domain: n.domain, inputs: n.inputs, outputs: n.outputs, attrs: n.attrs }));
  expect(shape(back)).toEqual(shape(graph));
  for (const [name, t] of graph.initializers) {
    const u = back.initializers.get(name)!;
    expect([u.dtype, u.shape, Array.from(u.data as ArrayLike<number>)]).toEqual([t.dtype, t.shape, Array.from(t.data as ArrayLike<number>)]);
  }
  for (const f of calibration.slice(0, 5)) {
    const out = graph.outputs[0].name;
    expect(Array.from(runGraph(back, f).get(out)!.data as Float32Array)).toEqual(Array.from(runGraph(graph, f).get(out)!.data as Float32Array));
  }
}

describe('quantized ONNX round trip', () => {
  it('keeps Int8Conv, Int8Add, Int8AveragePool, Int8GlobalAveragePool and Int8Gemm', () => roundTrip(residualModel()));
  it('keeps QuantizeLinear, MaxPool and Flatten on int8, and the float Softmax tail', () => roundTrip(smallCnn()));
});
