// `edgeprune quantize <model> --data <file> --out <model.onnx> [--qat-epochs N]`: int8 quantization (post-training, or after
// quantization-aware fine-tuning on the train split), with the float and int8 accuracy.

import type { Command } from 'commander';
import { evaluateModel, type EvalResult } from '../../data/evaluate.js';
import { fitToModel } from '../../data/fit-model.js';
import type { Dataset } from '../../data/dataset.js';
import { UserError } from '../../errors.js';
import { checkModelOut, formatOf, writeModel } from '../../export/write-model.js';
import type { Graph } from '../../ir/graph.js';
import { loadModel } from '../../import/load-model.js';
import type { InputShapes } from '../../passes/fix-input-shapes.js';
import { CALIBRATION_METHODS, DEFAULT_CALIBRATION, DEFAULT_PERCENTILE, type CalibrationMethod } from '../../quant/calibrate.js';
import { calibrationInputs, DEFAULT_CALIBRATION_SAMPLES } from '../../quant/calibration-data.js';
import { DEFAULT_QAT_LEARNING_RATE } from '../../quant/qat-defaults.js';
import type { QatResult } from '../../quant/qat.js';
import type { WeightGranularity } from '../../quant/qparams.js';
import { quantizeModel, type QuantizeReport } from '../../quant/quantize.js';
import { terminalJson, terminalName } from '../../util/escape.js';
import { addDataOptions, loadSplit, type DataOptions } from '../data-options.js';
import { DENSE_WEIGHTS_HELP, parseDenseWeights } from '../precision-options.js';
import { formatBytes, renderTable } from '../format.js';
import { collectInputShape, numberOption, parseIntOption } from '../options.js';

interface QuantizeCliOptions extends DataOptions {
  data: string;
  out: string;
  calibration: string;
  tensorCalibration?: Record<string, string>;
  percentile: number;
  samples: number;
  force?: boolean;
  json?: boolean;
  inputShape?: InputShapes;
  qatEpochs?: number;
  lr?: number;
  batchSize?: number;
  denseWeights?: WeightGranularity;
}

/** Flags that only quantization-aware fine-tuning reads. */
const QAT_ONLY_FLAGS = [
  ['lr', '--lr'],
  ['batchSize', '--batch-size'],
] as const;

function checkMethod(method: string, flag: string): CalibrationMethod {
  if (!(CALIBRATION_METHODS as readonly string[]).includes(method)) throw new UserError(`${flag} '${method}' is not a calibration method; known: ${CALIBRATION_METHODS.join(', ')}`);
  return method as CalibrationMethod;
}

/** Commander collector for repeatable --tensor-calibration name=method. */
function collectTensorMethod(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const eq = value.lastIndexOf('=');
  if (eq <= 0) throw new UserError(`--tensor-calibration takes name=method (e.g. relu1_out=mse), got '${value}'`);
  return { ...previous, [value.slice(0, eq)]: checkMethod(value.slice(eq + 1), '--tensor-calibration') };
}

interface AccuracyFigures {
  split: string;
  samples: number;
  float: EvalResult;
  int8: EvalResult;
  /** With QAT: the int8 model of post-training quantization alone, for comparison. */
  ptq?: EvalResult;
}

const evaluateOn = (g: Graph, test: Dataset) => evaluateModel(g, fitToModel(test, g));

function evaluateBoth(float: Graph, int8: Graph, test: Dataset): AccuracyFigures {
  return { split: 'test', samples: test.count, float: evaluateOn(float, test), int8: evaluateOn(int8, test) };
}

interface QatSummary {
  epochs: number;
  learningRate: number;
  batchSize: number;
  loss: number[];
  masked: string[];
  fakeQuant: QatResult['fakeQuant'];
}

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
const range = (r: { min: number; max: number }) => `[${r.min.toPrecision(4)}, ${r.max.toPrecision(4)}]`;

