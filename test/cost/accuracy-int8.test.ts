// The cost model against QEMU on int8 models: predicted instructions and model-library flash within 10% of what the
// emulator measures, static RAM and arena exact, on the int8 bench models (MNIST-like CNN, digits MLP and CNN, a
// channel-pruned and magnitude-pruned variants (weight-sparse int8 kernels where the target's cost model picks them),
// a residual CNN (Int8Add, Int8AveragePool), the digits MLP dense and 80%-pruned with per-tensor dense weights (the _pt
// kernels, calibrated under the keys ep_dense_s8:pt and ep_sparse_dense_s8:pt), quantized by quantizeModel on seeded
// inputs: bench/cost-models.ts),
// on mps2-an386 and stm32f405 (DSP path of the int8 kernels) and lm3s6965 (Cortex-M3: the portable path). One firmware
// per target (measureOnTarget). The failure messages carry the predicted and measured figures;
// `node dist/bench/cost-model-int8.js` prints them for every target.
import { beforeAll, describe, expect, it } from 'vitest';
import { measureOnTarget, type Measurement } from '../../src/cost/measure.js';
import { predictCost, type CostPrediction } from '../../src/cost/predict.js';
import { findMcuTarget } from '../../src/targets/load-targets.js';
import { int8BenchModels } from '../../bench/cost-models.js';

const TOLERANCE = 0.1;

const models = int8BenchModels();
const names = Object.keys(models);
const rel = (predicted: number, measured: number) => (predicted - measured) / measured;
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

describe.each(['mps2-an386', 'stm32f405', 'lm3s6965'])('int8 cost model vs QEMU on %s', (targetName) => {
  const target = findMcuTarget(targetName);
  const predicted = new Map<string, CostPrediction>();
  const measured = new Map<string, Measurement>();

  beforeAll(async () => {
    const runs = await measureOnTarget(target, names.map((name) => ({ name, graph: models[name] })), { vectors: 1, seed: 1 });
    for (const m of runs) {
      measured.set(m.name, m);
      predicted.set(m.name, predictCost(models[m.name], target));
    }
  });

  it.each(names)('%s: instructions and flash within 10%, static RAM and arena exact', (n) => {
    const p = predicted.get(n)!;
    const m = measured.get(n)!;
    const figures = `${n} on ${targetName}: instructions predicted ${p.instructions}, measured ${m.instructions} (${pct(rel(p.instructions, m.instructions))}); flash predicted ${p.flashBytes}, measured ${m.flashBytes} (${pct(rel(p.flashBytes, m.flashBytes))})`;
    expect(Math.abs(rel(p.instructions, m.instructions)), figures).toBeLessThan(TOLERANCE);
    expect(Math.abs(rel(p.flashBytes, m.flashBytes)), figures).toBeLessThan(TOLERANCE);
    expect(p.staticRamBytes, figures).toBe(m.ramBytes);
    expect(p.arenaBytes, figures).toBe(m.arenaBytes);
    expect(p.warnings, figures).toEqual([]);
  });

  it('the models run the int8 kernels, and their weights are stored as bytes', () => {
    const mnist = predicted.get('mnist-cnn-int8')!;
    const kernels = new Set(mnist.layers.map((l) => l.kernel));
    for (const k of ['ep_quantize_f32_s8', 'ep_conv2d_s8', 'ep_maxpool2d_s8', 'ep_dense_s8', 'ep_dequantize_s8_f32']) expect(kernels, k).toContain(k);
    // conv2 of the MNIST-like CNN: 16x8x5x5 int8 weights, int32 bias, int32 multipliers, int8 shifts (8-byte aligned each).
    const conv2 = mnist.layers.find((l) => l.kernel === 'ep_conv2d_s8' && l.macs === 16 * 8 * 25 * 14 * 14)!;
    expect(conv2.weightBytes).toBe(3200 + 64 + 64 + 16);
  });

  it('the residual CNN runs the int8 Add and average pool, the 80%-pruned models the weight-sparse int8 kernels', () => {
    const residual = new Set(predicted.get('residual-cnn-int8')!.layers.map((l) => l.kernel));
    expect(residual).toContain('ep_add_s8');
    expect(residual).toContain('ep_avgpool2d_s8');
    const sparse = ['mnist-cnn-sparse80-int8', 'digits-mlp-sparse80-int8'].flatMap((n) => predicted.get(n)!.layers.map((l) => l.kernel));
    expect(sparse.filter((k) => k === 'ep_sparse_conv2d_s8' || k === 'ep_sparse_dense_s8').length, sparse.join(', ')).toBeGreaterThan(0);
  });

  it('the per-tensor digits MLPs run the _pt kernels with one multiplier and shift per layer', () => {
    const kernels = (n: string) => predicted.get(n)!.layers.map((l) => l.kernel).filter((k) => k.includes('dense_s8'));
    expect(kernels('digits-mlp-pt-int8')).toEqual(['ep_dense_s8_pt', 'ep_dense_s8_pt', 'ep_dense_s8_pt']);
    expect(kernels('digits-mlp-sparse80-pt-int8')).toContain('ep_sparse_dense_s8_pt');
    // The per-channel digits MLP stores 103 more multipliers (4 B) and shifts (1 B), less alignment.
    const flash = (n: string) => predicted.get(n)!.flashBytes;
    expect(flash('digits-mlp-int8') - flash('digits-mlp-pt-int8')).toBeGreaterThanOrEqual(103 * 5 - 6 * 8);
  });

  it('predicts a stack at least as large as measured (conservative)', () => {
    for (const n of names) expect(predicted.get(n)!.stackBytes, n).toBeGreaterThanOrEqual(measured.get(n)!.stackBytes);
  });
});
