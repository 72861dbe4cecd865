// Read an .onnx file into a verified, shape-inferred IR graph with constants folded.

import path from 'node:path';
import { UserError } from '../errors.js';
import { readRegularFile } from '../import/read-file.js';
import { checkStructure } from '../ir/check-structure.js';
import type { Graph } from '../ir/graph.js';
import type { Tensor } from '../ir/tensor.js';
import { convertForDeployment } from '../passes/convert-quantized-onnx.js';
import { eliminateDeadCode } from '../passes/eliminate-dead-code.js';
import { eliminateIdentities } from '../passes/eliminate-identities.js';
import { fixInputShapes, type InputShapes } from '../passes/fix-input-shapes.js';
import { foldConstants } from '../passes/fold-constants.js';
import { runPasses } from '../passes/pass.js';
import { decodeModel, graphFromModel } from './import.js';

export interface LoadOptions {
  inputShapes?: InputShapes;
  /** Told one line when the loader chooses something for the user (a dynamic batch set to 1). */
  onNotice?: (text: string) => void;
  /** Graph inputs to turn into constants with these values (e.g. a shape fed as an input). */
  constantInputs?: Record<string, Tensor>;
  /**
   * Convert quantized ONNX (QDQ, QLinearConv/QLinearMatMul, ConvInteger/MatMulInteger) into edgeprune's int8 ops, the
   * deployed integer semantics (src/passes/convert-quantized-onnx.ts). The commands' loader (loadModel) sets it;
   * without it the standard ops stay (the interpreter runs them with onnxruntime's float rules, as conformance needs).
   */
  int8Ops?: boolean;
}

/** Read a model file's bytes (a regular file within the size limit) with errors a user understands. */
export function readModelBytes(file: string): Buffer {
  return readRegularFile(file, `model file '${file}'`);
}

/**
 * The passes every imported model goes through, in order. The first two establish what the
 * verifier checks (static shapes, inferred types), so verification starts after them.
 */
export function prepareImportedGraph(raw: Graph, options: LoadOptions = {}): Graph {
  const typed = runPasses(raw, [fixInputShapes(options.inputShapes, options.onNotice), foldConstants], { verify: false });
  return runPasses(typed, [eliminateIdentities, eliminateDeadCode]);
}

export function loadOnnxBytes(bytes: Uint8Array, file: string, options: LoadOptions = {}): Graph {
  const model = decodeModel(bytes, file);
  const raw = graphFromModel(model, file, path.dirname(path.resolve(file)));
  bindConstantInputs(raw, options.constantInputs ?? {});
  checkStructure(raw);
  // (verified by prepareImportedGraph after its last pass)
  const g = prepareImportedGraph(raw, options);
  return options.int8Ops ? convertForDeployment(g) : g;
}

function bindConstantInputs(g: Graph, values: Record<string, Tensor>): void {
  for (const [name, value] of Object.entries(values)) {
    const input = g.inputs.find((v) => v.name === name);
    if (!input) throw new UserError(`cannot bind '${name}' as a constant: the model has no such input`);
    if (input.dtype !== value.dtype) throw new UserError(`cannot bind '${name}' as a constant: it is ${input.dtype}, the value is ${value.dtype}`);
    g.inputs = g.inputs.filter((v) => v !== input);
    g.initializers.set(name, value);
  }
}

export function loadOnnx(file: string, options: LoadOptions = {}): Graph {
  return loadOnnxBytes(readModelBytes(file), file, options);
}
