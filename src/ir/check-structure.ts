// Structure of an imported graph, checked before any pass runs: input and output counts each op takes, one
// producer per value, no read of a value nothing produces, no cycle. Nodes a file lists out of order are put
// in execution order.

import { UserError } from '../errors.js';
import { opFor } from '../ops/registry.js';
import type { Graph, Node } from './graph.js';

const describe = (n: Node) => `node '${n.name}' (${n.opType})`;

/** A binary min-heap of node indices, so that ordering keeps the file's order wherever it can. */
class IndexHeap {
  private readonly items: number[] = [];

  get size(): number {
    return this.items.length;
  }

  push(v: number): void {
    const a = this.items;
    a.push(v);
    for (let i = a.length - 1; i > 0;) {
      const p = (i - 1) >> 1;
      if (a[p] <= a[i]) break;
      [a[p], a[i]] = [a[i], a[p]];
      i = p;
    }
  }

  pop(): number {
    const a = this.items;
    const top = a[0];
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      for (let i = 0; ;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && a[l] < a[m]) m = l;
        if (r < a.length && a[r] < a[m]) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i], a[m]];
        i = m;
      }
    }
    return top;
  }
}

/** Who defines each value: a graph input, an initializer or a node; a second definition is an error. */
function definitions(g: Graph): Map<string, Node | 'input' | 'initializer'> {
  const defs = new Map<string, Node | 'input' | 'initializer'>();
  const text = (d: Node | 'input' | 'initializer') => (d === 'input' ? 'a graph input' : d === 'initializer' ? 'an initializer' : describe(d));
  const define = (name: string, by: Node | 'input' | 'initializer') => {
    const first = defs.get(name);
    if (first !== undefined) {
      throw new UserError(`value '${name}' is produced twice: by ${text(first)} and by ${text(by)}`, 'every value of an ONNX graph has exactly one producer; the model is malformed');
    }
    defs.set(name, by);
  };
  for (const v of g.inputs) define(v.name, 'input');
  for (const name of g.initializers.keys()) define(name, 'initializer');
  for (const n of g.nodes) for (const o of n.outputs) if (o) define(o, n);
  return defs;
}

/**
 * Check that every value has one producer, that every read value exists, and that there are graph outputs and
 * they are produced; reorder `g.nodes` into execution order when the file's order is not one (stable: nodes
 * keep their relative order wherever the data flow allows). Refuses a cycle. Mutates g.
 */
export function checkStructure(g: Graph): void {
  for (const n of g.nodes) checkArity(n);
  const defs = definitions(g);
  for (const n of g.nodes) {
    for (const i of n.inputs) {
      if (i && !defs.has(i)) throw new UserError(`${describe(n)} reads '${i}', which no node, graph input or initializer produces`, 'the model is malformed');
    }
  }
  if (g.outputs.length === 0) throw new UserError('the graph has no outputs: the model computes nothing', 'the model is malformed: an ONNX graph declares at least one output');
  for (const o of g.outputs) {
    if (!defs.has(o.name)) throw new UserError(`graph output '${o.name}' is not produced by any node, graph input or initializer`);
  }
  if (!inExecutionOrder(g)) g.nodes = executionOrder(g, defs);
}

function checkArity(n: Node): void {
  const op = opFor(n);
  const range = ([min, max]: readonly [number, number]) => (min === max ? `${min}` : max === Infinity ? `${min} or more` : `${min} to ${max}`);
  if (n.inputs.length < op.inputs[0] || n.inputs.length > op.inputs[1]) {
    throw new UserError(`${describe(n)} has ${n.inputs.length} inputs; the op takes ${range(op.inputs)}`, 'the model is malformed');
  }
  if (n.outputs.length < op.outputs[0] || n.outputs.length > op.outputs[1]) {
    throw new UserError(`${describe(n)} has ${n.outputs.length} outputs; the op takes ${range(op.outputs)}`, 'the model is malformed');
  }
}

function inExecutionOrder(g: Graph): boolean {
  const available = new Set<string>([...g.inputs.map((v) => v.name), ...g.initializers.keys()]);
  for (const n of g.nodes) {
    if (n.inputs.some((i) => i && !available.has(i))) return false;
    for (const o of n.outputs) if (o) available.add(o);
  }
  return true;
}

/** Kahn's algorithm, smallest file index first: O(E log N). */
function executionOrder(g: Graph, defs: Map<string, Node | 'input' | 'initializer'>): Node[] {
  const index = new Map(g.nodes.map((n, i) => [n, i]));
  const waiting = new Array<number>(g.nodes.length).fill(0);
  const readers = new Map<Node, number[]>();
  g.nodes.forEach((n, i) => {
    for (const name of new Set(n.inputs)) {
      const p = name ? defs.get(name) : undefined;
      if (typeof p !== 'object') continue;
      waiting[i]++;
      const list = readers.get(p);
      if (list) list.push(i);
      else readers.set(p, [i]);
    }
  });
  const ready = new IndexHeap();
  waiting.forEach((w, i) => {
    if (w === 0) ready.push(i);
  });
  const order: Node[] = [];
  while (ready.size > 0) {
    const n = g.nodes[ready.pop()];
    order.push(n);
    for (const r of readers.get(n) ?? []) if (--waiting[r] === 0) ready.push(r);
  }
  if (order.length < g.nodes.length) {
    const stuck = g.nodes.filter((n) => waiting[index.get(n)!] > 0);
    const shown = stuck.slice(0, 5).map((n) => `'${n.name}'`).join(', ');
    throw new UserError(
      `the graph has a cycle: ${stuck.length} node${stuck.length > 1 ? 's' : ''} (${shown}${stuck.length > 5 ? ', ...' : ''}) wait, directly or not, for their own outputs`,
      'an ONNX graph must be acyclic; the model is malformed',
    );
  }
  return order;
}
