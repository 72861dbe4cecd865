// The arena planner: sharing rules, the lower bound on sequential programs, and a checker run on random DAGs.
import { describe, expect, it } from 'vitest';
import { checkMemoryPlan, planMemory, type PlanProgram, type PlanStep } from '../../src/analysis/memory-plan.js';
import { Random } from '../../src/util/random.js';

function program(sizes: Record<string, number>, steps: PlanStep[], inputs: string[], outputs: string[]): PlanProgram {
  return { sizes: new Map(Object.entries(sizes)), steps, inputs, outputs };
}

describe('memory plan', () => {
  it('reaches the lower bound on the MNIST-like chain, with ReLU in place and Flatten as a view', () => {
    const p = program(
      { x: 3136, c1: 25088, r1: 25088, p1: 6272, c2: 12544, r2: 12544, p2: 1024, f: 1024, y: 40 },
      [
        { inputs: ['x'], outputs: ['c1'] },
        { inputs: ['c1'], outputs: ['r1'], inPlace: [{ output: 0, input: 0 }] },
        { inputs: ['r1'], outputs: ['p1'] },
        { inputs: ['p1'], outputs: ['c2'] },
        { inputs: ['c2'], outputs: ['r2'], inPlace: [{ output: 0, input: 0 }] },
        { inputs: ['r2'], outputs: ['p2'] },
        { inputs: ['p2'], outputs: ['f'], view: true },
        { inputs: ['f'], outputs: ['y'] },
      ],
      ['x'],
      ['y'],
    );
    const plan = planMemory(p);
    expect(checkMemoryPlan(plan)).toEqual([]);
    expect(plan.offsets.get('r1')).toBe(plan.offsets.get('c1'));
    expect(plan.offsets.get('f')).toBe(plan.offsets.get('p2'));
    // The busiest step: the first MaxPool reads the ReLU'd conv output and writes its own.
    expect(plan.lowerBoundBytes).toBe(25088 + 6272);
    expect(plan.arenaBytes).toBe(plan.lowerBoundBytes);
  });

  it('does not work in place on a value read later, or on a graph output', () => {
    const p = program(
      { x: 400, a: 400, b: 400, c: 400 },
      [
        { inputs: ['x'], outputs: ['a'], inPlace: [{ output: 0, input: 0 }] },
        { inputs: ['a'], outputs: ['b'], inPlace: [{ output: 0, input: 0 }] },
        { inputs: ['b', 'a'], outputs: ['c'], inPlace: [{ output: 0, input: 0 }, { output: 0, input: 1 }] },
      ],
      ['x'],
      ['c', 'b'],
    );
    const plan = planMemory(p);
    expect(checkMemoryPlan(plan)).toEqual([]);
    // x dies at step 0: a takes its place. a is read again at step 2: b cannot take it. b is a graph output: c cannot take it, but a dies at step 2.
    expect(plan.offsets.get('a')).toBe(plan.offsets.get('x'));
    expect(plan.offsets.get('b')).not.toBe(plan.offsets.get('a'));
    expect(plan.offsets.get('c')).toBe(plan.offsets.get('a'));
  });

  it('keeps the inputs\' bytes to the end with keepInputs: no value shares them, no step works in place on them', () => {
    const steps: PlanStep[] = [
      { inputs: ['x'], outputs: ['a'], inPlace: [{ output: 0, input: 0 }] },
      { inputs: ['a'], outputs: ['b'] },
      { inputs: ['b'], outputs: ['y'] },
    ];
    const sizes = { x: 400, a: 400, b: 400, y: 400 };
    const reused = planMemory(program(sizes, steps, ['x'], ['y']));
    expect(reused.offsets.get('a')).toBe(reused.offsets.get('x'));
    const kept = planMemory({ ...program(sizes, steps, ['x'], ['y']), keepInputs: true });
    expect(checkMemoryPlan(kept)).toEqual([]);
    const x = kept.buffers.find((b) => b.values.includes('x'))!;
    expect(x.values).toEqual(['x']);
    expect(x.last).toBe(steps.length - 1);
    expect(kept.arenaBytes).toBe(reused.arenaBytes + 400);
  });

  it('rounds sizes up to the alignment', () => {
    const plan = planMemory(program({ x: 5, y: 3 }, [{ inputs: ['x'], outputs: ['y'] }], ['x'], ['y']), 4);
    expect(plan.arenaBytes).toBe(12);
    expect(plan.offsets.get('y')! % 4).toBe(0);
  });

  it('the checker finds overlapping live buffers', () => {
    const plan = planMemory(program({ x: 8, y: 8 }, [{ inputs: ['x'], outputs: ['y'] }], ['x'], ['y']));
    plan.buffers[1].offset = plan.buffers[0].offset + 4;
    expect(checkMemoryPlan(plan).join('\n')).toMatch(/overlap in memory while both live/);
  });

  it('gives sound plans no smaller than the lower bound on random DAGs', () => {
    const rng = new Random(5);
    for (let trial = 0; trial < 200; trial++) {
      const sizes: Record<string, number> = { in0: 4 * (1 + rng.int(64)) };
      const values = ['in0'];
      const steps: PlanStep[] = [];
      const n = 2 + rng.int(12);
      for (let k = 0; k < n; k++) {
        const a = values[values.length - 1 - rng.int(Math.min(3, values.length))];
        const b = values[rng.int(values.length)];
        const out = `v${k}`;
        const view = rng.next() < 0.15;
        sizes[out] = view || rng.next() < 0.4 ? sizes[a] : 4 * (1 + rng.int(64));
        steps.push(view ? { inputs: [a], outputs: [out], view: true } : { inputs: rng.next() < 0.5 ? [a] : [a, b], outputs: [out], inPlace: [{ output: 0, input: 0 }] });
        values.push(out);
      }
      const plan = planMemory(program(sizes, steps, ['in0'], [values[values.length - 1]]));
      expect(checkMemoryPlan(plan)).toEqual([]);
      expect(plan.arenaBytes).toBeGreaterThanOrEqual(plan.lowerBoundBytes);
    }
  });
});
