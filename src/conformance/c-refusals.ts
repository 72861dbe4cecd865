// The C backend's pinned refusals: the exact set of node-test cases `compile` refuses, with the exact reason each.

import fs from 'node:fs';
import type { CCaseOutcome } from './c-backend.js';

/** Pinned refusals: case name → the full error message `compile` refuses it with. */
export function readPinnedRefusals(file: string): Map<string, string> {
  return new Map(Object.entries(JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, string>));
}

/**
 * What differs between the run's refusals and the pinned ones, one line each: a case refused but not pinned (a new
 * refusal), pinned but compiled (it compiles now: update the file), or refused for another reason. A pinned case the
 * run did not cover is stale when the run covered every case (`complete`), and not judged in a filtered run.
 */
export function refusalDifferences(outcomes: readonly CCaseOutcome[], pinned: ReadonlyMap<string, string>, file: string, complete: boolean): string[] {
  const problems: string[] = [];
  if (complete) {
    const ran = new Set(outcomes.map((o) => o.name));
    for (const name of pinned.keys()) if (!ran.has(name)) problems.push(`${name}: listed in ${file} but no such case ran (missing, or skipped for the interpreter too): remove it`);
  }
  for (const o of outcomes) {
    const want = pinned.get(o.name);
    if (o.status === 'refused' && want === undefined) problems.push(`${o.name}: refused but not listed in ${file}: ${o.reason}`);
    else if (o.status !== 'refused' && want !== undefined) problems.push(`${o.name}: listed as refused in ${file} but compile took it (${o.status}${o.reason ? `: ${o.reason}` : ''}): remove it from the file`);
    else if (o.status === 'refused' && o.reason !== want) problems.push(`${o.name}: refused with '${o.reason}', ${file} says '${want}'`);
  }
  return problems;
}