function renderSummary(report: QuantizeReport, acc: AccuracyFigures, method: CalibrationMethod, denseWeights: WeightGranularity, qat?: QatSummary): string {
  const layers = renderTable(['layer', 'float', 'int8'], report.layers.map((l) => [terminalName(l.name), l.from, l.to]));
  const tensors = renderTable(
    ['tensor', 'calibration', 'observed', 'clipped to', 'scale', 'zero point'],
    report.tensors.map((t) => [terminalName(t.name), t.method, range(t.observed), range(t.clip), t.scale.toPrecision(6), String(t.zeroPoint)]),
    [false, false, true, true, true, true],
  );
  const { float, int8 } = report.weightBytes;
  const lines = [`calibration: ${report.samples} samples of the train split, ${method} by default${denseWeights === 'per-tensor' ? '; dense layer weights per tensor' : ''}`];
  if (qat) {
    const loss = qat.loss.map((l) => l.toFixed(4)).join(' → ');
    lines.push(
      `quantization-aware fine-tuning: ${qat.epochs} epoch${qat.epochs === 1 ? '' : 's'} on the train split (Adam, lr ${qat.learningRate}, batch ${qat.batchSize}), ` +
        `${qat.fakeQuant.weights.length} kernels and ${qat.fakeQuant.activations.length} activations fake-quantized; loss ${loss}`,
    );
    if (qat.masked.length) lines.push(`pruned weights kept at zero in ${qat.masked.map((m) => terminalName(m)).join(', ')}`);
  }
  lines.push(
    '',
    layers,
    '',
    tensors,
    '',
    `constants: ${formatBytes(float)} float → ${formatBytes(int8)} int8 (${(int8 / float).toFixed(2)}x)`,
  );
  const ptq = acc.ptq;
  if (acc.float.task === 'regression') {
    const ptqText = ptq ? ` · PTQ-only int8 ${ptq.mse!.toFixed(6)} · QAT` : ' ·';
    lines.push(`test MSE (${acc.samples} samples): float ${acc.float.mse!.toFixed(6)}${ptqText} int8 ${acc.int8.mse!.toFixed(6)}`);
  } else {
    const points = (r: EvalResult) => {
      const d = (r.accuracy! - acc.float.accuracy!) * 100;
      return `(${d >= 0 ? '+' : ''}${d.toFixed(2)} points)`;
    };
    const ptqText = ptq ? ` · PTQ-only int8 ${pct(ptq.accuracy!)} ${points(ptq)} · QAT` : ' ·';
    lines.push(`test accuracy (${acc.samples} samples): float ${pct(acc.float.accuracy!)}${ptqText} int8 ${pct(acc.int8.accuracy!)} ${points(acc.int8)}`);
  }
  return lines.join('\n');
}

