// `edgeprune prune <model> --data <file> --out pruned.onnx`: progressive weight and/or structural pruning with fine-tuning.

import type { Command } from 'commander';
import { UserError } from '../../errors.js';
import { checkModelOut, writeModel } from '../../export/write-model.js';
import { loadModel } from '../../import/load-model.js';
import type { InputShapes } from '../../passes/fix-input-shapes.js';
import { pruneProgressively, type ProgressiveOptions, type ProgressiveResult } from '../../prune/progressive.js';
import { checkSchedule } from '../../prune/schedules.js';
import { terminalJson, terminalText } from '../../util/escape.js';
import { addDataOptions, loadFittedSplit, type DataOptions } from '../data-options.js';
import { formatCount, renderTable } from '../format.js';
import { collectInputShape, fractionOption, numberOption, parseIntOption } from '../options.js';
import { progressReporter } from '../progress.js';
import { addDistillOption, addTrainingOptions, createFineTuner, type DistillCliOptions, type TrainingCliOptions } from '../training-options.js';

const CRITERIA = ['l1', 'l2', 'redundancy', 'taylor', 'taylor-activation', 'apoz', 'mean-activation'] as const;

interface PruneCliOptions extends DataOptions, TrainingCliOptions, DistillCliOptions {
  data: string;
  out: string;
  sparsity?: number;
  structured?: number;
  criterion: string;
  schedule: string;
  steps: number;
  maxDrop: number;
  epochs: number;
  finalEpochs: number;
  scope: string;
  alpha: number;
  order: string;
  retries: number;
  recovery: number;
  force?: boolean;
  json?: boolean;
  inputShape?: InputShapes;
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

export function renderPruneSummary(r: ProgressiveResult): string {
  const rows = r.steps.map((s) => [
    String(s.step), s.kind, s.target === null ? '-' : pct(s.target), s.accepted ? 'yes' : 'rolled back',
    pct(s.sparsity), formatCount(s.params), formatCount(s.macs), pct(s.validation), s.test === null ? '-' : pct(s.test), `${(s.wallMs / 1000).toFixed(1)} s`,
  ]);
  const lines = [
    renderTable(['step', 'kind', 'target', 'accepted', 'sparsity', 'params (non-zero)', 'MACs', 'val. acc.', 'test acc.', 'time'], rows, [true, false, true, false, true, true, true, true, true, true]),
    '',
    `dense:  test accuracy ${pct(r.dense.test)} · ${formatCount(r.dense.params)} parameters · ${formatCount(r.dense.macs)} MACs`,
    `pruned: test accuracy ${pct(r.final.test)} (${((r.final.test - r.dense.test) * 100).toFixed(2)} points) · ${formatCount(r.final.params)} non-zero parameters · ${formatCount(r.final.macs)} MACs (${pct(1 - r.final.macs / r.dense.macs)} fewer) · weight sparsity ${pct(r.final.sparsity)}`,
  ];
  if (r.stoppedBecause) lines.push(`stopped early: ${terminalText(r.stoppedBecause)}`);
  if (!r.fineTuned) lines.push('note: the model could not be fine-tuned; the pruned weights were not retrained');
  return lines.join('\n');
}

export function registerPrune(program: Command): void {
  const cmd = program
    .command('prune')
    .description('prune a trained model progressively (prune → fine-tune → evaluate → accept or roll back), by weights (magnitude) and/or structure (neurons, filters, channels)')
    .argument('<model>', 'trained model (.onnx, or a TF.js model.json)')
    .requiredOption('--data <file>', 'training data (split with --seed into train/validation/test)')
    .requiredOption('--out <file>', 'pruned model: .onnx, or a folder / model.json for a TF.js layers model')
    .option('--sparsity <fraction>', 'target fraction of zero weights (weight pruning); default 0.8 when neither --sparsity nor --structured is given', fractionOption('--sparsity'))
    .option('--structured <fraction>', 'target fraction of MACs removed by structural pruning (neurons, filters, channels)', fractionOption('--structured'))
    .option('--criterion <name>', `structural ranking: ${CRITERIA.join(', ')}`, 'l1')
    .option('--schedule <name>', 'oneshot, steps, polynomial (Zhu & Gupta) or threshold (|w| < mean|w|/alpha)', 'polynomial')
    .option('--steps <n>', 'pruning steps per kind', parseIntOption('--steps', 1, 1000), 8)
    .option('--max-drop <points>', 'largest accuracy drop accepted per step, in percentage points of the dense validation accuracy', numberOption('--max-drop', { min: 0, max: 100 }), 1.0)
    .option('--epochs <n>', 'fine-tuning epochs after each step', parseIntOption('--epochs', 0, 100_000), 4)
    .option('--final-epochs <n>', 'fine-tuning epochs at the end', parseIntOption('--final-epochs', 0, 100_000), 5)
    .option('--scope <scope>', 'weight pruning: one magnitude threshold over all layers (global) or the same sparsity in every layer (layer)', 'global')
    .option('--alpha <a>', 'threshold schedule: prune |w| < mean|w| / alpha', numberOption('--alpha', { min: 0, minExclusive: true, max: 1e6 }), 1)
    .option('--order <order>', 'structured-first or weight-first, when both are asked for', 'structured-first')
    .option('--retries <n>', 'times a rejected step is retried at half the increment', parseIntOption('--retries', 0, 100), 2)
    .option('--recovery <n>', 'a step that drops too much gets n more rounds of --epochs, then the current model gets n × --epochs before the step is tried again, then smaller steps (--retries)', parseIntOption('--recovery', 0, 100), 2)
    .option('--force', 'replace an existing output')
    .option('--json', 'print the step log as JSON')
    .option('--input-shape <name=dims>', 'fix a dynamic input shape (repeatable)', collectInputShape);
  addDistillOption(addTrainingOptions(addDataOptions(cmd))).action(async (file: string, o: PruneCliOptions) => {
    if (!(CRITERIA as readonly string[]).includes(o.criterion)) throw new UserError(`unknown --criterion '${o.criterion}'; known: ${CRITERIA.join(', ')}`);
    if (o.scope !== 'layer' && o.scope !== 'global') throw new UserError(`--scope must be layer or global, got '${o.scope}'`);
    if (o.order !== 'structured-first' && o.order !== 'weight-first') throw new UserError(`--order must be structured-first or weight-first, got '${o.order}'`);
    const schedule = checkSchedule(o.schedule);
    const sparsity = o.sparsity ?? (o.structured === undefined ? 0.8 : 0);
    const structured = o.structured ?? 0;
    checkModelOut(o.out, o.force, [file, o.data]);
    const g = await loadModel(file, { inputShapes: o.inputShape });
    const data = loadFittedSplit(o.data, o, g);
    const options: ProgressiveOptions = {
      sparsity, structured, criterion: o.criterion as ProgressiveOptions['criterion'], schedule, steps: o.steps, maxDrop: o.maxDrop,
      epochs: o.epochs, finalEpochs: o.finalEpochs, scope: o.scope, alpha: o.alpha, order: o.order, retries: o.retries, recoveryRounds: o.recovery, repeats: 3, seed: o.seed,
    };
    const trainer = await createFineTuner(o, data.train, g);
    const progress = progressReporter(false);
    try {
      const result = await pruneProgressively(g, trainer, data, options, {
        onWarning: (w) => progress.line(`warning: ${w}`),
        onEpoch: (p) => {
          if (p.batch === 0 && p.epoch === 0) progress.begin(`step ${p.step} (${p.kind})`, p.epochs * p.batches);
          progress.update(p.epoch * p.batches + p.batch + 1, { epoch: `${p.epoch + 1}/${p.epochs}`, loss: p.loss.toFixed(4) });
        },
        onStep: (s) => progress.end(`step ${s.step} ${s.kind}${s.target === null ? '' : ` → ${pct(s.target)}`}: sparsity ${pct(s.sparsity)}, ${formatCount(s.macs)} MACs, validation ${pct(s.validation)}${s.accepted ? '' : ` — ${s.note}`} (${(s.wallMs / 1000).toFixed(1)} s)`),
      });
      const files = await writeModel(result.graph, o.out);
      if (o.json) console.log(terminalJson({ out: o.out, files, options, dense: result.dense, final: result.final, stoppedBecause: result.stoppedBecause, fineTuned: result.fineTuned, steps: result.steps }));
      else {
        console.log(renderPruneSummary(result));
        console.log(`wrote ${o.out}`);
      }
    } finally {
      trainer.dispose();
    }
  });
}
