// The static arena of a lowered program: every run-time value's bytes (its dtype's size × elements), planned and checked.

import { checkMemoryPlan, planMemory, type MemoryPlan } from '../../analysis/memory-plan.js';
import { byteSize } from '../../ir/dtype.js';
import { staticInfo, type Graph } from '../../ir/graph.js';
import { shapeSize } from '../../ir/tensor.js';
import type { CStep } from './c-step.js';

/**
 * Every buffer starts at a multiple of 4 bytes: float32 and int32 elements need it, and int8 buffers get it too, so
 * that the int8 kernels may load four elements as one word. Sizes are rounded up to it, and the lower bound is the
 * largest sum of these rounded sizes live at one step.
 */
export const ARENA_ALIGNMENT = 4;

/** Bytes of each run-time value the steps read or write (and of the graph's inputs and outputs). */
export function valueBytes(g: Graph, steps: readonly CStep[]): Map<string, number> {
  const sizes = new Map<string, number>();
  const note = (name: string) => {
    if (!name || sizes.has(name)) return;
    const v = staticInfo(g, name);
    sizes.set(name, shapeSize(v.shape) * byteSize(v.dtype));
  };
  for (const v of [...g.inputs, ...g.outputs]) note(v.name);
  for (const s of steps) for (const v of [...s.inputs, ...s.outputs]) note(v);
  return sizes;
}

/**
 * The memory plan over the steps' run-time values; an unsound plan is a bug. keepInputs: the inputs' bytes stay intact
 * through a run (see PlanProgram.keepInputs).
 */
export function planArena(g: Graph, steps: readonly CStep[], options: { keepInputs?: boolean } = {}): MemoryPlan {
  const plan = planMemory({ sizes: valueBytes(g, steps), inputs: g.inputs.map((v) => v.name), outputs: g.outputs.map((v) => v.name), steps, keepInputs: options.keepInputs }, ARENA_ALIGNMENT);
  const problems = checkMemoryPlan(plan);
  if (problems.length) throw new Error(`memory plan is unsound:\n  ${problems.join('\n  ')}`);
  return plan;
}
