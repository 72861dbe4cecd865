// The int8 digits CNN (examples/models/digits-cnn.onnx quantized on examples/digits/digits.csv.gz, as `edgeprune
// quantize` does) for the RTL tests of its layers: the quantized graph and every intermediate value of a few images.
import path from 'node:path';
import { loadDataset } from '../../src/data/load-dataset.js';
import { loadModel } from '../../src/import/load-model.js';
import type { Graph, Node } from '../../src/ir/graph.js';
import { runGraph } from '../../src/ir/interpreter.js';
import { Tensor } from '../../src/ir/tensor.js';
import { EDGEPRUNE_DOMAIN, LAYER_INPUTS } from '../../src/ops/util/int8-params.js';
import { calibrationInputs } from '../../src/quant/calibration-data.js';
import { quantizeModel } from '../../src/quant/quantize.js';

export interface DigitsCnn {
  graph: Graph;
  /** Per image: every value the interpreter computed, by name. */
  values: Map<string, Tensor>[];
  /** The nodes of one type, in graph order. */
  nodes(opType: string): Node[];
}

/** Quantize the digits CNN and run `images` rows of the data set through the interpreter. */
export async function digitsCnn(images: number): Promise<DigitsCnn> {
  const float = await loadModel(path.resolve('examples/models/digits-cnn.onnx'));
  const data = loadDataset(path.resolve('examples/digits/digits.csv.gz'));
  const graph = quantizeModel(float, calibrationInputs(float, data)).graph;
  const input = graph.inputs[0].name;
  const values = calibrationInputs(float, data, images).map((feed) => runGraph(graph, { [input]: feed[float.inputs[0].name] }, { keepIntermediates: true }));
  return { graph, values, nodes: (opType) => graph.nodes.filter((n) => n.opType === opType) };
}

/**
 * The quantized digits CNN with its MaxPool replaced by an Int8AveragePool of the same window: input scale and zero
 * point conv2's output's, output zero point the same, output scale 1.5 times wider (so that it requantizes for real).
 */
export function withAveragePool(cnn: DigitsCnn): Graph {
  const [, conv2] = cnn.nodes('Int8Conv');
  const [pool] = cnn.nodes('MaxPool');
  const yScale = `${pool.name}_avg_y_scale`;
  const scale = cnn.graph.initializers.get(conv2.inputs[LAYER_INPUTS.Y_SCALE])!.at(0) as number;
  return {
    ...cnn.graph,
    initializers: new Map([...cnn.graph.initializers, [yScale, Tensor.fromNumbers('float32', [], [scale * 1.5])]]),
    nodes: cnn.graph.nodes.map((n) =>
      n === pool
        ? {
            ...n,
            opType: 'Int8AveragePool',
            domain: EDGEPRUNE_DOMAIN,
            inputs: [n.inputs[0], conv2.inputs[LAYER_INPUTS.Y_SCALE], conv2.inputs[LAYER_INPUTS.Y_ZERO], yScale, conv2.inputs[LAYER_INPUTS.Y_ZERO]],
            attrs: { kernel_shape: n.attrs.kernel_shape, strides: n.attrs.strides, act_min: { kind: 'int' as const, value: -128 }, act_max: { kind: 'int' as const, value: 127 } },
          }
        : n,
    ),
  };
}
