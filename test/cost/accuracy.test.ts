// The cost model against QEMU: predicted instructions and model-library flash within 10% of what
// `edgeprune verify` measures, on the bench models (MNIST-like CNN, digits MLP and CNN), their
// structurally pruned variants (pruneChannels) and magnitude-pruned ones (weight-sparse kernels), on
// mps2-an386, stm32f405 and the soft-float lm3s6965 (predicted with the activations' zero fractions on the same vectors). Every model goes
// through measureOnTarget (many libraries in one firmware); one bench model per target, a different one on each, also
// through verifyOnTarget itself, which must measure the same figures (checked here).
import { beforeAll, describe, expect, it } from 'vitest';
import { valueZeroFractions } from '../../src/cost/activation-zeros.js';
import { measureOnTarget, type Measurement } from '../../src/cost/measure.js';
import { predictCost, type CostPrediction } from '../../src/cost/predict.js';
import type { Graph } from '../../src/ir/graph.js';
import { findMcuTarget } from '../../src/targets/load-targets.js';
import { loadVectors } from '../../src/verify/vectors.js';
import { verifyOnTarget, type VerifyReport } from '../../src/verify/verify-mcu.js';
import { benchModels, magnitudePruned } from '../../bench/cost-models.js';

const TOLERANCE = 0.1;
/** The bench model each target also runs through verifyOnTarget: each bench model on one target, each target once. */
const VERIFIED: Record<string, string> = { 'mps2-an386': 'mnist-cnn', stm32f405: 'digits-mlp', lm3s6965: 'digits-cnn' };

const bench = benchModels();
const models: Record<string, Graph> = {
  ...bench,
  'mnist-cnn-sparse80': magnitudePruned(bench['mnist-cnn'], 0.8),
  'digits-mlp-sparse80': magnitudePruned(bench['digits-mlp'], 0.8),
  'digits-cnn-sparse90': magnitudePruned(bench['digits-cnn'], 0.9),
};
const names = Object.keys(models);
const rel = (predicted: number, measured: number) => (predicted - measured) / measured;

describe.each(['mps2-an386', 'stm32f405', 'lm3s6965'])('cost model vs QEMU on %s', (targetName) => {
  const target = findMcuTarget(targetName);
  const predicted = new Map<string, CostPrediction>();
  const measured = new Map<string, Measurement>();
  const verified = new Map<string, VerifyReport>();

  beforeAll(async () => {
    const runs = await measureOnTarget(target, names.map((name) => ({ name, graph: models[name] })), { vectors: 1, seed: 1 });
    runs.forEach((m) => measured.set(m.name, m));
    // Predicted with the zero fractions of the activations on the vectors that ran (decisive in soft float).
    for (const m of runs) predicted.set(m.name, predictCost(models[m.name], target, { valueZeros: valueZeroFractions(models[m.name], m.vectors) }));
    const n = VERIFIED[targetName];
    verified.set(n, await verifyOnTarget(models[n], n, { target, vectors: loadVectors(models[n], { count: 1, seed: 1 }) }));
  });

  it(`measures what verifyOnTarget measures (${VERIFIED[targetName]})`, () => {
    const n = VERIFIED[targetName];
    const v = verified.get(n)!;
    const m = measured.get(n)!;
    expect(v.passed, n).toBe(true);
    expect(m.instructions, n).toBe(v.instructions);
    expect(m.flashBytes, n).toBe(v.flashBytes);
    expect(m.ramBytes, n).toBe(v.ramBytes);
  });

  it(`${VERIFIED[targetName]}: instructions, flash and arena within 10% of verifyOnTarget`, () => {
    const n = VERIFIED[targetName];
    const p = predicted.get(n)!;
    const v = verified.get(n)!;
    expect(Math.abs(rel(p.instructions, v.instructions!)), `instructions: predicted ${p.instructions}, measured ${v.instructions}`).toBeLessThan(TOLERANCE);
    expect(Math.abs(rel(p.flashBytes, v.flashBytes)), `flash: predicted ${p.flashBytes}, measured ${v.flashBytes}`).toBeLessThan(TOLERANCE);
    expect(p.staticRamBytes).toBe(v.ramBytes);
    expect(p.arenaBytes).toBe(v.arenaBytes);
  });

  it.each(names.filter((n) => n !== VERIFIED[targetName]))('%s: instructions and flash within 10% of QEMU', (n) => {
    const p = predicted.get(n)!;
    const m = measured.get(n)!;
    expect(Math.abs(rel(p.instructions, m.instructions)), `instructions: predicted ${p.instructions}, measured ${m.instructions}`).toBeLessThan(TOLERANCE);
    expect(Math.abs(rel(p.flashBytes, m.flashBytes)), `flash: predicted ${p.flashBytes}, measured ${m.flashBytes}`).toBeLessThan(TOLERANCE);
    expect(p.staticRamBytes).toBe(m.ramBytes);
    expect(p.arenaBytes).toBe(m.arenaBytes);
  });

  it('the magnitude-pruned models run the weight-sparse kernels', () => {
    expect(predicted.get('digits-mlp-sparse80')!.layers.some((l) => l.kernel === 'ep_sparse_dense_f32')).toBe(true);
    expect(predicted.get('mnist-cnn-sparse80')!.layers.some((l) => l.kernel === 'ep_sparse_conv2d_f32')).toBe(true);
  });

  it('predicts a stack at least as large as measured (conservative)', () => {
    for (const n of names) expect(predicted.get(n)!.stackBytes, n).toBeGreaterThanOrEqual(measured.get(n)!.stackBytes);
  });
});
