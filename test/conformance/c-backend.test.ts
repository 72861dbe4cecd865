// The ONNX node tests through the C backend: each compiled case passes on the host and in QEMU, bit-identical; the
// cases `compile` refuses are exactly those pinned in c-refused.json, each with the exact reason pinned there.
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCConformance, type CCaseOutcome, type CConformance } from '../../src/conformance/c-backend.js';
import { readPinnedRefusals, refusalDifferences } from '../../src/conformance/c-refusals.js';
import { C_RESULTS_ENV, writeCResults } from '../../src/conformance/c-results-file.js';
import { exporterConstantInputs } from '../../src/conformance/exporter-constants.js';
import { listCases, readSkipList, readTestDataSets } from '../../src/conformance/node-tests.js';
import { C_REFUSED_FILE, NODE_TESTS_DIR, SKIP_LIST_FILE } from '../../src/conformance/paths.js';
import { decodeModel, graphFromModel } from '../../src/onnx/import.js';
import { readModelBytes } from '../../src/onnx/load-onnx.js';
import { findMcuTarget } from '../../src/targets/load-targets.js';

const filter = process.env.CASES;
const skips = readSkipList(SKIP_LIST_FILE);
const pinned = readPinnedRefusals(C_REFUSED_FILE);
const cases = listCases(NODE_TESTS_DIR).filter((c) => !skips.has(c) && (!filter || c.includes(filter)));
let result: CConformance;

beforeAll(async () => {
  result = await runCConformance({ target: findMcuTarget('mps2-an386'), filter });
  // make test prints the conformance summary from these outcomes after the suite (not from a second run of every case).
  const resultsFile = process.env[C_RESULTS_ENV];
  if (resultsFile && !filter) writeCResults(resultsFile, result);
}, 900_000);

describe('ONNX node tests on the C backend (host gcc and QEMU mps2-an386)', () => {
  for (const name of cases) {
    const refusal = pinned.get(name);
    it(refusal ? `${name} is refused by compile (pinned)` : name, () => {
      const host = result.host.find((o) => o.name === name)!;
      const target = result.target!.find((o) => o.name === name)!;
      if (refusal) {
        expect(host.status === 'refused' ? host.reason : `not refused: ${host.status}`).toBe(refusal);
        return;
      }
      expect(host.status === 'passed' ? 'passed' : `${host.status}: ${host.reason}`).toBe('passed');
      expect(target.status === 'passed' ? 'passed' : `${target.status}: ${target.reason}`).toBe('passed');
    });
  }

  it('refuses exactly the cases pinned in test/conformance/c-refused.json, with their reasons', () => {
    expect(refusalDifferences(result.host, pinned, 'c-refused.json', !filter)).toEqual([]);
    for (const reason of pinned.values()) expect(reason).toMatch(/^not supported by the C backend: node '[^']+' \([A-Za-z]+\): /);
  });

  it('binds weights, biases, BatchNorm statistics, Clip bounds and Pad values as constants, so their kernels run', () => {
    for (const name of ['test_basic_conv_with_padding', 'test_gemm_alpha', 'test_convtranspose', 'test_batchnorm_example', 'test_clip', 'test_constant_pad']) {
      if (filter && !name.includes(filter)) continue;
      expect(result.host.find((o) => o.name === name)?.status, name).toBe('passed');
    }
  });
});

describe('refusalDifferences', () => {
  const refused = (name: string, reason: string): CCaseOutcome => ({ name, status: 'refused', reason });
  const pins = new Map([['a', 'why a'], ['b', 'why b']]);
  it('names a new refusal, a pinned case that compiles now, a changed reason and a stale pin', () => {
    const run = [refused('a', 'why a'), { name: 'b', status: 'passed' } as CCaseOutcome, refused('c', 'why c')];
    expect(refusalDifferences(run, pins, 'f.json', false)).toEqual([
      "b: listed as refused in f.json but compile took it (passed): remove it from the file",
      'c: refused but not listed in f.json: why c',
    ]);
    expect(refusalDifferences([refused('a', 'other')], pins, 'f.json', true)).toEqual([
      'b: listed in f.json but no such case ran (missing, or skipped for the interpreter too): remove it',
      "a: refused with 'other', f.json says 'why a'",
    ]);
  });
});

describe('exporterConstantInputs', () => {
  const declared = (name: string) => {
    const file = path.join(NODE_TESTS_DIR, name, 'model.onnx');
    return graphFromModel(decodeModel(readModelBytes(file), file), file, path.dirname(file));
  };
  const bound = (name: string, parameters: boolean) => Object.keys(exporterConstantInputs(declared(name), readTestDataSets(path.join(NODE_TESTS_DIR, name))[0].inputs, { parameters })).sort();
  it('binds parameter and configuration inputs for the C backend, only integer inputs otherwise', () => {
    expect(bound('test_basic_conv_with_padding', true)).toEqual(['W']);
    expect(bound('test_basic_conv_with_padding', false)).toEqual([]);
    expect(bound('test_batchnorm_example', true)).toEqual(['bias', 'mean', 's', 'var']);
    expect(bound('test_gemm_default_vector_bias', true)).toEqual(['b', 'c']);
    expect(bound('test_clip', true)).toEqual(['max', 'min']);
    expect(bound('test_constant_pad', true)).toEqual(['pads', 'value']);
    expect(bound('test_constant_pad', false)).toEqual(['pads']);
  });
  it('leaves both operands of Add and MatMul as run-time inputs', () => {
    expect(bound('test_add', true)).toEqual([]);
    expect(bound('test_matmul_2d', true)).toEqual([]);
  });
});
