// Which run-time values of a lowered program cannot hold a NaN: a Relu's output (the C Relu, standalone or fused as a
// layer's clamp, gives 0 for NaN, as the interpreter's), and a view of one. A max pool reading one is data-independent
// on an FPU core (data-dependence.ts: its only dependence there is a NaN in a window).

import type { CStep } from '../emit/c/c-step.js';
import type { Graph } from '../ir/graph.js';

export function nanFreeValues(program: { graph: Graph; steps: CStep[] }): Set<string> {
  const free = new Set<string>();
  for (const node of program.graph.nodes) if (node.opType === 'Relu' && node.domain === '') free.add(node.outputs[0]);
  // In execution order: a view's output 0 is its input 0 seen with another shape.
  for (const step of program.steps) if (step.view && free.has(step.inputs[0])) free.add(step.outputs[0]);
  return free;
}
