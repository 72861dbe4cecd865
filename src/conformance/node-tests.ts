// The ONNX backend node-test cases: load each case, run it through import + interpreter, compare.

import fs from 'node:fs';
import path from 'node:path';
import { errorMessage } from '../errors.js';
import { runGraph } from '../ir/interpreter.js';
import type { Tensor } from '../ir/tensor.js';
import type { Graph } from '../ir/graph.js';
import { decodeModel, graphFromModel } from '../onnx/import.js';
import { loadOnnxBytes, readModelBytes } from '../onnx/load-onnx.js';
import { readTensorFile } from '../onnx/tensor-proto.js';
import { exporterConstantInputs, type BindRule } from './exporter-constants.js';
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
 * Load a case's model for one data set. The node tests feed shapes, axes and pads (and weights) as graph inputs;
 * the inputs an exporter would have written as initializers are bound as constants with the data set's values:
 * integer inputs always (edgeprune fixes every shape at import), weights and other parameters too with
 * `{ parameters: true }` (the C backend compiles weights into flash). The rule is in exporter-constants.ts.
 */
export function loadCaseModel(caseDir: string, set: TestDataSet, rule: BindRule = { parameters: false }): { graph: Graph; feeds: Record<string, Tensor> } {
  const { file, bytes, declared } = importCaseModel(caseDir);
  const constantInputs = exporterConstantInputs(declared, set.inputs, rule);
  const feeds: Record<string, Tensor> = {};
  declared.inputs.forEach((v, i) => {
    if (!(v.name in constantInputs)) feeds[v.name] = set.inputs[i];
  });
  // The data set's shapes are the inputs' shapes (a declared 0 batch is an empty one here, not a dynamic one).
  const inputShapes = Object.fromEntries(Object.entries(feeds).filter(([, t]) => t).map(([name, t]) => [name, [...t.shape]]));
  return { graph: loadOnnxBytes(bytes, file, { constantInputs, inputShapes }), feeds };
}

/** A case's model imported as written (upgraded, nothing bound): its own errors (an unsupported type or op) come from here. */
function importCaseModel(caseDir: string): { file: string; bytes: Buffer; declared: Graph } {
  const file = path.join(caseDir, 'model.onnx');
  const bytes = readModelBytes(file);
  return { file, bytes, declared: graphFromModel(decodeModel(bytes, file), file, caseDir) };
}

/** Run one case through the interpreter. Errors become a failed outcome. */
export function runNodeTestCase(caseDir: string): CaseOutcome {
  const name = path.basename(caseDir);
  try {
    // The model first: a case whose model edgeprune refuses fails with the model's reason, not its data's (the data
    // of a sequence or optional input is no tensor file).
    importCaseModel(caseDir);
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

/** A case the interpreter conformance skips: why, and the error (a substring) with which edgeprune refuses it. */
export interface SkipEntry {
  reason: string;
  error: string;
}

/** The skip list: case name → why it is skipped and the error that must refuse it. */
export function readSkipList(file: string): Map<string, SkipEntry> {
  const data = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, SkipEntry>;
  for (const [name, entry] of Object.entries(data)) {
    if (typeof entry?.reason !== 'string' || typeof entry.error !== 'string') throw new Error(`${file}: '${name}' needs a "reason" and the "error" that refuses it`);
  }
  return new Map(Object.entries(data));
}
