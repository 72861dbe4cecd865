// Refuse, before any build, a model whose weights or arena cannot fit the target's flash or RAM.

import type { MemoryPlan } from '../../analysis/memory-plan.js';
import { weightArrayBytes } from '../../cost/weight-bytes.js';
import { UserError } from '../../errors.js';
import type { McuTarget } from '../../targets/schema.js';
import type { CStep } from './c-step.js';
import type { CLibrary } from './compile-c.js';

const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;

function checkSizes(weights: number, arena: number, target: McuTarget): void {
  if (weights > target.flash.bytes) {
    throw new UserError(`the model does not fit ${target.name}: its weights take ${weights} bytes (${kib(weights)}), the flash holds ${target.flash.bytes} bytes (${kib(target.flash.bytes)})`, 'prune the model (edgeprune prune) or choose a target with more flash');
  }
  if (arena > target.ram.bytes) {
    throw new UserError(`the model does not fit ${target.name}: its activation arena takes ${arena} bytes (${kib(arena)}), the RAM holds ${target.ram.bytes} bytes (${kib(target.ram.bytes)})`, 'prune the model (edgeprune prune) or choose a target with more RAM');
  }
}

export function checkFitsTarget(lib: CLibrary, target: McuTarget): void {
  checkSizes(lib.view.weightBytes, lib.plan.arenaBytes, target);
}

/** Bytes of the distinct weight arrays the steps use, as the C library will store them. */
export function loweredWeightBytes(steps: readonly CStep[]): number {
  const seen = new Set<string>();
  let bytes = 0;
  for (const s of steps) {
    for (const c of s.calls) {
      for (const a of c.args) {
        if (a.kind !== 'weight' || seen.has(a.weight.key)) continue;
        seen.add(a.weight.key);
        bytes += weightArrayBytes(a);
      }
    }
  }
  return bytes;
}

/** The same check on the lowered program, before any C is rendered (formatting weights is what costs). */
export function checkLoweredFitsTarget(lowered: { steps: readonly CStep[]; plan: MemoryPlan }, target: McuTarget): void {
  checkSizes(loweredWeightBytes(lowered.steps), lowered.plan.arenaBytes, target);
}
