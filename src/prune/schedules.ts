// Pruning schedules: the sparsity (or MAC reduction) to reach at each step of a progressive run.

import { UserError } from '../errors.js';

export type ScheduleName = 'oneshot' | 'steps' | 'polynomial' | 'threshold';
export const SCHEDULES: readonly ScheduleName[] = ['oneshot', 'steps', 'polynomial', 'threshold'];

export function checkSchedule(name: string): ScheduleName {
  if (!(SCHEDULES as readonly string[]).includes(name)) throw new UserError(`unknown schedule '${name}'; known: ${SCHEDULES.join(', ')}`);
  return name as ScheduleName;
}

/**
 * Targets per step from `initial` to `final` in `steps` steps.
 * - oneshot: the final target at once.
 * - steps: equal increments.
 * - polynomial: Zhu & Gupta (2017), s_t = s_f + (s_i − s_f)(1 − (t − t0)/(nΔt))³ sampled at t = t0 + kΔt, k = 1..n:
 *   large cuts early while there are many redundant weights, small ones near the end.
 * - threshold: not a sequence of targets (each step prunes |w| < mean|w|/α); the sequence is the one of
 *   `steps`, used only as a stopping guide.
 */
export function scheduleTargets(name: ScheduleName, final: number, steps: number, initial = 0): number[] {
  if (!Number.isInteger(steps) || steps < 1) throw new UserError(`--steps must be a positive integer, got ${steps}`);
  if (name === 'oneshot') return [final];
  if (name === 'polynomial') return Array.from({ length: steps }, (_, k) => final + (initial - final) * (1 - (k + 1) / steps) ** 3);
  return Array.from({ length: steps }, (_, k) => initial + ((final - initial) * (k + 1)) / steps);
}
