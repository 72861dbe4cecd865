// How busy the machine is, for default timeouts that stretch on a loaded machine and for timeout
// messages that say so.

import os from 'node:os';

/** Run-queue length per core over the last minute (1 = every core busy). */
export function loadPerCore(): number {
  const cores = Math.max(1, os.availableParallelism());
  const load = os.loadavg()[0];
  return Number.isFinite(load) ? load / cores : 0;
}

/** `baseMs` stretched by the load per core (at least 1x, at most `maxFactor`x). */
export function scaleForLoad(baseMs: number, maxFactor = 6): number {
  return Math.round(baseMs * Math.min(maxFactor, Math.max(1, loadPerCore())));
}

/** "the machine may be overloaded (load average 7.93 on 2 cores): retry when it is less busy". */
export function overloadHint(): string {
  const cores = Math.max(1, os.availableParallelism());
  return `the machine may be overloaded (load average ${os.loadavg()[0].toFixed(2)} on ${cores} core${cores === 1 ? '' : 's'}): retry when it is less busy`;
}
