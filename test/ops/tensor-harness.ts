// Test harness for the tensor-family ops: run one op through parseAttrs, infer and evaluate, and upgrade nodes with a fake context.

import type { AttrValue, Node } from '../../src/ir/graph.js';
import { Tensor } from '../../src/ir/tensor.js';
import { readAttrs, type InferInput, type UpgradeContext } from '../../src/ops/op-def.js';
import { findOp } from '../../src/ops/registry.js';

export { attr } from '../../src/ir/builder.js';

export function makeNode(opType: string, inputs: string[], attrs: Record<string, AttrValue> = {}, outputs: string[] = ['y']): Node {
  return { name: `${opType.toLowerCase()}_node`, opType, domain: '', inputs, outputs, attrs };
}

function opOf(opType: string) {
  const op = findOp('', opType);
  if (!op) throw new Error(`${opType} is not registered`);
  return op;
}

export interface RunOptions {
  /** Number of outputs the node declares (Split). */
  outputs?: number;
  /** Inputs that infer sees without a value, as values computed at run time (default: input 0). */
  runtimeInputs?: number[];
}

/** Infer and evaluate one op; fails if evaluate's outputs disagree with what infer promised. */
export function runOp(opType: string, inputs: (Tensor | undefined)[], attrs: Record<string, AttrValue> = {}, options: RunOptions = {}): Tensor[] {
  const op = opOf(opType);
  const outputNames = Array.from({ length: options.outputs ?? 1 }, (_, i) => `y${i}`);
  const node = makeNode(opType, inputs.map((t, i) => (t ? `x${i}` : '')), attrs, outputNames);
  const parsed = readAttrs(op, node);
  const runtime = options.runtimeInputs ?? [0];
  const inferInputs: (InferInput | undefined)[] = inputs.map((t, i) =>
    t === undefined ? undefined : { dtype: t.dtype, shape: t.shape, value: runtime.includes(i) ? undefined : t },
  );
  const inferred = op.infer(inferInputs, parsed, node);
  const outs = op.evaluate(inputs, parsed, node);
  outs.forEach((o, i) => {
    const want = inferred[i];
    if (o.dtype !== want.dtype || o.shape.join() !== want.shape.join()) {
      throw new Error(`${opType}: evaluate gave ${o.dtype} [${o.shape}], infer said ${want.dtype} [${want.shape}]`);
    }
  });
  return outs;
}

/** Only infer, with the given inputs (values where constant). */
export function inferOp(opType: string, inputs: (InferInput | undefined)[], attrs: Record<string, AttrValue> = {}, outputs = 1): InferInput[] {
  const op = opOf(opType);
  const node = makeNode(opType, inputs.map((t, i) => (t ? `x${i}` : '')), attrs, Array.from({ length: outputs }, (_, i) => `y${i}`));
  return op.infer(inputs, readAttrs(op, node), node);
}

/** Upgrade a node from `opset` with a context that records the constants it adds. */
export function upgradeNode(node: Node, opset: number): { nodes: Node[]; constants: Map<string, Tensor> } {
  const constants = new Map<string, Tensor>();
  let counter = 0;
  const ctx: UpgradeContext = {
    addConstant(tensor, hint) {
      const name = `${hint}_${counter++}`;
      constants.set(name, tensor);
      return name;
    },
    uniqueName: (hint) => `${hint}_${counter++}`,
  };
  const replaced = opOf(node.opType).upgrade?.(node, opset, ctx);
  return { nodes: replaced ?? [node], constants };
}

export const f32 = (values: number[], shape: number[] = [values.length]) => Tensor.fromNumbers('float32', shape, values);
export const i32 = (values: number[], shape: number[] = [values.length]) => Tensor.fromNumbers('int32', shape, values);
export const i64 = (values: (number | bigint)[], shape: number[] = [values.length]) =>
  new Tensor('int64', shape, BigInt64Array.from(values.map((v) => BigInt(v))));
export const u64 = (values: (number | bigint)[], shape: number[] = [values.length]) =>
  new Tensor('uint64', shape, BigUint64Array.from(values.map((v) => BigInt(v))));

/** A tensor's elements as a plain array (bigints stay bigints). */
export const elements = (t: Tensor) => Array.from(t.data as ArrayLike<number | bigint>);

/** 0, 1, 2, ... as a float32 tensor of `shape`. */
export function iota(shape: number[]): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return f32(Array.from({ length: n }, (_, i) => i), shape);
}
