// TF.js layers model files (model.json + weight shards) ↔ IR graphs, through tf.loadLayersModel and model.save with node:fs handlers.

import fs from 'node:fs';
import path from 'node:path';
import * as tf from './tf.js';
import { UserError } from '../errors.js';
import { readFileInFolder, readRegularFile } from '../import/read-file.js';
import type { Graph } from '../ir/graph.js';
import { checkTensorShape, constantBudget } from '../ir/limits.js';
import { ensureTraining } from './backend.js';
import { buildModel } from './build-tfjs-model.js';
import { planTraining } from './ir-to-tfjs.js';
import { IMPORTABLE_LAYERS, layersModelToGraph } from './tfjs-to-ir.js';

export const MODEL_JSON = 'model.json';
export const WEIGHTS_FILE = 'group1-shard1of1.bin';

interface LayerJson {
  class_name?: string;
  config?: { name?: string; layers?: LayerJson[] };
}

/** Nested models deeper than this are refused (Keras models nest a few levels at most). */
const MAX_NESTING = 32;

/** Every (class, name) of the layers in a Keras topology (nested models included), depth first. */
function layersOf(topology: unknown, file: string): { cls: string; name: string }[] {
  const t = topology as { model_config?: LayerJson } & LayerJson;
  const root = t?.model_config ?? t;
  const out: { cls: string; name: string }[] = [];
  if (!root || typeof root !== 'object') return out;
  // An explicit stack: a hostile model.json can nest far deeper than the call stack allows.
  const stack: { layer: LayerJson; depth: number }[] = [{ layer: root, depth: 0 }];
  while (stack.length > 0) {
    const { layer, depth } = stack.pop()!;
    const layers = layer?.config?.layers;
    if (Array.isArray(layers)) {
      if (depth >= MAX_NESTING) throw new UserError(`TF.js model '${file}' nests models more than ${MAX_NESTING} deep`);
      for (let i = layers.length - 1; i >= 0; i--) stack.push({ layer: layers[i], depth: depth + 1 });
    } else if (layer?.class_name) out.push({ cls: String(layer.class_name), name: String(layer.config?.name ?? '?') });
  }
  return out;
}

function readJson(file: string): tf.io.ModelJSON {
  const text = readRegularFile(file, `TF.js model '${file}'`).toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new UserError(`TF.js model '${file}' is not valid JSON: ${(e as Error).message}`);
  }
  const j = json as Partial<tf.io.ModelJSON> & { format?: string };
  if (!j || typeof j !== 'object' || !j.modelTopology) throw new UserError(`TF.js model '${file}' has no modelTopology (is it a model.json written by model.save?)`);
  if (j.format === 'graph-model' || (j.modelTopology as { node?: unknown }).node) {
    throw new UserError(`TF.js model '${file}' is a graph model (converted from TensorFlow); only layers models load`, 'save the model with tf.LayersModel.save, or convert it to ONNX');
  }
  if (!Array.isArray(j.weightsManifest)) throw new UserError(`TF.js model '${file}' has no weightsManifest`);
  checkManifest(j.weightsManifest, file);
  return j as tf.io.ModelJSON;
}

/** The manifest's form and sizes, before any shard is read: paths are strings, shapes within the tensor limits. */
function checkManifest(manifest: unknown[], file: string): void {
  const constants = constantBudget();
  for (const group of manifest) {
    const g = group as Partial<tf.io.WeightsManifestConfig[number]>;
    if (!g || !Array.isArray(g.paths) || !Array.isArray(g.weights) || g.paths.some((p: unknown) => typeof p !== 'string')) {
      throw new UserError(`TF.js model '${file}': a weightsManifest entry is not { paths: [...], weights: [...] }`);
    }
    for (const w of g.weights) {
      const what = `TF.js model '${file}': weight '${String(w?.name)}'`;
      if (!w || !Array.isArray(w.shape)) throw new UserError(`${what} has no shape`);
      checkTensorShape(w.shape, 'float32', what);
      constants.charge(weightBytes(w), what);
    }
  }
}

