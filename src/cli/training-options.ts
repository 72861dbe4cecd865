// Flags of the commands that train (train, prune, build): backend, batch size, learning rate; distillation (prune, build).

import type { Command } from 'commander';
import type { Dataset } from '../data/dataset.js';
import type { Graph } from '../ir/graph.js';
import type { Trainer } from '../prune/trainer.js';
import { UserError } from '../errors.js';
import { numberOption, parseIntOption } from './options.js';

export interface TrainingCliOptions {
  backend?: 'node' | 'wasm' | 'cpu';
  batchSize: number;
  lr: number;
}

export function addTrainingOptions(cmd: Command, defaultLr = 1e-3): Command {
  return cmd
    .option('--backend <name>', 'TF.js backend: node (tfjs-node, when installed), wasm or cpu (default: the fastest available)', (v: string) => {
      if (v !== 'node' && v !== 'wasm' && v !== 'cpu') throw new UserError(`unknown --backend '${v}'; known: node, wasm, cpu`);
      return v;
    })
    .option('--batch-size <n>', 'training batch size', parseIntOption('--batch-size', 1, 65536), 32)
    .option('--lr <rate>', 'learning rate (Adam)', numberOption('--lr', { min: 0, minExclusive: true, max: Number.MAX_VALUE }), defaultLr);
}

export interface DistillCliOptions {
  /** Knowledge distillation from the dense model in every fine-tune (--no-distill: false). */
  distill: boolean;
}

/** --no-distill (prune, build): fine-tune on the hard labels alone. */
export function addDistillOption(cmd: Command): Command {
  return cmd.option('--no-distill', 'fine-tune on the labels alone: by default every fine-tune also learns the dense model\'s soft targets (knowledge distillation, temperature 4, half the loss); regression models (one output) always train without it');
}

/** The fine-tuning of prune and build, on the train split (TF.js, loaded only here), distilling `dense` unless --no-distill. */
export async function createFineTuner(o: TrainingCliOptions & DistillCliOptions & { seed: number }, train: Dataset, dense: Graph): Promise<Trainer> {
  const { createGraphTrainer } = await import('../train/index.js');
  return createGraphTrainer(train, { backend: o.backend, seed: o.seed, batchSize: o.batchSize, learningRate: o.lr, teacher: o.distill === false ? undefined : dense });
}
