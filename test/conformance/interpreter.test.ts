// Every ONNX node-test case through import + the reference interpreter (CASES=substring filters them).
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { listCases, readSkipList, runNodeTestCase } from '../../src/conformance/node-tests.js';
import { NODE_TESTS_DIR, SKIP_LIST_FILE } from '../../src/conformance/paths.js';

const filter = process.env.CASES;
const skips = readSkipList(SKIP_LIST_FILE);
const cases = listCases(NODE_TESTS_DIR).filter((c) => !filter || c.includes(filter));

describe('ONNX node tests on the interpreter', () => {
  for (const name of cases) {
    const reason = skips.get(name);
    it(reason ? `${name} is still unsupported (${reason})` : name, () => {
      const outcome = runNodeTestCase(path.join(NODE_TESTS_DIR, name));
      if (reason) {
        // A skipped case must really fail: otherwise the skip list is stale.
        expect(outcome.status, `${name} passes now; remove it from test/conformance/skipped.json`).toBe('failed');
      } else {
        expect(outcome.status === 'failed' ? outcome.reason : 'passed').toBe('passed');
      }
    });
  }

  it('has a reason for every skipped case and no skip for a missing case', () => {
    const all = listCases(NODE_TESTS_DIR);
    for (const [name, why] of skips) {
      expect(all).toContain(name);
      expect(why.length).toBeGreaterThan(10);
    }
  });
});
