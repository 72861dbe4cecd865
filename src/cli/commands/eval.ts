// `edgeprune eval <model> --data <file>`: accuracy and loss (or MSE) with the reference interpreter.

import type { Command } from 'commander';
import { evaluateModel } from '../../data/evaluate.js';
import { UserError } from '../../errors.js';
import { loadModel } from '../../import/load-model.js';
import type { InputShapes } from '../../passes/fix-input-shapes.js';
import { addDataOptions, DATA_HELP, pickSplit, type DataOptions, type SplitName } from '../data-options.js';
import { collectInputShape, parseIntOption } from '../options.js';
import { terminalJson } from '../../util/escape.js';

interface EvalOptions extends DataOptions {
  data: string;
  split: SplitName;
  topK: number;
  json?: boolean;
  inputShape?: InputShapes;
}

export function registerEval(program: Command): void {
  const cmd = program
    .command('eval')
    .description('evaluate a model on a data set with the reference interpreter: top-1/top-k accuracy and cross-entropy, or MSE')
    .argument('<model>', 'model file (.onnx)')
    .requiredOption('--data <file>', `data: ${DATA_HELP}`)
    .option('--split <part>', 'which part of the seeded split: all, train, validation or test', 'all')
    .option('--top-k <k>', 'k of the top-k accuracy', parseIntOption('--top-k', 1, 1_000_000), 5)
    .option('--json', 'print one JSON object')
    .option('--input-shape <name=dims>', 'fix a dynamic input shape (repeatable)', collectInputShape);
  addDataOptions(cmd).action(async (file: string, o: EvalOptions) => {
    if (!['all', 'train', 'validation', 'test'].includes(o.split)) throw new UserError(`--split must be all, train, validation or test, got '${o.split}'`);
    if (o.topK < 1) throw new UserError(`--top-k must be at least 1, got ${o.topK}`);
    const g = await loadModel(file, { inputShapes: o.inputShape });
    const ds = pickSplit(o.data, o, o.split);
    const r = evaluateModel(g, ds, o.topK);
    if (r.nonFiniteOutputs > 0) {
      process.stderr.write(`warning: ${r.nonFiniteOutputs} of ${r.samples} samples gave NaN or infinite outputs: they count as wrong, and the loss is NaN${o.json ? ' (null in the JSON)' : ''}\n`);
    }
    if (o.json) {
      console.log(terminalJson({ model: file, data: o.data, split: o.split, ...r }));
      return;
    }
    if (r.task === 'regression') console.log(`${file} on ${o.data} (${o.split}, ${r.samples} samples): MSE ${r.mse!.toFixed(6)}`);
    else if (r.topK === null) console.log(`${file} on ${o.data} (${o.split}, ${r.samples} samples): accuracy ${(r.accuracy! * 100).toFixed(2)}% (the model outputs a class index: no top-k or loss)`);
    else console.log(`${file} on ${o.data} (${o.split}, ${r.samples} samples): accuracy ${(r.accuracy! * 100).toFixed(2)}% · top-${r.k} ${(r.topK! * 100).toFixed(2)}% · loss ${r.loss.toFixed(4)}`);
  });
}
