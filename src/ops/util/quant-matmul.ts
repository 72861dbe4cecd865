// Shared by MatMulInteger and QLinearMatMul: numpy matmul shapes, per-row/per-column parameters, exact integer products.

import { nodeError } from '../../errors.js';
import type { Node } from '../../ir/graph.js';
import { shapeSize, shapeToString, type Shape, type Tensor } from '../../ir/tensor.js';
import { broadcastOffsets, broadcastShapes } from './broadcast.js';

/** Shapes of a numpy-style matmul, with 1-D operands promoted to matrices ([K] → [1, K] for A, [K, 1] for B). */
export interface MatMulPlan {
  /** A as [...batch, M, K] and B as [...batch, K, N]. */
  a: number[];
  b: number[];
  /** The product as computed, [...batch, M, N]. */
  out: number[];
  /** The output shape (promoted axes of 1-D operands dropped). */
  result: number[];
  M: number;
  K: number;
  N: number;
}

export function planMatMul(aShape: Shape, bShape: Shape, node: Node): MatMulPlan {
  if (aShape.length === 0 || bShape.length === 0) throw nodeError(node, 'matrix product operands must have rank 1 or more, not scalars');
  const a = aShape.length === 1 ? [1, aShape[0]] : [...aShape];
  const b = bShape.length === 1 ? [bShape[0], 1] : [...bShape];
  const [M, K] = a.slice(-2);
  const [Kb, N] = b.slice(-2);
  if (K !== Kb) throw nodeError(node, `cannot multiply ${shapeToString(aShape)} by ${shapeToString(bShape)}: inner dimensions ${K} and ${Kb} differ`);
  const batch = broadcastShapes([a.slice(0, -2), b.slice(0, -2)], node);
  const result = [...batch];
  if (aShape.length > 1) result.push(M);
  if (bShape.length > 1) result.push(N);
  return { a, b, out: [...batch, M, N], result, M, K, N };
}

/** A parameter must broadcast to `target` without growing it. */
export function checkBroadcastsTo(paramShape: Shape, target: Shape, node: Node, what: string): void {
  const fits = paramShape.length <= target.length &&
    paramShape.every((d, i) => d === 1 || d === target[target.length - paramShape.length + i]);
  if (!fits) throw nodeError(node, `${what} has shape ${shapeToString(paramShape)}, which does not broadcast to ${shapeToString(target)}`);
}

/** Offsets of a parameter broadcast to `target` (null: same shape). */
export function paramOffsets(paramShape: Shape, target: Shape, node: Node, what: string): Int32Array | null {
  checkBroadcastsTo(paramShape, target, node, what);
  return broadcastOffsets(paramShape, target);
}

/**
 * A per-row parameter of A as a shape that broadcasts along K: one element is per-tensor, a 1-D tensor
 * of M elements is per row ([M] → [M, 1]), and an N-D one is taken as written ([..., M, 1]).
 */
export function rowParamShape(shape: Shape, plan: MatMulPlan, node: Node, what: string): number[] {
  if (shapeSize(shape) === 1) return [];
  const s = shape.length === 1 && shape[0] === plan.M ? [plan.M, 1] : [...shape];
  if (s[s.length - 1] !== 1) throw nodeError(node, `${what} has shape ${shapeToString(shape)}; it must be one element or one per row of A (${plan.M})`);
  return s;
}

/** A per-column parameter of B: one element, N elements ([N]), or [..., 1, N]. */
export function columnParamShape(shape: Shape, plan: MatMulPlan, node: Node, what: string): number[] {
  if (shapeSize(shape) === 1) return [];
  if (shape.length >= 2 && shape[shape.length - 2] !== 1) {
    throw nodeError(node, `${what} has shape ${shapeToString(shape)}; it must be one element or one per column of B (${plan.N})`);
  }
  return [...shape];
}

/** Elements of a tensor minus its zero point (broadcast from `zeroShape`), as exact integers. */
export function centered(t: Tensor, shape: Shape, zero: Tensor | undefined, zeroShape: Shape, node: Node, what: string): Float64Array {
  const data = t.data as ArrayLike<number>;
  const out = Float64Array.from(data);
  if (!zero) return out;
  const z = zero.data as ArrayLike<number>;
  const offsets = paramOffsets(zeroShape, shape, node, what);
  for (let i = 0; i < out.length; i++) out[i] -= z[offsets ? offsets[i] : i];
  return out;
}

/** The exact product of two (centered) integer operands, in `plan.out` order. */
export function integerMatMul(plan: MatMulPlan, a: Float64Array, b: Float64Array): Float64Array {
  const { M, K, N } = plan;
  const batchShape = plan.out.slice(0, -2);
  const batches = shapeSize(batchShape);
  const aBatch = broadcastOffsets(plan.a.slice(0, -2), batchShape);
  const bBatch = broadcastOffsets(plan.b.slice(0, -2), batchShape);
  const out = new Float64Array(batches * M * N);
  for (let t = 0; t < batches; t++) {
    const aBase = (aBatch ? aBatch[t] : t) * M * K;
    const bBase = (bBatch ? bBatch[t] : t) * K * N;
    const oBase = t * M * N;
    for (let m = 0; m < M; m++) {
      for (let n = 0; n < N; n++) {
        let acc = 0;
        for (let k = 0; k < K; k++) acc += a[aBase + m * K + k] * b[bBase + k * N + n];
        out[oBase + m * N + n] = acc;
      }
    }
  }
  return out;
}

/** Multiply-accumulates of a matrix product: K per output element. */
export function matMulMacs(a: Shape, out: Shape): number {
  return shapeSize(out) * a[a.length - 1];
}
