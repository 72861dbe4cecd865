// The cost model against the emulator: predicted instructions and model-library flash next to what QEMU measures,
// for the bench models (dense, structurally pruned, weight-pruned) and the trained digits CNN, on every target. The
// prediction is given the zero fractions of the activations on the vectors that ran (they matter in soft float).
//
//   npx tsc -p . && node dist/bench/cost-model.js [--targets a,b] [--json]
//
// Prints one table per target and, last, the largest relative error over all of them (the goal: ≤ 10%).

import { loadModel } from '../src/import/load-model.js';
import type { Graph } from '../src/ir/graph.js';
import { valueZeroFractions } from '../src/cost/activation-zeros.js';
import { measureOnTarget } from '../src/cost/measure.js';
import { predictCost } from '../src/cost/predict.js';
import { findMcuTarget, listMcuTargets } from '../src/targets/load-targets.js';
import { repoPath } from '../src/util/package-root.js';
import { benchModels, magnitudePruned } from './cost-models.js';
import { isMain, missingTools, table } from './kernels/bench-lib.js';

export interface CostModelRow {
  target: string;
  model: string;
  predictedInstructions: number;
  measuredInstructions: number;
  instructionsError: number;
  predictedFlash: number;
  measuredFlash: number;
  flashError: number;
}

async function models(): Promise<Record<string, Graph>> {
  const bench = benchModels();
  const trained = await loadModel(repoPath('examples', 'models', 'digits-cnn.onnx'));
  return {
    ...bench,
    'mnist-cnn-sparse80': magnitudePruned(bench['mnist-cnn'], 0.8),
    'digits-mlp-sparse80': magnitudePruned(bench['digits-mlp'], 0.8),
    'digits-cnn-sparse90': magnitudePruned(bench['digits-cnn'], 0.9),
    'trained-digits-cnn': trained,
    'trained-digits-cnn-sparse70': magnitudePruned(trained, 0.7),
  };
}

/** Predicted and measured figures of `graphs` (default: the float bench models) on each target. */
export async function costModelBench(targetNames: string[], given?: Record<string, Graph>): Promise<CostModelRow[]> {
  const graphs = given ?? (await models());
  const names = Object.keys(graphs);
  const rows: CostModelRow[] = [];
  for (const target of listMcuTargets().filter((t) => targetNames.includes(t.name))) {
    const measured = await measureOnTarget(target, names.map((name) => ({ name, graph: graphs[name] })), { vectors: 1, seed: 1 });
    for (const m of measured) {
      // The zero fractions of the activations on the vectors that ran (they matter in soft float).
      const p = predictCost(graphs[m.name], target, { valueZeros: valueZeroFractions(graphs[m.name], m.vectors) });
      rows.push({
        target: target.name, model: m.name,
        predictedInstructions: Math.round(p.instructions), measuredInstructions: m.instructions, instructionsError: p.instructions / m.instructions - 1,
        predictedFlash: p.flashBytes, measuredFlash: m.flashBytes, flashError: p.flashBytes / m.flashBytes - 1,
      });
    }
  }
  return rows;
}

const pct = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`;

/** The bench's command line: [--targets a,b] [--json]; prints one table per target and the largest errors. */
export async function costModelMain(given?: Record<string, Graph>): Promise<void> {
  const missing = await missingTools();
  if (missing.length > 0) throw new Error(`missing tools: ${missing.join(', ')} (run make setup as root)`);
  const at = process.argv.indexOf('--targets');
  const targetNames = at > 0 ? process.argv[at + 1].split(',') : listMcuTargets().map((t) => t.name);
  const rows = await costModelBench(targetNames, given);
  if (process.argv.includes('--json')) {
    console.log(JSON.stringify(rows, null, 2));
    return;
  }
  for (const t of targetNames) {
    const mine = rows.filter((r) => r.target === t);
    console.log(`\n${t}`);
    console.log(table(['model', 'instr. predicted', 'measured', 'error', 'flash predicted', 'measured', 'error'],
      mine.map((r) => [r.model, r.predictedInstructions, r.measuredInstructions, pct(r.instructionsError), r.predictedFlash, r.measuredFlash, pct(r.flashError)])));
  }
  const worst = (list: CostModelRow[], key: 'instructionsError' | 'flashError') => list.reduce((x, y) => (Math.abs(y[key]) > Math.abs(x[key]) ? y : x));
  console.log('\ncost model vs QEMU, largest error per target (goal: within ±10%):');
  console.log(table(['target', 'FPU', 'instructions', 'model', 'flash', 'model'], targetNames.map((t) => {
    const mine = rows.filter((r) => r.target === t);
    const wi = worst(mine, 'instructionsError');
    const wf = worst(mine, 'flashError');
    return [t, findMcuTarget(t).fpu ?? 'none (soft float)', pct(wi.instructionsError), wi.model, pct(wf.flashError), wf.model];
  }), 2));
}

if (isMain(import.meta.url)) {
  costModelMain().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exitCode = 1;
  });
}
