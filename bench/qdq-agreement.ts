// Agreement of edgeprune's int8 semantics with onnxruntime on the exported QDQ model (issue 9, section 2): int8 models
// (built in edgeprune's int8 ops with seeded weights, on uniform inputs; or float models quantized by edgeprune quantize,
// on the digits test split) are exported as QDQ ONNX and run in onnxruntime-node and in the interpreter on the same
// inputs; per int8 tensor (each layer's output, in the chain) and for the float output, the share of elements
// equal and the largest difference in LSB. onnxruntime runs three ways: without graph optimizations (the QDQ graph as
// written: float conv, then QuantizeLinear), with its default optimizations, and with its int8 QDQ fusion allowed
// (session.qdqisint8allowed: DQ→Conv→Q becomes QLinearConv, an integer accumulator with a float32 requantization).
// docs/numerics.md ("int8 against onnxruntime") explains the differences.
//
//   npx tsc -p . && node dist/bench/qdq-agreement.js [--vectors 200] [--json]

// First: onnxruntime reads ORT_DISABLE_TELEMETRY once, when it loads.
import './support/onnxruntime-no-telemetry.js';
import ort from 'onnxruntime-node';
import { readCsvDataset } from '../src/data/csv.js';
import { splitDataset } from '../src/data/split.js';
import { loadModel } from '../src/import/load-model.js';
import type { Graph } from '../src/ir/graph.js';
import { runGraph } from '../src/ir/interpreter.js';
import { shapeSize, Tensor } from '../src/ir/tensor.js';
import { int8DigitsMlp, int8MnistLikeCnn } from '../src/models/int8-sample-models.js';
import { residualCnn } from '../src/models/sample-models.js';
import { exportOnnx } from '../src/onnx/export.js';
import { EDGEPRUNE_DOMAIN } from '../src/ops/util/int8-params.js';
import { calibrationInputs } from '../src/quant/calibration-data.js';
import { LsbAgreement } from '../src/quant/onnx/lsb-agreement.js';
import { quantizeModel } from '../src/quant/quantize.js';
import { repoPath } from '../src/util/package-root.js';
import { Random } from '../src/util/random.js';
import { isMain, table } from './kernels/bench-lib.js';

/** The ways onnxruntime runs the QDQ model. */
export const ORT_MODES: Record<string, ort.InferenceSession.SessionOptions> = {
  'ort float (no optimization)': { graphOptimizationLevel: 'disabled' },
  'ort default': { graphOptimizationLevel: 'all' },
  'ort int8 fusion': { graphOptimizationLevel: 'all', extra: { session: { qdqisint8allowed: '1' } } },
};

/** A model to compare and the inputs to compare it on. */
export interface AgreementCase {
  graph: Graph;
  inputs: Record<string, Tensor>[];
}

/** Seeded inputs uniform in [0, 1) for the first graph input. */
function uniformInputs(g: Graph, vectors: number, seed = 1): Record<string, Tensor>[] {
  const input = g.inputs[0];
  const shape = input.shape as number[];
  const rng = new Random(seed);
  return Array.from({ length: vectors }, () => ({ [input.name]: Tensor.fromNumbers('float32', shape, Array.from({ length: shapeSize(shape) }, () => rng.uniform(0, 1))) }));
}

const built = (make: () => Graph) => async (vectors: number): Promise<AgreementCase> => {
  const graph = make();
  return { graph, inputs: uniformInputs(graph, vectors) };
};

/** A float model quantized by edgeprune quantize (500 calibration samples of the digits train split), on the test split's samples. */
const quantized = (load: () => Promise<Graph>) => async (vectors: number): Promise<AgreementCase> => {
  const float = await load();
  const split = splitDataset(readCsvDataset(repoPath('examples/digits/digits.csv.gz')), { validation: 0.15, test: 0.2 }, 0);
  const { graph } = quantizeModel(float, calibrationInputs(float, split.train, 500));
  return { graph, inputs: calibrationInputs(float, split.test, vectors) };
};

