// The FPGA build's budgets and design choice: --latency-us in cycles at the board clock, the device's capacity always
// a budget; the chosen reuse factors and mapping against every design of a small model (brute force), priced the same,
// deterministic, within budgets whenever some design is, all in logic under --max-dsps 0.
import { describe, expect, it } from 'vitest';
import { chooseFpgaDesign, denseLayerOptions, priceDesign, type FpgaDesignChoice } from '../../src/build/fpga/choose-design.js';
import { deviceBudgets, parseFpgaBudgets, type FpgaBudget } from '../../src/build/fpga/fpga-budgets.js';
import { loadFpgaCalibration } from '../../src/cost/fpga/calibration.js';
import { suiteMlp } from '../../src/cost/fpga/suite.js';
import { UserError } from '../../src/errors.js';
import { findTarget } from '../../src/targets/load-targets.js';
import type { FpgaTarget } from '../../src/targets/schema.js';

const UP5K = findTarget('ice40-up5k') as FpgaTarget;
const calibration = loadFpgaCalibration(UP5K);
/** An int8 16-16-8 MLP with the iCE40's 15-bit multipliers: small enough to price every design. */
const mlp = suiteMlp({ sizes: [16, 16, 8], seed: 3, multiplierBits: 15 });

/** Every design of the MLP: each layer's reuse factors × the three mappings (illegal combinations skipped). */
function everyDesign(budgets: FpgaBudget[]): FpgaDesignChoice[] {
  const layers = denseLayerOptions(mlp);
  const out: FpgaDesignChoice[] = [];
  for (const rf1 of layers[0].options) {
    for (const rf2 of layers[1].options) {
      for (const [multipliers, productsInLogic] of [['dsp', false], ['dsp', true], ['lut', false]] as const) {
        try {
          out.push(priceDesign(mlp, UP5K, budgets, { reuseFactors: { fc1: rf1, fc2: rf2 }, multipliers, productsInLogic }, calibration));
        } catch (e) {
          if (!(e instanceof UserError)) throw e;
        }
      }
    }
  }
  return out;
}

describe('FPGA budgets', () => {
  it('converts --latency-us at the board clock and adds the device capacity where the user gave no tighter budget', () => {
    const b = parseFpgaBudgets({ latencyUs: 100, maxLuts: 3000 }, UP5K);
    expect(b.map((x) => [x.name, x.limit])).toEqual([['latencyCycles', 1200], ['luts', 3000], ['logicCells', 4752], ['dsps', 8], ['brams', 30]]);
    expect(b[0].givenAs).toContain('1,200 cycles at the 12 MHz board clock');
    // xc7 has no open placement: its device budget is the LUTs Yosys maps.
    expect(deviceBudgets(findTarget('xc7a35t') as FpgaTarget).map((x) => [x.name, x.limit])).toEqual([['luts', 20800], ['dsps', 90], ['brams', 50]]);
    // A budget looser than the device keeps the device's limit beside it.
    expect(parseFpgaBudgets({ maxDsps: 20 }, UP5K).filter((x) => x.name === 'dsps').map((x) => x.limit)).toEqual([20, 8]);
    expect(deviceBudgets(UP5K).map((x) => x.givenAs)).toEqual(['the device (ice40-up5k: 90% of its 5,280 logic cells)', 'the device (ice40-up5k: 8 SB_MAC16)', 'the device (ice40-up5k: 30 block RAMs)']);
  });

  it('refuses two latency budgets, a latency under one cycle and no budget at all', () => {
    expect(() => parseFpgaBudgets({ latencyUs: 5, latencyCycles: 10 }, UP5K)).toThrow(/either --latency-cycles or --latency-us/);
    expect(() => parseFpgaBudgets({ latencyUs: 0.05 }, UP5K)).toThrow(/less than one cycle of ice40-up5k's 12 MHz board clock/);
    expect(() => parseFpgaBudgets({}, UP5K)).toThrow(/no budget given/);
  });
});

describe('FPGA design choice', () => {
  it('finds a design within the budgets whenever one exists, near the fastest one, priced as priceDesign prices it', () => {
    const device = everyDesign(parseFpgaBudgets({ latencyCycles: 1e9 }, UP5K)).filter((d) => d.worstRatio <= 1);
    expect(device.length).toBeGreaterThan(20);
    // Budgets cut through the designs that fit the device: LUTs at a quantile of theirs, and a latency with it.
    const luts = device.map((d) => d.costs.luts).sort((a, b) => a - b);
    const cycles = device.map((d) => d.costs.latencyCycles).sort((a, b) => a - b);
    const at = (v: number[], q: number) => v[Math.floor(q * (v.length - 1))];
    const cases = [{ maxLuts: at(luts, 0.1) }, { maxLuts: at(luts, 0.5) }, { maxLuts: at(luts, 0.5), latencyCycles: at(cycles, 0.5) }, { maxDsps: 5, maxBrams: 8 }];
    const slowdown: number[] = [];
    for (const options of cases) {
      const budgets = parseFpgaBudgets(options, UP5K);
      const feasible = everyDesign(budgets).filter((d) => d.worstRatio <= 1);
      expect(feasible.length, JSON.stringify(options)).toBeGreaterThan(0);
      const fastest = Math.min(...feasible.map((d) => d.costs.latencyCycles));
      const chosen = chooseFpgaDesign(mlp, UP5K, budgets, calibration);
      expect(chosen.worstRatio, JSON.stringify(options)).toBeLessThanOrEqual(1);
      slowdown.push(chosen.costs.latencyCycles / fastest);
      const again = priceDesign(mlp, UP5K, budgets, chosen, calibration);
      expect(again.costs).toEqual(chosen.costs);
      expect(chooseFpgaDesign(mlp, UP5K, budgets, calibration).reuseFactors).toEqual(chosen.reuseFactors);
    }
    // The greedy is not exhaustive: its latency against the fastest design within the same budgets.
    expect(Math.max(...slowdown), slowdown.join(', ')).toBeLessThanOrEqual(1.5);
  });

  it('puts every multiplier in logic under --max-dsps 0, and reports how far over an impossible budget the best design is', () => {
    const noDsp = chooseFpgaDesign(mlp, UP5K, parseFpgaBudgets({ maxDsps: 0 }, UP5K), calibration);
    expect(noDsp).toMatchObject({ multipliers: 'lut', costs: { dsps: 0 } });
    const budgets = parseFpgaBudgets({ maxLuts: 20 }, UP5K);
    const impossible = chooseFpgaDesign(mlp, UP5K, budgets, calibration);
    const least = Math.min(...everyDesign(budgets).map((d) => d.worstRatio));
    expect(impossible.worstRatio).toBeGreaterThan(1);
    expect(impossible.worstRatio).toBeLessThanOrEqual(least * 1.25);
  });
});
