// The operands of the int8 ops of ai.edgeprune that take per-tensor quantization (Int8Add, the average pools), as the C lowerings read them.

import type { Tensor } from '../../ir/tensor.js';
import { unsupported, type LowerContext } from './lower.js';

/** A constant input (a scale or a zero point), or a refusal naming it: the int8 kernels take them as literals. */
export function quantConstant(ctx: LowerContext, index: number, what: string): Tensor {
  const name = ctx.node.inputs[index];
  const t = name ? ctx.constant(name) : undefined;
  if (!t) unsupported(`${what} '${name ?? ''}' is computed at run time; the int8 C kernels need it constant`);
  return t;
}

/** A per-tensor zero point (the op's type inference checked it is one int8 element). */
export function quantZeroPoint(ctx: LowerContext, index: number, what: string): number {
  return quantConstant(ctx, index, what).at(0) as number;
}

/** A run-time int8 input: its value name. */
export function int8Operand(ctx: LowerContext, index: number, what: string): string {
  const name = ctx.node.inputs[index];
  if (ctx.constant(name)) unsupported(`${what} '${name}' is a constant; the int8 C kernels read it at run time (fold the op)`);
  const t = ctx.type(name);
  if (t.dtype !== 'int8') unsupported(`${what} '${name}' is ${t.dtype}; the int8 C kernels read int8`);
  return name;
}
