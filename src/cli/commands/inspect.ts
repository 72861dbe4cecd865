// `edgeprune inspect <model>`: per-layer table and totals (parameters, MACs, memory: the C library's planned arena, sparsity).

import type { Command } from 'commander';
import { modelStats, nodeParams, type ModelStats } from '../../analysis/model-stats.js';
import { describeQuantization } from '../../analysis/quantization.js';
import { tensorTable, type TensorEntry } from '../../analysis/tensor-table.js';
import { byteSize } from '../../ir/dtype.js';
import { dimsToString, producers, type Graph } from '../../ir/graph.js';
import { loadModel } from '../../import/load-model.js';
import type { InputShapes } from '../../passes/fix-input-shapes.js';
import { plannedArena } from '../../emit/c/compile-c.js';
import { UserError } from '../../errors.js';
import { terminalJson, terminalName, terminalText } from '../../util/escape.js';
import { formatBytes, formatCount, formatPercent, renderTable } from '../format.js';
import { collectInputShape } from '../options.js';

interface InspectOptions {
  json?: boolean;
  inputShape?: InputShapes;
}

function shapesText(shapes: number[][]): string {
  return shapes.map((s) => dimsToString(s)).join(', ');
}

/** Per layer: its parameters' bytes as stored and their dtypes ("800 B int8 + 32 B int32"), or '-' without any. */
function layerWeights(g: Graph): string[] {
  const producerOf = producers(g);
  return g.nodes.map((node) => {
    const byType = new Map<string, number>();
    for (const p of nodeParams(g, node, producerOf)) byType.set(p.tensor.dtype, (byType.get(p.tensor.dtype) ?? 0) + p.tensor.size * byteSize(p.tensor.dtype));
    return byType.size ? [...byType].map(([dtype, bytes]) => `${formatBytes(bytes)} ${dtype}`).join(' + ') : '-';
  });
}

/** The C library's arena for the model (bytes and the planner's lower bound), or why the C backend refuses the model. */
export type ArenaFigure = { bytes: number; lowerBoundBytes: number; refused: null } | { bytes: null; lowerBoundBytes: null; refused: string };

export function arenaFigure(g: Graph): ArenaFigure {
  try {
    const plan = plannedArena(g);
    return { bytes: plan.arenaBytes, lowerBoundBytes: plan.lowerBoundBytes, refused: null };
  } catch (e) {
    if (e instanceof UserError) return { bytes: null, lowerBoundBytes: null, refused: e.message };
    throw e;
  }
}

export function inspectReport(file: string, g: Graph, stats: ModelStats, tensors: TensorEntry[] = tensorTable(g), arena: ArenaFigure = arenaFigure(g)) {
  return {
    /** The RAM the C library's static arena takes (what compile writes and the budgets count), or why it is not planned. */
    arena,
    model: file,
    producer: g.meta.producer,
    inputs: g.inputs.map((v) => ({ name: v.name, dtype: v.dtype, shape: v.shape })),
    outputs: g.outputs.map((v) => ({ name: v.name, dtype: v.dtype, shape: v.shape })),
    layers: stats.layers,
    totals: stats.totals,
    /** Every tensor: dtype, shape, bytes as stored, scale and zero point (null when not quantized). */
    tensors,
  };
}

/** The table and totals for a terminal: every name from the model escaped (terminalName), long ones cut. */
export function renderInspect(file: string, g: Graph, stats: ModelStats, tensors: TensorEntry[] = tensorTable(g), arena: ArenaFigure = arenaFigure(g)): string {
  const byName = new Map(tensors.map((t) => [t.name, t]));
  const typeOf = (name: string) => {
    const t = byName.get(name);
    return t ? describeQuantization(t.dtype, t.scale === null ? undefined : { scale: t.scale, zeroPoint: t.zeroPoint ?? 0 }) : '-';
  };
  const io = (label: string, vs: Graph['inputs']) => vs.map((v) => `${label} ${terminalName(v.name)}: ${typeOf(v.name)} ${terminalText(dimsToString(v.shape))}`).join('\n');
  const weights = layerWeights(g);
  const rows = stats.layers.map((l, i) => [
    String(i), terminalName(l.name), terminalName(l.op), shapesText(l.inputShapes), shapesText(l.outputShapes),
    formatCount(l.params), formatCount(l.macs), formatBytes(l.activationBytes), formatPercent(l.sparsity),
    g.nodes[i].outputs.filter((o) => o).map(typeOf).join(', '), weights[i],
  ]);
  const t = stats.totals;
  const sparsity = t.weights > 0 ? ` · weight sparsity ${formatPercent(t.zeroWeights / t.weights)}` : '';
  return [
    `model ${terminalText(file)} (producer: ${terminalName(g.meta.producer)})`,
    io('input ', g.inputs),
    io('output', g.outputs),
    '',
    renderTable(['#', 'name', 'op', 'inputs', 'outputs', 'params', 'MACs', 'activations', 'sparsity', 'output type', 'weights stored'], rows, [true, false, false, false, false, true, true, true, true, false, true]),
    '',
    `totals: ${formatCount(t.params)} parameters · ${formatCount(t.macs)} MACs${sparsity}`,
    `weights: ${formatBytes(t.weightBytes)} as stored · ${formatBytes(t.weightBytesFloat32)} float32 · ${formatBytes(t.weightBytesInt8)} int8 (estimate: int8 weights, int32 biases)`,
    arena.refused === null
      ? `arena: ${formatBytes(arena.bytes)}, the C library's static RAM as compile plans it (lower bound ${formatBytes(arena.lowerBoundBytes)})`
      : `arena: not planned: ${terminalText(arena.refused)}`,
    `peak activations: ${formatBytes(t.peakActivationBytes)} (the graph's live tensors node by node, before in-place and fused steps share buffers)`,
  ].join('\n');
}

export function registerInspect(program: Command): void {
  program
    .command('inspect')
    .description('show the layers of a model: shapes, parameters, MACs, activation memory, weight sparsity, each tensor\'s dtype (scale and zero point when quantized) and weight bytes as stored')
    .argument('<model>', 'model file (.onnx)')
    .option('--json', 'print one JSON object instead of the table')
    .option('--input-shape <name=dims>', 'fix a dynamic input shape, e.g. input=1x1x28x28 (repeatable)', collectInputShape)
    .action(async (file: string, options: InspectOptions) => {
      const g = await loadModel(file, { inputShapes: options.inputShape });
      const stats = modelStats(g);
      if (options.json) console.log(terminalJson(inspectReport(file, g, stats)));
      else console.log(renderInspect(file, g, stats));
    });
}
