// The int8 digits CNN (examples/models/digits-cnn.onnx quantized on examples/digits/digits.csv.gz, as `edgeprune
// quantize` does) for the RTL tests of its layers: the quantized graph and every intermediate value of a few images.
import path from 'node:path';
import { loadDataset } from '../../src/data/load-dataset.js';
import { loadModel } from '../../src/import/load-model.js';
import type { Graph, Node } from '../../src/ir/graph.js';
import { runGraph } from '../../src/ir/interpreter.js';
import type { Tensor } from '../../src/ir/tensor.js';
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
