// Read-only facts about a quantized graph for pattern matching: producers, readers, constants, and a Q/DQ node's parameters.

import { nodeError } from '../../errors.js';
import type { DType } from '../../ir/dtype.js';
import { consumers, producers, type Graph, type Node } from '../../ir/graph.js';
import type { Tensor } from '../../ir/tensor.js';

/** A per-tensor quantization: one scale and one zero point. */
export interface TensorQuant {
  scale: number;
  zeroPoint: number;
}

export class QuantGraph {
  private readonly producerOf: Map<string, Node>;
  private readonly readersOf: Map<string, Node[]>;
  private readonly graphOutputs: Set<string>;

  constructor(readonly g: Graph) {
    this.producerOf = producers(g);
    this.readersOf = consumers(g);
    this.graphOutputs = new Set(g.outputs.map((o) => o.name));
  }

  producer(value: string): Node | undefined {
    return this.producerOf.get(value);
  }

  readers(value: string): Node[] {
    return this.readersOf.get(value) ?? [];
  }

  isGraphOutput(value: string): boolean {
    return this.graphOutputs.has(value);
  }

  /** The one node reading `value`, when it has exactly one reader and is not a graph output. */
  soleReader(value: string): Node | undefined {
    const readers = this.readers(value);
    return readers.length === 1 && !this.isGraphOutput(value) ? readers[0] : undefined;
  }

  constant(value: string): Tensor | undefined {
    return value ? this.g.initializers.get(value) : undefined;
  }

  dtype(value: string): DType | undefined {
    return (this.g.initializers.get(value) ?? this.g.values.get(value))?.dtype;
  }

  /** A node's input that must be a constant (scales, zero points); refused when it is computed at run time. */
  requireConstant(node: Node, index: number, what: string): Tensor {
    const name = node.inputs[index];
    const t = this.constant(name);
    if (!t) {
      throw nodeError(
        node,
        `${what} '${name}' is computed at run time (dynamic quantization); edgeprune's int8 ops need constant scales and zero points`,
        'quantize the model statically (onnxruntime quantize_static, not quantize_dynamic), or with edgeprune quantize',
      );
    }
    return t;
  }

  /**
   * Scale and zero point of a QuantizeLinear or DequantizeLinear node with one of each (per tensor); undefined
   * for per-axis or blocked ones. The zero point defaults to 0.
   */
  tensorQuant(node: Node): TensorQuant | undefined {
    const scale = this.requireConstant(node, 1, node.opType === 'QuantizeLinear' ? 'y_scale' : 'x_scale');
    const zero = node.inputs[2] ? this.requireConstant(node, 2, node.opType === 'QuantizeLinear' ? 'y_zero_point' : 'x_zero_point') : undefined;
    if (scale.size !== 1 || (zero && zero.size !== 1)) return undefined;
    return { scale: scale.at(0), zeroPoint: zero ? zero.at(0) : 0 };
  }
}

export const sameQuant = (a: TensorQuant, b: TensorQuant) => Math.fround(a.scale) === Math.fround(b.scale) && a.zeroPoint === b.zeroPoint;