/** A load handler reading model.json and its shards with node:fs. */
function fileLoader(modelJsonPath: string, json: tf.io.ModelJSON): tf.io.IOHandler {
  const dir = path.dirname(modelJsonPath);
  return {
    load: () =>
      tf.io.getModelArtifactsForJSON(json, async (manifest) => {
        const specs: tf.io.WeightsManifestEntry[] = [];
        const buffers: ArrayBuffer[] = [];
        const shardBytes = constantBudget();
        for (const group of manifest) {
          for (const p of group.paths) {
            // A shard must be a regular file inside the model's folder (no absolute path, no way out).
            const what = `TF.js model '${modelJsonPath}': weight shard`;
            const bytes = readFileInFolder(dir, p, 0, undefined, what);
            shardBytes.charge(bytes.byteLength, `${what} '${p}'`);
            buffers.push(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
          }
          specs.push(...group.weights);
        }
        const data = tf.io.CompositeArrayBuffer.join(buffers);
        const needed = specs.reduce((n, s) => n + weightBytes(s), 0);
        if (data.byteLength < needed) {
          throw new UserError(`TF.js model '${modelJsonPath}': weight shards hold ${data.byteLength} bytes, the manifest needs ${needed} (truncated shard?)`);
        }
        return [specs, data];
      }),
  };
}

function weightBytes(spec: tf.io.WeightsManifestEntry): number {
  const n = spec.shape.reduce((a, b) => a * b, 1);
  if (spec.quantization) return n * (spec.quantization.dtype === 'uint8' ? 1 : 2);
  return n * (spec.dtype === 'float32' || spec.dtype === 'int32' ? 4 : 1);
}

/**
 * Read a TF.js layers model (model.json + shards, as tf.LayersModel.save writes them) into an IR
 * graph. A channels-last model keeps its NHWC input; see layersModelToGraph for the layout.
 */
export async function loadTfjsLayersModel(modelJsonPath: string, options: { batch?: number } = {}): Promise<Graph> {
  await ensureTraining();
  const json = readJson(modelJsonPath);
  const unsupported = layersOf(json.modelTopology, modelJsonPath).filter((l) => !IMPORTABLE_LAYERS.includes(l.cls));
  if (unsupported.length) {
    throw new UserError(
      `TF.js model '${modelJsonPath}': unsupported layer${unsupported.length > 1 ? 's' : ''} ${unsupported.map((l) => `'${l.name}' (${l.cls})`).join(', ')}`,
      `supported layers: ${IMPORTABLE_LAYERS.join(', ')}`,
    );
  }
  let model: tf.LayersModel;
  try {
    model = await tf.loadLayersModel(fileLoader(modelJsonPath, json));
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(`TF.js model '${modelJsonPath}' could not be loaded: ${(e as Error).message.split('\n')[0]}`);
  }
  try {
    return layersModelToGraph(model, { batch: options.batch, where: `TF.js model '${modelJsonPath}'`, name: path.basename(path.dirname(path.resolve(modelJsonPath))) });
  } finally {
    model.dispose();
  }
}

/**
 * Write an IR graph as a TF.js layers model: `dir/model.json` and `dir/group1-shard1of1.bin`. The
 * model takes its input in the IR's layout (a Permute inside moves NCHW to channels-last), so it
 * predicts what the graph computes; graphs the training bridge cannot map are refused.
 */
export async function saveTfjsLayersModel(g: Graph, dir: string): Promise<{ modelJson: string; weights: string }> {
  await ensureTraining();
  const plan = planTraining(g);
  const model = buildModel(plan, g);
  const modelJson = path.join(dir, MODEL_JSON);
  const weights = path.join(dir, WEIGHTS_FILE);
  try {
    fs.mkdirSync(dir, { recursive: true });
    await model.save({
      save: async (artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> => {
        const data = artifacts.weightData ? tf.io.CompositeArrayBuffer.join(artifacts.weightData) : new ArrayBuffer(0);
        const json: tf.io.ModelJSON = {
          modelTopology: artifacts.modelTopology as tf.io.ModelJSON['modelTopology'],
          format: artifacts.format ?? 'layers-model',
          generatedBy: artifacts.generatedBy,
          convertedBy: 'edgeprune',
          weightsManifest: [{ paths: [WEIGHTS_FILE], weights: artifacts.weightSpecs ?? [] }],
        };
        fs.writeFileSync(modelJson, JSON.stringify(json));
        fs.writeFileSync(weights, Buffer.from(data));
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: data.byteLength } };
      },
    });
  } catch (e) {
    throw new UserError(`cannot write TF.js model to '${dir}': ${(e as Error).message}`);
  } finally {
    model.dispose();
  }
  return { modelJson, weights };
}