export const MODELS: Record<string, (vectors: number) => Promise<AgreementCase>> = {
  'int8 MNIST-like CNN': built(() => int8MnistLikeCnn()),
  'int8 digits MLP': built(() => int8DigitsMlp()),
  'int8 MNIST-like CNN, power-of-two scales': built(() => int8MnistLikeCnn(4, { powerOfTwoScales: true })),
  'digits CNN (bundled), quantized': quantized(() => loadModel(repoPath('examples/models/digits-cnn.onnx'))),
  'residual CNN (Add, average pools), quantized': quantized(async () => residualCnn()),
};

export interface AgreementRow {
  model: string;
  mode: string;
  /** 'output' (the float output, in LSB of its scale) or the int8 tensor's name. */
  tensor: string;
  elements: number;
  /** Elements that differ. */
  differ: number;
  equalShare: number;
  maxLsb: number;
}

/** The graph with every int8 layer's output also a graph output, so that each can be compared. */
function withLayerOutputs(g: Graph): Graph {
  const layerOutputs = g.nodes.filter((n) => n.domain === EDGEPRUNE_DOMAIN).map((n) => n.outputs[0]);
  return { ...g, outputs: [...g.outputs, ...layerOutputs.map((name) => ({ ...g.values.get(name)! }))] };
}

/** The scale of a float output produced by DequantizeLinear. */
function outputScale(g: Graph, name: string): number | undefined {
  const dq = g.nodes.find((n) => n.outputs[0] === name && n.opType === 'DequantizeLinear');
  return dq ? g.initializers.get(dq.inputs[1])!.at(0) : undefined;
}

export async function measureAgreement(modelName: string, make: (vectors: number) => Promise<AgreementCase>, vectors: number): Promise<AgreementRow[]> {
  const { graph: model, inputs } = await make(vectors);
  const floatOutputs = new Set(model.outputs.map((o) => o.name));
  const g = withLayerOutputs(model);
  const bytes = exportOnnx(g);
  const ours = inputs.map((feeds) => runGraph(g, feeds));
  // Float outputs are compared in LSB of the DequantizeLinear making them; a float tail (Softmax) is not: its int8 input is.
  const compared = g.outputs.filter((o) => !floatOutputs.has(o.name) || outputScale(g, o.name) !== undefined);
  const rows: AgreementRow[] = [];
  for (const [mode, options] of Object.entries(ORT_MODES)) {
    const session = await ort.InferenceSession.create(bytes, options);
    try {
      const stats = new Map(compared.map((o) => [o.name, new LsbAgreement()]));
      for (const [v, feeds] of inputs.entries()) {
        const ortFeeds = Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, new ort.Tensor('float32', t.data as Float32Array, t.shape)]));
        const results = await session.run(ortFeeds);
        for (const o of compared) {
          const mine = ours[v].get(o.name)!;
          stats.get(o.name)!.add(mine, new Tensor(mine.dtype, mine.shape, results[o.name].data as Float32Array | Int8Array), outputScale(g, o.name) ?? 1);
        }
      }
      for (const o of compared) {
        const s = stats.get(o.name)!;
        const tensor = floatOutputs.has(o.name) ? `${o.name} (float output)` : o.name;
        rows.push({ model: modelName, mode, tensor, elements: s.elements, differ: s.elements - s.equal, equalShare: s.equalShare, maxLsb: s.maxLsb });
      }
    } finally {
      await session.release();
    }
  }
  return rows;
}

async function main(): Promise<void> {
  const at = process.argv.indexOf('--vectors');
  const vectors = at > 0 ? Number(process.argv[at + 1]) : 200;
  const rows: AgreementRow[] = [];
  for (const [name, make] of Object.entries(MODELS)) rows.push(...(await measureAgreement(name, make, vectors)));
  if (process.argv.includes('--json')) {
    console.log(JSON.stringify({ vectors, rows }, null, 2));
    return;
  }
  console.log(`edgeprune int8 interpreter vs onnxruntime-node on the exported QDQ model, ${vectors} inputs each (seeded uniform; the digits test split for quantized models)\n`);
  console.log(
    table(
      ['model', 'onnxruntime', 'tensor', 'elements', 'differ', 'equal', 'max diff (LSB)'],
      rows.map((r) => [r.model, r.mode, r.tensor, r.elements, r.differ, `${(100 * r.equalShare).toFixed(4)}%`, r.maxLsb]),
      3,
    ),
  );
}

if (isMain(import.meta.url)) await main();
