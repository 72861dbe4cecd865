// Quantized ONNX (QDQ, QLinearConv/QLinearMatMul, ConvInteger/MatMulInteger) → edgeprune's int8 ops, for deployment.
//
// The standard quantized ops stay valid IR (the interpreter runs them with onnxruntime's float requantization, and the
// ONNX conformance tests rely on that); this pass gives a quantized model the deployed integer semantics of
// docs/numerics.md ("int8") that the C kernels reproduce bit for bit. It runs where a command loads a model file
// (loadModel sets LoadOptions.int8Ops: inspect, eval, compile, verify, build, ...), so a quantized model means one
// thing in every command; loadOnnx/loadOnnxBytes alone (conformance, library use) keep the standard ops. In order:
//   1. refuse the schemes the int8 ops cannot hold, naming the node (src/quant/onnx/scheme-check.ts);
//   2. turn uint8 activations and weights into int8 exactly (src/quant/onnx/uint8-to-int8.ts);
//   3. replace each quantized layer by Int8Conv / Int8Gemm / Int8AveragePool / Int8GlobalAveragePool / Int8Add, and
//      the moving ops between Q/DQ pairs by their int8 form;
//   4. drop what became dead (the DequantizeLinear nodes of weights and activations).
// What matches no pattern stays as it is (a float island between DequantizeLinear and QuantizeLinear, a float tail).

import { cloneGraph, type Graph } from '../ir/graph.js';
import { inferShapes } from '../ir/infer-shapes.js';
import { verifyGraph } from '../ir/verify.js';
import { applyMatchers } from '../quant/onnx/layer-matcher.js';
import { MOVING_LAYER_MATCHERS } from '../quant/onnx/moving-layers.js';
import { POOL_ADD_MATCHERS } from '../quant/onnx/pool-add-layers.js';
import { QDQ_LAYER_MATCHERS } from '../quant/onnx/qdq-layers.js';
import { QLINEAR_LAYER_MATCHERS } from '../quant/onnx/qlinear-layers.js';
import { QuantGraph } from '../quant/onnx/quant-graph.js';
import { checkQuantizationSchemes } from '../quant/onnx/scheme-check.js';
import { shiftUint8ToInt8 } from '../quant/onnx/uint8-to-int8.js';
import { eliminateDeadCode } from './eliminate-dead-code.js';
import type { Pass } from './pass.js';

const QUANTIZED_OPS = new Set(['QuantizeLinear', 'DequantizeLinear', 'QLinearConv', 'QLinearMatMul', 'ConvInteger', 'MatMulInteger']);

/** Whether the graph holds standard quantized ops (the input this pass converts). */
export function holdsQuantizedOnnx(g: Graph): boolean {
  return g.nodes.some((n) => n.domain === '' && QUANTIZED_OPS.has(n.opType));
}

/** Layer matchers (src/quant/onnx/layer-matcher.ts) by anchor op. A new int8 op is one more entry. */
const MATCHERS = { ...QDQ_LAYER_MATCHERS, ...QLINEAR_LAYER_MATCHERS, ...POOL_ADD_MATCHERS, ...MOVING_LAYER_MATCHERS };

/** The conversion with what it made: how many int8 layers of each op. */
export function convertQuantizedGraph(input: Graph): { graph: Graph; made: Map<string, number> } {
  if (!holdsQuantizedOnnx(input)) return { graph: input, made: new Map() };
  checkQuantizationSchemes(new QuantGraph(input));
  const g = cloneGraph(shiftUint8ToInt8(input));
  const made = applyMatchers(g, MATCHERS);
  const { graph } = eliminateDeadCode.run(g);
  graph.values = new Map();
  inferShapes(graph);
  return { graph, made };
}

export const convertQuantizedOnnx: Pass = {
  name: 'convert-quantized-onnx',
  run(input: Graph) {
    const { graph } = convertQuantizedGraph(input);
    return { graph, changed: graph !== input };
  },
};

/** The pass as the loader runs it (LoadOptions.int8Ops): the converted graph, verified. */
export function convertForDeployment(g: Graph): Graph {
  const { graph } = convertQuantizedGraph(g);
  if (graph !== g) verifyGraph(graph);
  return graph;
}