export function registerQuantize(program: Command): void {
  const cmd = program
    .command('quantize')
    .description('int8 quantization: calibrate activation ranges on data (after quantization-aware fine-tuning with --qat-epochs), write an int8 ONNX model (QuantizeLinear → int8 ops → DequantizeLinear)')
    .argument('<model>', 'float model (.onnx, or a TF.js model.json)')
    .requiredOption('--data <file>', 'data: calibration samples are taken from its train split, accuracy is measured on its test split')
    .requiredOption('--out <file>', 'the int8 model (.onnx)')
    .option('--calibration <method>', `activation ranges: ${CALIBRATION_METHODS.join(', ')}`, DEFAULT_CALIBRATION)
    .option('--tensor-calibration <name=method>', 'the method of one tensor (repeatable)', collectTensorMethod)
    .option('--percentile <p>', 'percentile of the percentile method (both ends clipped)', numberOption('--percentile', { min: 50, minExclusive: true, max: 100 }), DEFAULT_PERCENTILE)
    .option('--dense-weights <g>', DENSE_WEIGHTS_HELP, parseDenseWeights, 'per-channel')
    .option('--samples <n>', 'calibration samples (the first of the train split)', parseIntOption('--samples', 1, 1_000_000), DEFAULT_CALIBRATION_SAMPLES)
    .option('--force', 'replace an existing output')
    .option('--json', 'print one JSON object')
    .option('--input-shape <name=dims>', 'fix a dynamic input shape (repeatable)', collectInputShape)
    .option('--qat-epochs <n>', 'quantization-aware fine-tuning: epochs on the train split with fake int8 quantization before converting (pruned weights stay zero)', parseIntOption('--qat-epochs', 1, 100_000))
    .option('--lr <rate>', `learning rate of the quantization-aware fine-tuning (Adam; default ${DEFAULT_QAT_LEARNING_RATE})`, numberOption('--lr', { min: 0, minExclusive: true, max: Number.MAX_VALUE }))
    .option('--batch-size <n>', 'batch size of the quantization-aware fine-tuning (default 32)', parseIntOption('--batch-size', 1, 65536));
  addDataOptions(cmd).action(async (file: string, o: QuantizeCliOptions) => {
    const method = checkMethod(o.calibration, '--calibration');
    if (o.qatEpochs === undefined) {
      for (const [key, flag] of QAT_ONLY_FLAGS) {
        if (o[key] !== undefined) throw new UserError(`${flag} sets the quantization-aware fine-tuning, which runs only with --qat-epochs`, `add --qat-epochs <n>, or drop ${flag}`);
      }
    }
    if (formatOf(o.out) !== 'onnx') throw new UserError(`--out '${o.out}' must be an .onnx file: a TF.js layers model cannot hold int8 ops`);
    checkModelOut(o.out, o.force, [file, o.data]);
    const g = await loadModel(file, { inputShapes: o.inputShape });
    const split = loadSplit(o.data, o);
    const feeds = calibrationInputs(g, split.train, o.samples);
    const perTensor = o.tensorCalibration as Record<string, CalibrationMethod> | undefined;
    const options = { method, perTensor, percentile: o.percentile, denseWeights: o.denseWeights };
    const ptq = quantizeModel(g, feeds, options);
    let { graph, report } = ptq;
    let qat: QatSummary | undefined;
    if (o.qatEpochs !== undefined) {
      const { quantizeWithTraining } = await import('../../quant/qat.js');
      const learningRate = o.lr ?? DEFAULT_QAT_LEARNING_RATE;
      const batchSize = o.batchSize ?? 32;
      const r = await quantizeWithTraining(g, split.train, { ...options, epochs: o.qatEpochs, learningRate, batchSize, seed: o.seed, samples: o.samples });
      ({ graph, report } = r);
      qat = { epochs: o.qatEpochs, learningRate, batchSize, loss: r.history.map((e) => e.loss), masked: r.masked, fakeQuant: r.fakeQuant };
    }
    const accuracy = evaluateBoth(g, graph, split.test);
    if (qat) accuracy.ptq = evaluateOn(ptq.graph, split.test);
    await writeModel(graph, o.out);
    if (o.json) {
      const score = (r: EvalResult) => (r.task === 'regression' ? { mse: r.mse } : { accuracy: r.accuracy, loss: r.loss });
      console.log(terminalJson({
        model: file, out: o.out, calibration: { method, perTensor: perTensor ?? {}, percentile: o.percentile, samples: report.samples }, denseWeights: o.denseWeights,
        layers: report.layers, tensors: report.tensors, weightBytes: report.weightBytes,
        accuracy: { split: accuracy.split, samples: accuracy.samples, float: score(accuracy.float), int8: score(accuracy.int8), ...(accuracy.ptq ? { ptq: score(accuracy.ptq) } : {}) },
        ...(qat ? { qat } : {}),
      }));
      return;
    }
    console.log(renderSummary(report, accuracy, method, o.denseWeights ?? 'per-channel', qat));
    console.log(`wrote ${o.out}`);
  });
}
