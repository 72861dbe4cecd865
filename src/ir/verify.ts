// The IR verifier: topological order, one producer per value, known ops, and consistent types and shapes.

import { findOp } from '../ops/registry.js';
import { dimsToString, isStaticShape, type Graph } from './graph.js';
import { inferNode } from './infer-shapes.js';
import { nodeAttrs } from './interpreter.js';
import { sameShape } from './tensor.js';

/** Every problem found in the graph (empty when it is well formed). */
export function verifyProblems(g: Graph): string[] {
  const problems: string[] = [];
  const defined = new Set<string>();
  const define = (name: string, by: string) => {
    if (defined.has(name)) problems.push(`value '${name}' is defined more than once (again by ${by})`);
    defined.add(name);
  };
  for (const v of g.inputs) {
    define(v.name, 'a graph input');
    if (!isStaticShape(v.shape)) problems.push(`graph input '${v.name}' has a dynamic shape ${dimsToString(v.shape)}`);
  }
  for (const name of g.initializers.keys()) define(name, 'an initializer');
  const nodeNames = new Set<string>();
  for (const node of g.nodes) {
    const where = `node '${node.name}' (${node.opType})`;
    if (nodeNames.has(node.name)) problems.push(`node name '${node.name}' is used twice`);
    nodeNames.add(node.name);
    const op = findOp(node.domain, node.opType);
    if (!op) {
      problems.push(`${where}: unknown op`);
      continue;
    }
    const [minIn, maxIn] = op.inputs;
    const [minOut, maxOut] = op.outputs;
    if (node.inputs.length < minIn || node.inputs.length > maxIn) problems.push(`${where}: has ${node.inputs.length} inputs, the op takes ${minIn}..${maxIn}`);
    if (node.outputs.length < minOut || node.outputs.length > maxOut) problems.push(`${where}: has ${node.outputs.length} outputs, the op takes ${minOut}..${maxOut}`);
    let inputsOk = true;
    for (const i of node.inputs) {
      if (i && !defined.has(i)) {
        problems.push(`${where}: reads '${i}' before it is defined (graph not in topological order, or dangling)`);
        inputsOk = false;
      }
    }
    for (const o of node.outputs) if (o) define(o, where);
    try {
      nodeAttrs(node);
    } catch (e) {
      problems.push((e as Error).message);
      continue;
    }
    if (!inputsOk) continue;
    try {
      const outs = inferNode(g, node);
      node.outputs.forEach((o, i) => {
        if (!o) return;
        const recorded = g.values.get(o);
        if (!recorded) problems.push(`${where}: output '${o}' has no recorded type`);
        else if (recorded.dtype !== outs[i].dtype || !isStaticShape(recorded.shape) || !sameShape(recorded.shape, outs[i].shape)) {
          problems.push(`${where}: output '${o}' is recorded as ${recorded.dtype} ${dimsToString(recorded.shape)} but infers ${outs[i].dtype} ${dimsToString(outs[i].shape)}`);
        }
      });
    } catch (e) {
      problems.push(`${where}: shape inference failed: ${(e as Error).message}`);
    }
  }
  for (const o of g.outputs) {
    if (!defined.has(o.name)) problems.push(`graph output '${o.name}' is never defined`);
    const t = g.initializers.get(o.name) ?? g.values.get(o.name);
    if (t && (t.dtype !== o.dtype || !sameShape(t.shape as number[], o.shape as number[]))) {
      problems.push(`graph output '${o.name}' is declared ${o.dtype} ${dimsToString(o.shape)} but is ${t.dtype} ${dimsToString(t.shape)}`);
    }
  }
  return problems;
}

/** Throw an internal error listing every problem (a pass produced a broken graph). */
export function verifyGraph(g: Graph): void {
  const problems = verifyProblems(g);
  if (problems.length) throw new Error(`IR verification failed:\n  ${problems.join('\n  ')}`);
}
