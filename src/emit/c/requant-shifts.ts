// Which int8 calls requantize outside ep__rq_apply's fast form (templates/c/lib/ep_int8_common.h): the worst-case
// analysis marks them data-dependent, and a model whose per-channel shifts all take it compiles its kernels with
// EP_RQ_FAST_ONLY (no test of the shift at each output, no exact rule's code).

import type { CCall, CStep } from './c-step.js';

/** The shifts whose requantization ep__rq_apply does in its fast form; it leaves the others to the exact rule. */
export const FAST_REQUANT_SHIFTS: readonly [number, number] = [33, 55];

const outside = (shifts: ArrayLike<number>) => Array.from(shifts).some((s) => s < FAST_REQUANT_SHIFTS[0] || s > FAST_REQUANT_SHIFTS[1]);

/** Its per-channel shifts (`<node>:requant_shift` weights: conv, dense, sparse; ep__rq_apply_ch) leave the range. */
function channelShiftsOutside(call: CCall): boolean {
  return call.args.some((a) => a.kind === 'weight' && a.weight.key.endsWith(':requant_shift') && outside(a.weight.tensor.data as ArrayLike<number>));
}

/**
 * A call whose requantization shifts leave the fast form's range: its per-channel `<node>:requant_shift` weights, or the
 * shifts its lowering lists (`requantShifts`: Int8Add's output, the int8 pools').
 */
export function exactRequantShifts(call: CCall): boolean {
  return outside(call.requantShifts ?? []) || channelShiftsOutside(call);
}

/**
 * The steps call int8 kernels and every per-channel shift among them takes the fast form: their C defines
 * EP_RQ_FAST_ONLY (steps of float kernels only need no such line). The other shifts keep their test either way: a
 * literal argument's folds away, the average pool's whole-window one is read once per call.
 */
export function requantFastOnly(steps: readonly CStep[]): boolean {
  const calls = steps.flatMap((s) => s.calls);
  return calls.some((c) => /_s8(_|$)/.test(c.kernel)) && !calls.some(channelShiftsOutside);
}
