// Run every bundled ONNX node-test case through the interpreter, honouring the skip list.

import path from 'node:path';
import { listCases, readSkipList, runNodeTestCase, type CaseOutcome } from './node-tests.js';
import { NODE_TESTS_DIR, SKIP_LIST_FILE } from './paths.js';

export interface ConformanceSummary {
  outcomes: CaseOutcome[];
  passed: number;
  failed: number;
  skipped: number;
}

/**
 * Skipped cases are still run: one that passes is reported as a failure, so that the skip list
 * never hides a case that works.
 */
export function runInterpreterConformance(root = NODE_TESTS_DIR, skipFile = SKIP_LIST_FILE): ConformanceSummary {
  const skips = readSkipList(skipFile);
  const cases = listCases(root);
  const unknownSkips = [...skips.keys()].filter((k) => !cases.includes(k));
  const outcomes: CaseOutcome[] = unknownSkips.map((name) => ({ name, status: 'failed', reason: 'listed in the skip list but no such case exists' }));
  for (const name of cases) {
    const outcome = runNodeTestCase(path.join(root, name));
    const reason = skips.get(name);
    if (reason === undefined) outcomes.push(outcome);
    else if (outcome.status === 'passed') outcomes.push({ name, status: 'failed', reason: `listed as skipped (${reason}) but passes: remove it from the skip list` });
    else outcomes.push({ name, status: 'skipped', reason });
  }
  const count = (s: CaseOutcome['status']) => outcomes.filter((o) => o.status === s).length;
  return { outcomes, passed: count('passed'), failed: count('failed'), skipped: count('skipped') };
}
