// Issue 15 §1: the worst-case instruction bound on every bench model (digits CNN and MLP, the MNIST-like CNN), float32
// and int8, on MCU targets: typical (10 seeded random vectors), worst measured on the adversarial vectors, the bound
// (exact when every kernel is data-independent), and bound ÷ worst − 1 (goal: ≤ 5% where a kernel is data-dependent, 0
// where none is; measured ≤ bound always). "steps over price": the data-dependent steps whose largest count exceeded
// both their calibrated price (+ the cost model's under-prediction) and their smallest count + calibrated spread, and by
// how much (the worst-case calibration misses a vector that reaches the step: the bound took the measured count).
//
//   npx tsc -p . && node dist/bench/worst-case.js [--targets stm32f405,lm3s6965] [--models digits-cnn,...] [--constant-time-mac] [--json]
//
// --constant-time-mac: the float32 models built with the constant-time soft-float MAC (ep_mac_ct.h) on the targets
// without an FPU only (the rows of int8 models and FPU targets are left out: the flag is refused there).

import type { Graph } from '../src/ir/graph.js';
import { findMcuTarget } from '../src/targets/load-targets.js';
import { loadVectors } from '../src/verify/vectors.js';
import { verifyOnTarget } from '../src/verify/verify-mcu.js';
import type { WorstCaseReport } from '../src/verify/worst-case-report.js';
import { benchModels, quantizedForBench } from './cost-models.js';
import { isMain, table } from './kernels/bench-lib.js';

export interface WorstCaseRow {
  model: string;
  target: string;
  worstCase: WorstCaseReport;
  /** Adversarial vectors whose outputs are not finite or that the verification failed on are still counted. */
  passedTypical: boolean;
}

const MODELS = ['digits-cnn', 'digits-mlp', 'mnist-cnn'];

function modelsOf(names: string[]): [string, Graph][] {
  const float = benchModels();
  return names.flatMap((n): [string, Graph][] => {
    if (!float[n]) throw new Error(`worst-case bench: unknown model '${n}' (known: ${MODELS.join(', ')})`);
    return [[n, float[n]], [`${n}-int8`, quantizedForBench(float[n])]];
  });
}

export async function runWorstCase(targets: string[], models: string[], log: (l: string) => void = () => {}, options: { constantTimeMac?: boolean } = {}): Promise<WorstCaseRow[]> {
  const rows: WorstCaseRow[] = [];
  const constantTimeMac = options.constantTimeMac === true;
  for (const [model, g] of modelsOf(models)) {
    if (constantTimeMac && model.endsWith('-int8')) continue;
    for (const name of targets) {
      const target = findMcuTarget(name);
      if (constantTimeMac && target.fpu) continue;
      log(`${model} on ${name}${constantTimeMac ? ' (constant-time MAC)' : ''}`);
      const vectors = loadVectors(g, { count: 10, seed: 1 });
      const r = await verifyOnTarget(g, model, { target, vectors, worstCase: {}, constantTimeMac });
      if (!r.worstCase) throw new Error(`no worst-case report for ${model} on ${name} (no instruction count or no calibration)`);
      rows.push({ model, target: name, worstCase: r.worstCase, passedTypical: r.results.every((v) => v.passed) });
    }
  }
  return rows;
}

export function formatWorstCase(rows: WorstCaseRow[]): string {
  return table(
    ['model', 'target', 'typical', 'worst measured', '(vector)', 'bound', 'exact', 'bound/worst-1', 'holds', 'steps over price', 'dependent kernels'],
    rows.map(({ model, target, worstCase: w }) => [
      model, target, w.typicalInstructions.toLocaleString('en-US'), w.worstMeasuredInstructions.toLocaleString('en-US'), w.worstVector,
      w.instructionsWorstCase.toLocaleString('en-US'), w.exact ? 'yes' : 'no', `${(w.boundOverWorst * 100).toFixed(1)}%`, w.holds ? 'yes' : 'NO',
      // Dependent steps whose measured count was above both their calibrated price and spread (the bound then only took
      // the measured count: an input the vectors miss could exceed it): the calibration lacks a vector.
      w.steps.filter((s) => s.from === 'measured' && s.worstMeasured > s.priced!).map((s) => `${s.step}: +${Math.round(s.worstMeasured - s.priced!).toLocaleString('en-US')}`).join(', ') || '-',
      w.kernels.filter((k) => k.dependent).map((k) => k.key).join(' '),
    ]),
  );
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const opt = (flag: string, fallback: string) => (args.includes(flag) ? args[args.indexOf(flag) + 1] : fallback).split(',');
  const constantTimeMac = args.includes('--constant-time-mac');
  const rows = await runWorstCase(opt('--targets', constantTimeMac ? 'lm3s6965' : 'stm32f405,lm3s6965'), opt('--models', MODELS.join(',')), (l) => console.error(l), { constantTimeMac });
  console.log(args.includes('--json') ? JSON.stringify(rows, null, 2) : formatWorstCase(rows));
  if (rows.some((r) => !r.worstCase.holds)) process.exit(1);
}

if (isMain(import.meta.url)) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
