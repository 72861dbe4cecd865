// Build IR graphs in code (tests, examples, the training bridge): inputs, initializers, nodes, outputs.

import type { DType } from './dtype.js';
import { emptyGraph, type AttrValue, type Graph } from './graph.js';
import { inferShapes } from './infer-shapes.js';
import type { Tensor } from './tensor.js';
import { verifyGraph } from './verify.js';

/** Attribute constructors, since a JS number does not say int or float. */
export const attr = {
  int: (value: number): AttrValue => ({ kind: 'int', value }),
  float: (value: number): AttrValue => ({ kind: 'float', value }),
  string: (value: string): AttrValue => ({ kind: 'string', value }),
  ints: (value: number[]): AttrValue => ({ kind: 'ints', value }),
  floats: (value: number[]): AttrValue => ({ kind: 'floats', value }),
  tensor: (value: Tensor): AttrValue => ({ kind: 'tensor', value }),
};

export class GraphBuilder {
  private readonly g: Graph;
  private counter = 0;

  constructor(name: string) {
    this.g = emptyGraph(name, 'edgeprune builder');
  }

  input(name: string, dtype: DType, shape: number[]): string {
    this.g.inputs.push({ name, dtype, shape });
    return name;
  }

  initializer(name: string, value: Tensor): string {
    this.g.initializers.set(name, value);
    return name;
  }

  /** Add a node; returns its output names (one per `outputs`, default a single fresh name). */
  node(
    opType: string,
    inputs: string[],
    attrs: Record<string, AttrValue> = {},
    options: { name?: string; outputs?: number | string[]; domain?: string } = {},
  ): string[] {
    const index = this.counter++;
    const name = options.name ?? `${opType.toLowerCase()}_${index}`;
    const outs = Array.isArray(options.outputs)
      ? options.outputs
      : Array.from({ length: options.outputs ?? 1 }, (_, i) => (i === 0 ? `${name}_out` : `${name}_out${i}`));
    this.g.nodes.push({ name, opType, domain: options.domain ?? '', inputs, outputs: outs, attrs });
    return outs;
  }

  /** Single-output shorthand for `node`. */
  op(opType: string, inputs: string[], attrs: Record<string, AttrValue> = {}, name?: string): string {
    return this.node(opType, inputs, attrs, { name })[0];
  }

  output(name: string): void {
    this.g.outputs.push({ name, dtype: 'float32', shape: [] });
  }

  /** Infer types, check the graph, and hand it over. */
  build(): Graph {
    // Declared output types are placeholders here; inference fills the real ones.
    const declared = this.g.outputs.map((o) => o.name);
    this.g.outputs = [];
    inferShapes(this.g);
    this.g.outputs = declared.map((name) => {
      const v = this.g.values.get(name) ?? this.g.initializers.get(name);
      if (!v) throw new Error(`output '${name}' is not produced`);
      return { name, dtype: v.dtype, shape: [...v.shape] };
    });
    verifyGraph(this.g);
    return this.g;
  }
}
