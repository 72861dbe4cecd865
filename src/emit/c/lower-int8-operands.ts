// The operands of the int8 ops of ai.edgeprune as the C lowerings read them: run-time int8 tensors, and the
// constant scales and zero points the kernels take as literals (per tensor).

import type { DType } from '../../ir/dtype.js';
import type { Tensor } from '../../ir/tensor.js';
import { unsupported, type LowerContext } from './lower.js';

/** A constant input (weights, a bias, a scale, a zero point), of `dtype` when given, or a refusal naming it. */
export function constantInput(ctx: LowerContext, index: number, what: string, dtype?: DType): Tensor {
  const name = ctx.node.inputs[index];
  const t = name ? ctx.constant(name) : undefined;
  if (!t) unsupported(`${what} '${name ?? ''}' is computed at run time; the int8 C kernels need it constant`);
  if (dtype && t.dtype !== dtype) unsupported(`${what} '${name}' is ${t.dtype}, not ${dtype}`);
  return t;
}

/** A run-time int8 input (the tensor an int8 kernel reads): its value name. */
export function int8Value(ctx: LowerContext, index: number, what: string): string {
  const name = ctx.node.inputs[index];
  if (ctx.constant(name)) unsupported(`${what} '${name}' is a constant; the int8 C kernels read it at run time (fold the op)`);
  const t = ctx.type(name);
  if (t.dtype !== 'int8') unsupported(`${what} '${name}' is ${t.dtype}; the int8 C kernels read int8`);
  return name;
}

/** A per-tensor zero point (one int8 element), or 0 when the input is absent. */
export function zeroPoint(ctx: LowerContext, index: number, what: string): number {
  if (!ctx.node.inputs[index]) return 0;
  const t = constantInput(ctx, index, what, 'int8');
  if (t.size !== 1) unsupported(`${what} has ${t.size} elements; the int8 C kernels take one zero point per tensor`);
  return t.at(0);
}

/** A per-tensor float32 scale. */
export function scale(ctx: LowerContext, index: number, what: string): number {
  const t = constantInput(ctx, index, what, 'float32');
  if (t.size !== 1) unsupported(`${what} has ${t.size} elements; the C kernels take one scale per tensor here`);
  return t.at(0);
}
