// `edgeprune quantize <model> --data <file> --out <model.onnx>`: post-training int8 quantization, with the float and int8 accuracy.

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
import { quantizeModel, type QuantizeReport } from '../../quant/quantize.js';
import { terminalJson, terminalName } from '../../util/escape.js';
import { addDataOptions, loadSplit, type DataOptions } from '../data-options.js';
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
}

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
}

function evaluateBoth(float: Graph, int8: Graph, test: Dataset): AccuracyFigures {
  return { split: 'test', samples: test.count, float: evaluateModel(float, fitToModel(test, float)), int8: evaluateModel(int8, fitToModel(test, int8)) };
}

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
const range = (r: { min: number; max: number }) => `[${r.min.toPrecision(4)}, ${r.max.toPrecision(4)}]`;

function renderSummary(report: QuantizeReport, acc: AccuracyFigures, method: CalibrationMethod): string {
  const layers = renderTable(['layer', 'float', 'int8'], report.layers.map((l) => [terminalName(l.name), l.from, l.to]));
  const tensors = renderTable(
    ['tensor', 'calibration', 'observed', 'clipped to', 'scale', 'zero point'],
    report.tensors.map((t) => [terminalName(t.name), t.method, range(t.observed), range(t.clip), t.scale.toPrecision(6), String(t.zeroPoint)]),
    [false, false, true, true, true, true],
  );
  const { float, int8 } = report.weightBytes;
  const lines = [
    `calibration: ${report.samples} samples of the train split, ${method} by default`,
    '',
    layers,
    '',
    tensors,
    '',
    `constants: ${formatBytes(float)} float → ${formatBytes(int8)} int8 (${(int8 / float).toFixed(2)}x)`,
  ];
  if (acc.float.task === 'regression') {
    lines.push(`test MSE (${acc.samples} samples): float ${acc.float.mse!.toFixed(6)} · int8 ${acc.int8.mse!.toFixed(6)}`);
  } else {
    const drop = (acc.int8.accuracy! - acc.float.accuracy!) * 100;
    lines.push(`test accuracy (${acc.samples} samples): float ${pct(acc.float.accuracy!)} · int8 ${pct(acc.int8.accuracy!)} (${drop >= 0 ? '+' : ''}${drop.toFixed(2)} points)`);
  }
  return lines.join('\n');
}

export function registerQuantize(program: Command): void {
  const cmd = program
    .command('quantize')
    .description('post-training int8 quantization: calibrate activation ranges on data, write an int8 ONNX model (QuantizeLinear → int8 ops → DequantizeLinear)')
    .argument('<model>', 'float model (.onnx, or a TF.js model.json)')
    .requiredOption('--data <file>', 'data: calibration samples are taken from its train split, accuracy is measured on its test split')
    .requiredOption('--out <file>', 'the int8 model (.onnx)')
    .option('--calibration <method>', `activation ranges: ${CALIBRATION_METHODS.join(', ')}`, DEFAULT_CALIBRATION)
    .option('--tensor-calibration <name=method>', 'the method of one tensor (repeatable)', collectTensorMethod)
    .option('--percentile <p>', 'percentile of the percentile method (both ends clipped)', numberOption('--percentile', { min: 50, minExclusive: true, max: 100 }), DEFAULT_PERCENTILE)
    .option('--samples <n>', 'calibration samples (the first of the train split)', parseIntOption('--samples', 1, 1_000_000), DEFAULT_CALIBRATION_SAMPLES)
    .option('--force', 'replace an existing output')
    .option('--json', 'print one JSON object')
    .option('--input-shape <name=dims>', 'fix a dynamic input shape (repeatable)', collectInputShape);
  addDataOptions(cmd).action(async (file: string, o: QuantizeCliOptions) => {
    const method = checkMethod(o.calibration, '--calibration');
    if (formatOf(o.out) !== 'onnx') throw new UserError(`--out '${o.out}' must be an .onnx file: a TF.js layers model cannot hold int8 ops`);
    checkModelOut(o.out, o.force, [file, o.data]);
    const g = await loadModel(file, { inputShapes: o.inputShape });
    const split = loadSplit(o.data, o);
    const feeds = calibrationInputs(g, split.train, o.samples);
    const perTensor = o.tensorCalibration as Record<string, CalibrationMethod> | undefined;
    const { graph, report } = quantizeModel(g, feeds, { method, perTensor, percentile: o.percentile });
    const accuracy = evaluateBoth(g, graph, split.test);
    await writeModel(graph, o.out);
    if (o.json) {
      const score = (r: EvalResult) => (r.task === 'regression' ? { mse: r.mse } : { accuracy: r.accuracy, loss: r.loss });
      console.log(terminalJson({
        model: file, out: o.out, calibration: { method, perTensor: perTensor ?? {}, percentile: o.percentile, samples: report.samples },
        layers: report.layers, tensors: report.tensors, weightBytes: report.weightBytes,
        accuracy: { split: accuracy.split, samples: accuracy.samples, float: score(accuracy.float), int8: score(accuracy.int8) },
      }));
      return;
    }
    console.log(renderSummary(report, accuracy, method));
    console.log(`wrote ${o.out}`);
  });
}
