// lowerForCost must give the program compileToC compiles: the same kernel calls and arena plan.
import { describe, expect, it } from 'vitest';
import { lowerForCost } from '../../src/cost/lowered.js';
import type { CArg, CStep } from '../../src/emit/c/c-step.js';
import { compileToC } from '../../src/emit/c/compile-c.js';
import { benchModels, magnitudePruned } from '../../bench/cost-models.js';

const argView = (a: CArg) => (a.kind === 'weight' ? { weight: a.weight.key, shape: a.weight.tensor.shape, dtype: a.weight.tensor.dtype, elementOffset: a.elementOffset ?? 0 } : a);
const stepsView = (steps: CStep[]) => steps.map((s) => ({ nodes: s.nodes, summary: s.summary, inputs: s.inputs, outputs: s.outputs, calls: s.calls.map((c) => ({ kernel: c.kernel, args: c.args.map(argView) })) }));

describe('lowerForCost', () => {
  const models = { ...benchModels(), 'mnist-cnn-sparse80': magnitudePruned(benchModels()['mnist-cnn'], 0.8) };
  it.each(Object.keys(models))('%s: same calls and arena plan as compileToC', (name) => {
    const g = models[name as keyof typeof models];
    const lib = compileToC(g);
    const low = lowerForCost(g);
    expect(stepsView(low.steps)).toEqual(stepsView(lib.steps));
    expect(low.plan.arenaBytes).toBe(lib.plan.arenaBytes);
    expect(low.plan.lowerBoundBytes).toBe(lib.plan.lowerBoundBytes);
    expect([...low.plan.offsets]).toEqual([...lib.plan.offsets]);
    expect(low.graph.nodes.map((n) => n.name)).toEqual(lib.graph.nodes.map((n) => n.name));
  });
});
