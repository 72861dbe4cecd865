// The ONNX backend node-test cases: load each case, run it through import + interpreter, compare.

import fs from 'node:fs';
import path from 'node:path';
import { errorMessage } from '../errors.js';
import { runGraph } from '../ir/interpreter.js';
import type { Tensor } from '../ir/tensor.js';
import { isInteger } from '../ir/dtype.js';
import type { Graph } from '../ir/graph.js';
import { decodeModel, graphFromModel } from '../onnx/import.js';
import { loadOnnxBytes, readModelBytes } from '../onnx/load-onnx.js';
import { readTensorFile } from '../onnx/tensor-proto.js';
import { compareTensors, DEFAULT_TOLERANCE, type Tolerance } from './compare.js';
import { TOLERANCES_FILE } from './paths.js';

export interface TestDataSet {
  dir: string;
  inputs: Tensor[];
  outputs: Tensor[];
}

export type CaseOutcome =
  | { name: string; status: 'passed' }
  | { name: string; status: 'failed'; reason: string }
  | { name: string; status: 'skipped'; reason: string };

/** Case folders (those holding a model.onnx) under `root`, sorted. */
export function listCases(root: string): string[] {
  return fs
    .readdirSync(root)
    .filter((d) => fs.existsSync(path.join(root, d, 'model.onnx')))
    .sort();
}

/** Read `input_N.pb` / `output_N.pb` of every test_data_set_* folder of a case, in N order. */
export function readTestDataSets(caseDir: string): TestDataSet[] {
  const sets = fs.readdirSync(caseDir).filter((d) => d.startsWith('test_data_set_')).sort();
  return sets.map((s) => {
    const dir = path.join(caseDir, s);
    const files = fs.readdirSync(dir);
    const numbered = (prefix: string) =>
      files
        .filter((f) => f.startsWith(prefix) && f.endsWith('.pb'))
        .sort((a, b) => parseInt(a.slice(prefix.length), 10) - parseInt(b.slice(prefix.length), 10))
        .map((f) => readTensorFile(path.join(dir, f)).tensor);
    return { dir, inputs: numbered('input_'), outputs: numbered('output_') };
  });
}

/**
 * Load a case's model for one data set. The node tests feed shapes, axes and pads as graph inputs;
 * edgeprune fixes every shape at import, so integer inputs after the first are bound as constants
 * with the data set's values (as an exporter would have written them).
 */
export function loadCaseModel(caseDir: string, set: TestDataSet): { graph: Graph; feeds: Record<string, Tensor> } {
  const file = path.join(caseDir, 'model.onnx');
  const bytes = readModelBytes(file);
  const declared = graphFromModel(decodeModel(bytes, file), file, caseDir).inputs;
  const constantInputs: Record<string, Tensor> = {};
  const feeds: Record<string, Tensor> = {};
  declared.forEach((v, i) => {
    const value = set.inputs[i];
    if (i > 0 && isInteger(v.dtype) && value) constantInputs[v.name] = value;
    else feeds[v.name] = value;
  });
  // The data set's shapes are the inputs' shapes (a declared 0 batch is an empty one here, not a dynamic one).
  const inputShapes = Object.fromEntries(Object.entries(feeds).filter(([, t]) => t).map(([name, t]) => [name, [...t.shape]]));
  return { graph: loadOnnxBytes(bytes, file, { constantInputs, inputShapes }), feeds };
}

/** Run one case through the interpreter. Errors become a failed outcome. */
export function runNodeTestCase(caseDir: string): CaseOutcome {
  const name = path.basename(caseDir);
  try {
    for (const set of readTestDataSets(caseDir)) {
      const { graph: g, feeds } = loadCaseModel(caseDir, set);
      const results = runGraph(g, feeds);
      for (let i = 0; i < g.outputs.length; i++) {
        const want = set.outputs[i];
        if (!want) continue;
        const got = results.get(g.outputs[i].name)!;
        const diff = compareTensors(got, want, toleranceFor(name));
        if (diff) return { name, status: 'failed', reason: `${path.basename(set.dir)} output '${g.outputs[i].name}': ${diff}` };
      }
    }
    return { name, status: 'passed' };
  } catch (e) {
    return { name, status: 'failed', reason: errorMessage(e) };
  }
}

let tolerances: Map<string, Tolerance> | undefined;

/** The float tolerance of a case: the default, or a looser one listed with its reason in tolerances.json. */
export function toleranceFor(caseName: string): Tolerance {
  if (!tolerances) {
    const data = JSON.parse(fs.readFileSync(TOLERANCES_FILE, 'utf8')) as Record<string, Tolerance & { reason: string }>;
    tolerances = new Map(Object.entries(data).map(([k, v]) => [k, { atol: v.atol, rtol: v.rtol }]));
  }
  return tolerances.get(caseName) ?? DEFAULT_TOLERANCE;
}

/** The skip list: case name → reason. */
export function readSkipList(file: string): Map<string, string> {
  const data = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, string>;
  return new Map(Object.entries(data));
}
