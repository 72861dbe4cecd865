// Weights that onnxruntime's integer kernels multiply exactly on every x86 CPU: on AVX2 or AVX-512 without VNNI (the
// AMD EPYC CI machine of session 16), its QLinearConv/QLinearMatMul add pairs of u8·s8 products in int16 and saturate
// (x = 255, 255 and w = −128, −128 give 127 where the exact answer is 0, measured), so full-range weights make it, not
// us, wrong. Each QLinearConv/QLinearMatMul weight is halved toward its signed centre (int8: v >> 1 in [−64, 63];
// uint8: 128 + ((v − 128) >> 1) in [64, 191], which onnxruntime shifts to int8 by − 128): 2 · 255 · 64 < 32,768.
// Both sides of a comparison run the same changed model, so it still checks our import and arithmetic against theirs.

import type { Graph } from '../../src/ir/graph.js';
import { Tensor } from '../../src/ir/tensor.js';

/** The weight input of each integer op whose products onnxruntime pairs in int16. */
const WEIGHT_INPUT: Record<string, number> = { QLinearConv: 3, QLinearMatMul: 3 };

export function halveIntegerWeights(g: Graph): Graph {
  const initializers = new Map(g.initializers);
  for (const n of g.nodes) {
    const at = WEIGHT_INPUT[n.opType];
    const name = at === undefined ? undefined : n.inputs[at];
    const w = name ? initializers.get(name) : undefined;
    if (!name || !w || (w.dtype !== 'int8' && w.dtype !== 'uint8')) continue;
    const data = w.dtype === 'int8' ? Int8Array.from(w.data as Int8Array, (v) => v >> 1) : Uint8Array.from(w.data as Uint8Array, (v) => 128 + ((v - 128) >> 1));
    initializers.set(name, new Tensor(w.dtype, w.shape, data));
  }
  return { ...g, initializers };
}
