// Refuse, before any build, a model whose weights or arena cannot fit the target's flash or RAM.

import { UserError } from '../../errors.js';
import type { McuTarget } from '../../targets/schema.js';
import type { CLibrary } from './compile-c.js';

const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;

export function checkFitsTarget(lib: CLibrary, target: McuTarget): void {
  const weights = lib.view.weightBytes;
  const arena = lib.plan.arenaBytes;
  if (weights > target.flash.bytes) {
    throw new UserError(`the model does not fit ${target.name}: its weights take ${weights} bytes (${kib(weights)}), the flash holds ${target.flash.bytes} bytes (${kib(target.flash.bytes)})`, 'prune the model (edgeprune prune) or choose a target with more flash');
  }
  if (arena > target.ram.bytes) {
    throw new UserError(`the model does not fit ${target.name}: its activation arena takes ${arena} bytes (${kib(arena)}), the RAM holds ${target.ram.bytes} bytes (${kib(target.ram.bytes)})`, 'prune the model (edgeprune prune) or choose a target with more RAM');
  }
}
