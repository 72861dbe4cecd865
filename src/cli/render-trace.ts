// The text of `edgeprune verify --trace`: every layer step's output against the interpreter's, and the first that diverges.

import type { LayerTrace, TraceReport } from '../verify/layer-trace.js';
import { terminalName, terminalText } from '../util/escape.js';
import { formatCount, renderTable } from './format.js';

/** A value as float32 shows it (9 significant digits, shortest form); integers as they are. */
const number = (x: number) => (Number.isInteger(x) || !Number.isFinite(x) ? String(x) : String(Number(x.toPrecision(9))));
/** A difference: integers (int8 LSB) as they are, else 3 significant digits. */
const diff = (x: number) => (Number.isInteger(x) || !Number.isFinite(x) ? String(x) : x.toExponential(2));

/** Where a layer's largest difference is: vector, coordinates, and both values. */
function where(l: LayerTrace): string {
  if (!l.maxAt) return '-';
  return `vector ${l.maxAt.vector} [${l.maxAt.index.join(', ')}]: ${number(l.maxAt.got)} vs ${number(l.maxAt.want)}`;
}

/** The layer as a reader names it: its nodes (escaped, capped) and the value compared. */
function layerName(l: LayerTrace): string {
  return l.nodes.map((n) => `'${terminalName(n)}'`).join(' + ');
}

export function renderTrace(t: TraceReport): string {
  const rows = t.layers.map((l) => [
    String(l.step), layerName(l), terminalText(l.op), formatCount(l.elements), formatCount(l.mismatches),
    diff(l.maxAbsDiff), where(l), l.mismatches ? 'DIFFERS' : 'equal',
  ]);
  const rule = t.comparison === 'bit-exact' ? 'bit-exact' : 'within the tolerance';
  const lines = [
    `layer trace: ${terminalText(t.runOn)} against the interpreter, ${t.vectors} vector(s), ${rule}`,
    renderTable(['step', 'layer', 'op', 'elements', 'mismatches', 'largest |diff|', 'where (firmware vs interpreter)', 'result'], rows, [true, false, false, true, true, true, false, false]),
  ];
  lines.push(renderTraceSummary(t, ''));
  return lines.join('\n');
}

/** One line: the first diverging layer of a trace (with `label` before it, e.g. "host build: "), or that every layer matches. */
export function renderTraceSummary(t: TraceReport, label = `${terminalText(t.runOn)}: `): string {
  const first = t.firstDiverging && t.layers.find((l) => l.step === t.firstDiverging!.step && l.value === t.firstDiverging!.value);
  if (!first) return `${label}every layer matches the interpreter (${t.layers.length} layer outputs)`;
  return `${label}first diverging layer: step ${first.step} ${layerName(first)} (${terminalText(first.op)}, value '${terminalName(first.value)}'): ${formatCount(first.mismatches)} element(s) differ over ${t.vectors} vector(s), largest difference ${diff(first.maxAbsDiff)} at ${where(first)}`;
}
