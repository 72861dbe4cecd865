// Agreement of edgeprune's int8 semantics with onnxruntime on the exported QDQ model (issue 9, section 2): int8 models
// built in edgeprune's int8 ops are exported as QDQ ONNX and run in onnxruntime-node and in the interpreter on the same
// seeded inputs; per int8 tensor (each layer's output, in the chain) and for the float output, the share of elements
// equal and the largest difference in LSB. onnxruntime runs three ways: without graph optimizations (the QDQ graph as
// written: float conv, then QuantizeLinear), with its default optimizations, and with its int8 QDQ fusion allowed
// (session.qdqisint8allowed: DQ→Conv→Q becomes QLinearConv, an integer accumulator with a float32 requantization).
// docs/numerics.md ("int8 against onnxruntime") explains the differences.
//
//   npx tsc -p . && node dist/bench/qdq-agreement.js [--vectors 200] [--json]

import ort from 'onnxruntime-node';
import type { Graph } from '../src/ir/graph.js';
import { runGraph } from '../src/ir/interpreter.js';
import { shapeSize, Tensor } from '../src/ir/tensor.js';
import { int8DigitsMlp, int8MnistLikeCnn } from '../src/models/int8-sample-models.js';
import { exportOnnx } from '../src/onnx/export.js';
import { EDGEPRUNE_DOMAIN } from '../src/ops/util/int8-params.js';
import { LsbAgreement } from '../src/quant/onnx/lsb-agreement.js';
import { Random } from '../src/util/random.js';
import { isMain, table } from './kernels/bench-lib.js';

/** The ways onnxruntime runs the QDQ model. */
export const ORT_MODES: Record<string, ort.InferenceSession.SessionOptions> = {
  'ort float (no optimization)': { graphOptimizationLevel: 'disabled' },
  'ort default': { graphOptimizationLevel: 'all' },
  'ort int8 fusion': { graphOptimizationLevel: 'all', extra: { session: { qdqisint8allowed: '1' } } },
};

export const MODELS: Record<string, () => Graph> = {
  'int8 MNIST-like CNN': () => int8MnistLikeCnn(),
  'int8 digits MLP': () => int8DigitsMlp(),
  'int8 MNIST-like CNN, power-of-two scales': () => int8MnistLikeCnn(4, { powerOfTwoScales: true }),
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

/** The scale of a float output produced by DequantizeLinear (1 otherwise). */
function outputScale(g: Graph, name: string): number {
  const dq = g.nodes.find((n) => n.outputs[0] === name && n.opType === 'DequantizeLinear');
  return dq ? g.initializers.get(dq.inputs[1])!.at(0) : 1;
}

export async function measureAgreement(modelName: string, make: () => Graph, vectors: number, seed = 1): Promise<AgreementRow[]> {
  const model = make();
  const floatOutputs = new Set(model.outputs.map((o) => o.name));
  const g = withLayerOutputs(model);
  const bytes = exportOnnx(g);
  const input = g.inputs[0];
  const shape = input.shape as number[];
  const rng = new Random(seed);
  const feeds = Array.from({ length: vectors }, () => Tensor.fromNumbers('float32', shape, Array.from({ length: shapeSize(shape) }, () => rng.uniform(0, 1))));
  const ours = feeds.map((x) => runGraph(g, { [input.name]: x }));
  const rows: AgreementRow[] = [];
  for (const [mode, options] of Object.entries(ORT_MODES)) {
    const session = await ort.InferenceSession.create(bytes, options);
    try {
      const stats = new Map(g.outputs.map((o) => [o.name, new LsbAgreement()]));
      for (const [v, x] of feeds.entries()) {
        const results = await session.run({ [input.name]: new ort.Tensor('float32', x.data as Float32Array, shape) });
        for (const o of g.outputs) {
          const theirs = results[o.name];
          const mine = ours[v].get(o.name)!;
          stats.get(o.name)!.add(mine, new Tensor(mine.dtype, mine.shape, theirs.data as Float32Array | Int8Array), outputScale(g, o.name));
        }
      }
      for (const o of g.outputs) {
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
  console.log(`edgeprune int8 interpreter vs onnxruntime-node on the exported QDQ model, ${vectors} seeded inputs each\n`);
  console.log(
    table(
      ['model', 'onnxruntime', 'tensor', 'elements', 'differ', 'equal', 'max diff (LSB)'],
      rows.map((r) => [r.model, r.mode, r.tensor, r.elements, r.differ, `${(100 * r.equalShare).toFixed(4)}%`, r.maxLsb]),
      3,
    ),
  );
}

if (isMain(import.meta.url)) await main();
