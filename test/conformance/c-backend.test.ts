// The ONNX node tests through the C backend: each compiled case passes on the host and in QEMU, bit-identical,
// or is refused by compile with a "not supported by the C backend" error naming the node and op.
import { beforeAll, describe, expect, it } from 'vitest';
import { runCConformance, type CConformance } from '../../src/conformance/c-backend.js';
import { listCases, readSkipList } from '../../src/conformance/node-tests.js';
import { NODE_TESTS_DIR, SKIP_LIST_FILE } from '../../src/conformance/paths.js';
import { findTarget } from '../../src/targets/load-targets.js';

const filter = process.env.CASES;
const skips = readSkipList(SKIP_LIST_FILE);
const cases = listCases(NODE_TESTS_DIR).filter((c) => !skips.has(c) && (!filter || c.includes(filter)));
let result: CConformance;

beforeAll(async () => {
  result = await runCConformance({ target: findTarget('mps2-an386'), filter });
}, 300_000);

describe('ONNX node tests on the C backend (host gcc and QEMU mps2-an386)', () => {
  for (const name of cases) {
    it(name, () => {
      const host = result.host.find((o) => o.name === name)!;
      const target = result.target!.find((o) => o.name === name)!;
      if (host.status === 'refused') {
        expect(host.reason).toMatch(/^not supported by the C backend: node '[^']+' \([A-Za-z]+\): /);
        return;
      }
      expect(host.status === 'failed' ? host.reason : 'passed').toBe('passed');
      expect(target.status === 'failed' ? target.reason : 'passed').toBe('passed');
    });
  }

  it('compiles most float cases', () => {
    const compiled = result.host.filter((o) => o.status !== 'refused').length;
    expect(compiled).toBeGreaterThanOrEqual(filter ? 1 : 140);
  });
});
