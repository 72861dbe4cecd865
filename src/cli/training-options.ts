// Flags of the commands that train (train, prune): backend, batch size, learning rate.

import type { Command } from 'commander';
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
