// Every ONNX node-test case through import + the reference interpreter (CASES=substring filters them).
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { listCases, readSkipList, runNodeTestCase } from '../../src/conformance/node-tests.js';
import { NODE_TESTS_DIR, SKIP_LIST_FILE } from '../../src/conformance/paths.js';
import { skippedOutcome } from '../../src/conformance/run-all.js';

const filter = process.env.CASES;
const skips = readSkipList(SKIP_LIST_FILE);
const cases = listCases(NODE_TESTS_DIR).filter((c) => !filter || c.includes(filter));

describe('ONNX node tests on the interpreter', () => {
  for (const name of cases) {
    const skip = skips.get(name);
    it(skip ? `${name} is still refused with '${skip.error}' (${skip.reason})` : name, () => {
      const outcome = runNodeTestCase(path.join(NODE_TESTS_DIR, name));
      // A skipped case must still be refused, with the error its entry names: otherwise the skip list is stale.
      const judged = skip ? skippedOutcome(name, outcome, skip) : outcome;
      expect(judged.status === 'failed' ? judged.reason : 'ok').toBe('ok');
    });
  }

  it('has a reason and an error for every skipped case and no skip for a missing case', () => {
    const all = listCases(NODE_TESTS_DIR);
    for (const [name, skip] of skips) {
      expect(all).toContain(name);
      expect(skip.reason.length).toBeGreaterThan(10);
      expect(skip.error.length).toBeGreaterThan(10);
    }
  });
});

describe('skippedOutcome', () => {
  const skip = { reason: 'float8 tensors', error: 'has element type FLOAT8E4M3FN' };
  it('keeps a case skipped only while it fails with the named error', () => {
    expect(skippedOutcome('t', { name: 't', status: 'failed', reason: "graph input 'x' has element type FLOAT8E4M3FN, which edgeprune does not support" }, skip).status).toBe('skipped');
    const other = skippedOutcome('t', { name: 't', status: 'failed', reason: "tensor file 'input_0.pb' claims 1582357392000 elements" }, skip);
    expect(other.status === 'failed' && other.reason).toMatch(/listed as skipped, refused with 'has element type FLOAT8E4M3FN', but fails with: tensor file/);
    const passing = skippedOutcome('t', { name: 't', status: 'passed' }, skip);
    expect(passing.status === 'failed' && passing.reason).toMatch(/but passes: remove it from the skip list/);
  });
});
