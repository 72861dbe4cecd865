// The worst-case bound from per-step counts (src/cost/step-bound.ts) and the per-step counts from a run's marks
// (src/verify/step-counts.ts): pure arithmetic, no emulator.
import { describe, expect, it } from 'vitest';
import { stepWorstCaseBound, type StepPrice, type StepVector } from '../../src/cost/step-bound.js';
import { measureStepCounts, MAX_MARKS, stepsFromMarks, wholeMarkCost } from '../../src/verify/step-counts.js';
import { UserError } from '../../src/errors.js';
import { findMcuTarget } from '../../src/targets/load-targets.js';

/** A data-independent conv the cost model under-predicts (100 priced, 150 measured), then a data-dependent step. */
const prices: StepPrice[] = [
  { step: 0, nodes: ['conv'], dependent: false, worst: 100, spread: 0 },
  { step: 2, nodes: ['quantize'], dependent: true, worst: 200, spread: Infinity },
];
const vector = (name: string, typical: boolean, steps: number[]): StepVector => ({ name, typical, total: steps[0] + steps[1] + 10, steps, predicted: [100, 100] });

describe('stepWorstCaseBound', () => {
  it('bounds a vector that the whole-model correction misses: an independent step\'s under-prediction netted against a dependent step\'s cheap branch', () => {
    // The typical vector: the conv 50 over its price, the quantization 50 under it (zeros): measured 200 + 10 against
    // 200 predicted, so the old whole-model correction was 10 and its bound 100 + 200 + 10 = 310.
    const typical = vector('typical', true, [150, 50]);
    // An adversarial vector takes the quantization's worst branch: 150 + 200 + 10 = 360.
    const adversarial = vector('worst', false, [150, 200]);
    const oldBound = 100 + 200 + Math.max(0, typical.total - (100 + 100));
    expect(adversarial.total).toBeGreaterThan(oldBound);
    const b = stepWorstCaseBound(prices, [typical, adversarial], 0);
    expect(b.exact).toBe(false);
    expect(b.overhead).toBe(10);
    expect(b.steps.map((s) => s.bound)).toEqual([150, 200]);
    expect(b.steps[1]).toMatchObject({ dependent: true, price: 200, underPrediction: 0, from: 'price' });
    expect(b.instructionsWorstCase).toBe(360);
    expect(b.instructionsWorstCase).toBeGreaterThanOrEqual(adversarial.total);
  });

  it('adds a dependent step\'s own under-prediction, the resolution per measured figure, and takes the calibrated spread when smaller', () => {
    const typical = vector('typical', true, [150, 130]); // the quantization 30 over its typical price
    const b = stepWorstCaseBound(prices, [typical], 6);
    // Dependent: 200 + (30 + 6); the independent run of steps, the overhead (2) and the checked count: 4 × 6.
    expect(b.steps[1]).toMatchObject({ underPrediction: 36, bound: 236, from: 'price' });
    expect(b.resolutionTerm).toBe(25);
    expect(b.instructionsWorstCase).toBe(150 + 236 + 10 + 25);
    const spread = stepWorstCaseBound([prices[0], { ...prices[1], spread: 40 }], [typical], 6);
    expect(spread.steps[1]).toMatchObject({ bound: 130 + 6 + 40, from: 'spread' });
    // Never below the largest count measured.
    const dear = stepWorstCaseBound([prices[0], { ...prices[1], worst: 10, spread: Infinity }], [typical, vector('dear', false, [150, 500])], 6);
    expect(dear.steps[1]).toMatchObject({ bound: 506, from: 'measured' });
  });

  it('is exact (the largest run) without a dependent step, and names an independent step whose count varied', () => {
    const independent = [prices[0], { ...prices[1], dependent: false }];
    const b = stepWorstCaseBound(independent, [vector('a', true, [150, 50]), vector('b', false, [150, 56])], 6);
    expect(b).toMatchObject({ exact: true, instructionsWorstCase: 216, varying: [] });
    const varied = stepWorstCaseBound(independent, [vector('a', true, [150, 50]), vector('b', false, [150, 57])], 6);
    expect(varied.varying.map((s) => s.step)).toEqual([2]);
  });

  it('counts one resolution per run of consecutive independent steps (their marks telescope)', () => {
    const p = (dependent: boolean, step: number): StepPrice => ({ step, nodes: [], dependent, worst: 10, spread: Infinity });
    const v: StepVector = { name: 't', typical: true, total: 60, steps: [10, 10, 10, 10, 10], predicted: [10, 10, 10, 10, 10] };
    // independent, independent, dependent, independent, dependent: two runs of independent steps.
    const b = stepWorstCaseBound([p(false, 0), p(false, 1), p(true, 2), p(false, 3), p(true, 4)], [v], 1);
    expect(b.resolutionTerm).toBe(2 + 2 + 1 + 1);
  });
});

describe('stepsFromMarks and wholeMarkCost', () => {
  it('takes one mark off each difference and checks the number of marks', () => {
    expect(stepsFromMarks([0, 130, 160, 1000], 3, 28, 1)).toEqual([102, 2, 812]);
    expect(stepsFromMarks([0, 10, 12], 2, 28, 6.5)).toEqual([37, -15]);
    expect(() => stepsFromMarks([0, 130], 3, 28, 1)).toThrow(/2 marks, expected 4/);
  });

  it('rounds the measured cost of a mark, refusing one that is not near a whole number', () => {
    expect(wholeMarkCost(28.0195, 80, 4096)).toBe(28);
    expect(() => wholeMarkCost(28.4, 80, 4096)).toThrow(/not branch-free/);
  });

  it('refuses a model with more steps than the firmware keeps marks for, before building anything', async () => {
    const run = measureStepCounts({ workDir: '/nonexistent/steps', models: [], target: findMcuTarget('lm3s6965'), resolution: 80, runs: [{ model: 0, steps: MAX_MARKS, vectors: [] }] });
    await expect(run).rejects.toThrow(UserError);
    await expect(run).rejects.toThrow(/at most 255 steps with code; this model has 256/);
  });
});

describe('compileToC with stepMarks', () => {
  it('marks before the first step with code and after each, and only in a step-marks build', async () => {
    const { compileToC } = await import('../../src/emit/c/compile-c.js');
    const { digitsMlp } = await import('../../bench/cost-models.js');
    const marked = compileToC(digitsMlp(), { stepMarks: true });
    const plain = compileToC(digitsMlp());
    const source = (lib: typeof plain) => lib.files.get(lib.view.files.source)!;
    const calls = (text: string) => text.split('\n').filter((l) => l.trim() === 'ephw_step_mark();').length;
    expect(calls(source(marked))).toBe(marked.steps.filter((s) => s.calls.length).length + 1);
    expect(source(plain)).not.toContain('ephw_step_mark');
    // The steps themselves are the same code.
    const stepBodies = (text: string) => text.slice(0, text.indexOf('int model_run(void)')).replace(/\/\* Step-marks build[\s\S]*?extern void ephw_step_mark\(void\);\n\n/, '');
    expect(stepBodies(source(marked))).toBe(stepBodies(source(plain)));
  });
});
