// Run every bundled ONNX node-test case through the interpreter, honouring the skip list.

import path from 'node:path';
import { listCases, readSkipList, runNodeTestCase, type CaseOutcome, type SkipEntry } from './node-tests.js';
import { NODE_TESTS_DIR, SKIP_LIST_FILE } from './paths.js';

export interface ConformanceSummary {
  outcomes: CaseOutcome[];
  passed: number;
  failed: number;
  skipped: number;
}

/**
 * The outcome of a skipped case that was run anyway: skipped only while edgeprune still refuses it with the error its
 * entry names; a case that passes, or fails for another reason, is a failure, so the skip list never hides a case that
 * works or a new error.
 */
export function skippedOutcome(name: string, outcome: CaseOutcome, skip: SkipEntry): CaseOutcome {
  if (outcome.status === 'passed') return { name, status: 'failed', reason: `listed as skipped (${skip.reason}) but passes: remove it from the skip list` };
  if (outcome.status === 'failed' && !outcome.reason.includes(skip.error)) {
    return { name, status: 'failed', reason: `listed as skipped, refused with '${skip.error}', but fails with: ${outcome.reason}` };
  }
  return { name, status: 'skipped', reason: skip.reason };
}

export function runInterpreterConformance(root = NODE_TESTS_DIR, skipFile = SKIP_LIST_FILE): ConformanceSummary {
  const skips = readSkipList(skipFile);
  const cases = listCases(root);
  const unknownSkips = [...skips.keys()].filter((k) => !cases.includes(k));
  const outcomes: CaseOutcome[] = unknownSkips.map((name) => ({ name, status: 'failed', reason: 'listed in the skip list but no such case exists' }));
  for (const name of cases) {
    const outcome = runNodeTestCase(path.join(root, name));
    const skip = skips.get(name);
    outcomes.push(skip ? skippedOutcome(name, outcome, skip) : outcome);
  }
  const count = (s: CaseOutcome['status']) => outcomes.filter((o) => o.status === s).length;
  return { outcomes, passed: count('passed'), failed: count('failed'), skipped: count('skipped') };
}
