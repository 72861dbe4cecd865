// Cross-checks with onnxruntime: generated models agree with the interpreter; ONNX → IR → ONNX keeps outputs.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { maxAbsDiff, compareTensors } from '../../src/conformance/compare.js';
import { listCases, loadCaseModel, readSkipList, readTestDataSets, toleranceFor } from '../../src/conformance/node-tests.js';
import { NODE_TESTS_DIR, SKIP_LIST_FILE } from '../../src/conformance/paths.js';
import type { Graph } from '../../src/ir/graph.js';
import { runGraph } from '../../src/ir/interpreter.js';
import { shapeSize, Tensor } from '../../src/ir/tensor.js';
import { digitsMlp, mnistLikeCnn, residualCnn } from '../../src/models/sample-models.js';
import { exportOnnx } from '../../src/onnx/export.js';
import { loadOnnxBytes } from '../../src/onnx/load-onnx.js';
import { Random } from '../../src/util/random.js';
import { runOnnxruntime } from '../support/ort.js';

function randomFeeds(g: Graph, seed: number): Record<string, Tensor> {
  const rng = new Random(seed);
  const feeds: Record<string, Tensor> = {};
  for (const v of g.inputs) {
    const shape = v.shape as number[];
    feeds[v.name] = Tensor.fromNumbers('float32', shape, Array.from({ length: shapeSize(shape) }, () => rng.uniform(-1, 1)));
  }
  return feeds;
}

describe('generated models: interpreter vs onnxruntime', () => {
  const models: [string, () => Graph][] = [['MLP', digitsMlp], ['MNIST-like CNN', mnistLikeCnn], ['CNN with BatchNorm, pooling and residual Add', residualCnn]];
  for (const [label, make] of models) {
    it(`${label}: max abs difference <= 1e-5`, async () => {
      const g = make();
      for (let seed = 0; seed < 3; seed++) {
        const feeds = randomFeeds(g, seed);
        const ours = runGraph(g, feeds);
        const theirs = await runOnnxruntime(exportOnnx(g), feeds);
        for (const o of g.outputs) {
          const diff = maxAbsDiff(ours.get(o.name)!, theirs.get(o.name)!);
          expect(diff).toBeLessThanOrEqual(1e-5);
        }
      }
    });
  }

  it('exported bytes are deterministic and re-import to the same graph', () => {
    const a = exportOnnx(residualCnn());
    const b = exportOnnx(residualCnn());
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    const again = loadOnnxBytes(a, 'residual.onnx');
    expect(Buffer.from(exportOnnx(again)).equals(Buffer.from(a))).toBe(true);
  });
});

/** A case onnxruntime cannot run: why, and the error (a substring) onnxruntime raises on it. */
interface OrtGap {
  reason: string;
  error: string;
}

/** Run a node-test case through ONNX → IR → ONNX → onnxruntime; the first output that differs, or null. */
async function runCaseInOrt(name: string): Promise<string | null> {
  const dir = path.join(NODE_TESTS_DIR, name);
  for (const set of readTestDataSets(dir)) {
    const { graph: g, feeds } = loadCaseModel(dir, set);
    const results = await runOnnxruntime(exportOnnx(g), feeds);
    for (const [i, o] of g.outputs.entries()) {
      if (!set.outputs[i]) continue;
      const diff = compareTensors(results.get(o.name)!, set.outputs[i], toleranceFor(name));
      if (diff) return `${path.basename(set.dir)} output '${o.name}': ${diff}`;
    }
  }
  return null;
}

describe('ONNX → IR → ONNX → onnxruntime reproduces the node-test outputs', () => {
  const skips = readSkipList(SKIP_LIST_FILE);
  const ortGaps = new Map(Object.entries(JSON.parse(fs.readFileSync(path.resolve('test/onnx/onnxruntime-gaps.json'), 'utf8')) as Record<string, OrtGap>));
  const cases = listCases(NODE_TESTS_DIR).filter((c) => !skips.has(c) && (!process.env.CASES || c.includes(process.env.CASES)));
  for (const name of cases) {
    const gap = ortGaps.get(name);
    if (gap) {
      // The gap must still be there: onnxruntime still fails on the case with the error named; when it runs the case,
      // the gap is stale and the case joins the comparison.
      it(`${name} still fails in onnxruntime with '${gap.error}' (${gap.reason}); the interpreter conformance test covers it`, async () => {
        const outcome = await runCaseInOrt(name).then(
          (diff) => `runs in onnxruntime now (${diff ?? 'and matches'}): remove it from onnxruntime-gaps.json`,
          (e: unknown) => (e instanceof Error ? e.message : String(e)),
        );
        expect(outcome).toContain(gap.error);
      });
      continue;
    }
    it(name, async () => {
      expect(await runCaseInOrt(name)).toBeNull();
    });
  }

  it('lists a reason and the onnxruntime error for every gap, and only existing, non-skipped cases', () => {
    for (const [name, gap] of ortGaps) {
      expect(listCases(NODE_TESTS_DIR)).toContain(name);
      expect(skips.has(name)).toBe(false);
      expect(gap.reason.length).toBeGreaterThan(10);
      expect(gap.error.length).toBeGreaterThan(5);
    }
  });
});
