// HLS C++ of a quantized model's integer core (hls-design.ts) rendered from templates/hls/: <top>.cpp (one function
// per layer, the top with its interface pragmas), <top>.h, the C simulation testbench <top>_tb.cpp, and for compile
// the Vitis HLS script build.tcl, vectors.txt and a README. Model text reaches each file through its context's escaper.

import type { Graph } from '../../ir/graph.js';
import { runGraph } from '../../ir/interpreter.js';
import type { Tensor } from '../../ir/tensor.js';
import type { FpgaTarget } from '../../targets/schema.js';
import { hlsComment, makeComment, markdownText } from '../../util/escape.js';
import { VERSION } from '../../version.js';
import { renderTemplate } from '../render-template.js';
import type { HostOp } from '../verilog/lower-rtl.js';
import type { HlsDesign, HlsLayer } from './hls-design.js';

const NUMBERS_PER_LINE = 24;

/** A C++ integer literal (INT32_MIN written so that no literal overflows int). */
function literal(v: number): string {
  return v === -2147483648 ? '(-2147483647 - 1)' : String(v);
}

function list(values: ArrayLike<number>): string {
  return Array.from(values, literal).join(', ');
}

/** Rows of a 2-D initializer, `columns` per row, each row wrapped at NUMBERS_PER_LINE values. */
function rows(values: Int8Array, columns: number): string {
  const out: string[] = [];
  for (let r = 0; r * columns < values.length; r++) {
    const row = values.subarray(r * columns, (r + 1) * columns);
    const lines: string[] = [];
    for (let i = 0; i < row.length; i += NUMBERS_PER_LINE) lines.push(list(row.subarray(i, i + NUMBERS_PER_LINE)));
    out.push(`    { ${lines.join(',\n      ')} },`);
  }
  return out.join('\n');
}

function hostText(ops: HostOp[], escape: (s: string) => string): string {
  return ops.length === 0 ? 'nothing' : ops.map((o) => `${escape(o.node)} (${escape(o.op)}${o.detail ? `, ${o.detail}` : ''})`).join(', ');
}

/** How a layer reads its input array and writes its output array, for the top's ARRAY_PARTITION pragmas. */
type Access = 'complete' | { cyclic: number } | 'none';

function inputAccess(l: HlsLayer): Access {
  if (l.kind === 'dense') return l.reuseFactor === 1 ? 'complete' : { cyclic: l.parallel };
  return l.kind === 'argmax' || l.kind === 'add' ? 'none' : 'complete';
}

function outputAccess(l: HlsLayer): Access {
  if (l.kind === 'dense') return l.reuseFactor === 1 ? 'complete' : 'none';
  if (l.kind === 'conv') return l.reuseFactor === 1 ? 'complete' : 'none';
  return l.kind === 'maxpool' || l.kind === 'avgpool' ? 'complete' : 'none';
}

function partition(variable: string, ...accesses: Access[]): string[] {
  if (accesses.includes('complete')) return [`#pragma HLS ARRAY_PARTITION variable=${variable} complete dim=1`];
  const factors = accesses.filter((a): a is { cyclic: number } => typeof a === 'object' && a.cyclic > 1).map((a) => a.cyclic);
  return factors.length ? [`#pragma HLS ARRAY_PARTITION variable=${variable} cyclic factor=${Math.max(...factors)} dim=1`] : [];
}

function summary(l: HlsLayer): string {
  if (l.kind === 'dense') return `dense ${l.nIn} → ${l.nOut}, RF ${l.reuseFactor} (${l.parallel} products per cycle)`;
  if (l.kind === 'conv') return `conv ${l.cIn} → ${l.cOut} channels, ${l.geometry.kernel}x${l.geometry.kernel} on ${l.geometry.height}x${l.geometry.width}, RF ${l.reuseFactor} (${l.parallel} products per cycle)`;
  if (l.kind === 'maxpool') return `max pool ${l.geometry.kernel}x${l.geometry.kernel} stride ${l.geometry.stride} on ${l.channels}x${l.geometry.height}x${l.geometry.width}`;
  if (l.kind === 'avgpool') return `average pool ${l.geometry.kernel}x${l.geometry.kernel} stride ${l.geometry.stride} on ${l.channels}x${l.geometry.height}x${l.geometry.width}, padding ${l.countPad ? 'counted in' : 'counted out'}`;
  if (l.kind === 'add') return `Int8Add of two arrays of ${l.outSize} values (a residual block's join)`;
  return `argmax of ${l.n} values`;
}

function layerView(l: HlsLayer, index: number, top: string, layers: HlsLayer[]) {
  const fn = `${top}_l${index}`;
  const buffer = (from: number) => (from < 0 ? 'buffer_in' : `buffer_${from}`);
  const traced = (from: number) => (from < 0 ? 'in_data' : `out_${from}`);
  const inBuffer = l.kind === 'add' ? `${buffer(l.aFrom)}, ${buffer(l.bFrom)}` : buffer(index - 1);
  const next = layers[index + 1];
  const view: Record<string, unknown> = {
    index, fn,
    nodeComment: hlsComment(l.node),
    opComment: hlsComment(l.op),
    summary: summary(l),
    outType: l.outType,
    outSize: l.outSize,
    inSize: l.inSize,
    inBuffer,
    traceIn: l.kind === 'add' ? `${traced(l.aFrom)}, ${traced(l.bFrom)}` : traced(index - 1),
    partitions: next ? partition(`buffer_${index}`, outputAccess(l), inputAccess(next)) : [],
    isDense: l.kind === 'dense', isConv: l.kind === 'conv', isMaxPool: l.kind === 'maxpool', isAvgPool: l.kind === 'avgpool', isAdd: l.kind === 'add', isArgMax: l.kind === 'argmax',
    rf1: l.reuseFactor === 1,
    reuseFactor: l.reuseFactor,
    parallel: l.kind === 'dense' || l.kind === 'conv' ? l.parallel : '-',
  };
  if (l.kind === 'dense' || l.kind === 'conv') {
    Object.assign(view, { bias: list(l.bias), mult: list(l.mult), shift: list(l.shift), yZero: l.yZero, actMin: l.actMin, actMax: l.actMax });
  }
  if (l.kind === 'dense') Object.assign(view, { nIn: l.nIn, nOut: l.nOut, weights: rows(l.weights, l.nIn) });
  if (l.kind === 'conv' || l.kind === 'maxpool' || l.kind === 'avgpool') {
    const g = l.geometry;
    Object.assign(view, { height: g.height, width: g.width, kernel: g.kernel, kernelArea: g.kernel * g.kernel, stride: g.stride, pad: g.pad, outHeight: l.outHeight, outWidth: l.outWidth, outPixels: l.outHeight * l.outWidth });
  }
  if (l.kind === 'conv') Object.assign(view, { cIn: l.cIn, cOut: l.cOut, taps: l.taps, xZero: l.xZero, weights: rows(l.weights, l.taps) });
  if (l.kind === 'maxpool') Object.assign(view, { channels: l.channels });
  if (l.kind === 'avgpool') {
    Object.assign(view, { channels: l.channels, countPad: l.countPad, xZero: l.xZero, mult: list(l.mult), shift: list(l.shift), yZero: l.yZero, actMin: l.actMin, actMax: l.actMax });
  }
  if (l.kind === 'add') {
    const c = l.constants;
    Object.assign(view, {
      aZero: c.aZero, bZero: c.bZero, ma: c.m.a.multiplier, sa: c.m.a.shift, mb: c.m.b.multiplier, sb: c.m.b.shift,
      my: c.m.y.multiplier, sy: c.m.y.shift, yZero: c.yZero, actMin: c.actMin, actMax: c.actMax,
    });
  }
  if (l.kind === 'argmax') Object.assign(view, { n: l.n, tie: l.selectLast ? 'last' : 'first', compare: l.selectLast ? '>=' : '>' });
  return view;
}

function outWhat(d: HlsDesign): string {
  const last = d.layers[d.layers.length - 1];
  return last.kind === 'argmax' ? 'the index of the largest value (int32)' : `${last.outSize} int8 values`;
}

function commonView(d: HlsDesign) {
  const layers = d.layers.map((l, i) => layerView(l, i, d.top, d.layers));
  const last = d.layers[d.layers.length - 1];
  return {
    top: d.top,
    graphComment: hlsComment(d.graphName),
    inSize: d.input.size,
    outSize: last.outSize,
    outType: last.outType,
    outWhat: outWhat(d),
    lastIndex: d.layers.length - 1,
    lastBuffer: `buffer_${d.layers.length - 1}`,
    inPartitions: d.layers.length ? partition('buffer_in', inputAccess(d.layers[0])) : [],
    hostBefore: hostText(d.host.before, hlsComment),
    hostAfter: hostText(d.host.after, hlsComment),
    layers,
  };
}

export interface HlsSources {
  /** File name → content: <top>.cpp, <top>.h, <top>_tb.cpp. */
  files: Map<string, string>;
  cpp: string;
  header: string;
  testbench: string;
}

/** The C++ core, its header and the C simulation testbench. */
export function renderHlsSources(d: HlsDesign): HlsSources {
  const view = { ...commonView(d), guard: `EP_HLS_${d.top.toUpperCase()}_H` };
  const cpp = renderTemplate('hls/model.cpp.hbs', view);
  const header = renderTemplate('hls/model.h.hbs', view);
  const testbench = renderTemplate('hls/tb.cpp.hbs', view);
  return { files: new Map([[`${d.top}.cpp`, cpp], [`${d.top}.h`, header], [`${d.top}_tb.cpp`, testbench]]), cpp, header, testbench };
}

/** One line of vectors.txt: the core's input, and after '|' the expected output when given. */
export function vectorLine(input: ArrayLike<number>, expected?: ArrayLike<number>): string {
  return `${Array.from(input).join(' ')}${expected ? ` | ${Array.from(expected).join(' ')}` : ''}`;
}

/** vectors.txt lines for feeds of the graph: the core's input and, after '|', the interpreter's output of the core. */
export function referenceVectorLines(g: Graph, d: HlsDesign, feeds: readonly Record<string, Tensor>[]): string[] {
  const last = d.layers[d.layers.length - 1].output;
  return feeds.map((feed) => {
    const env = runGraph(g, feed, { keepIntermediates: true });
    const value = (name: string) => Array.from(env.get(name)!.data as ArrayLike<number | bigint>, Number);
    return vectorLine(value(d.input.value), value(last));
  });
}

/** Clock period in ns for create_clock (three decimals at most). */
function clockPeriodNs(target: FpgaTarget): string {
  return String(Math.round(1e12 / target.clockHz) / 1000);
}

/**
 * The hls/ folder of `compile --target <fpga>` (relative path → content): the sources, vectors.txt (lines from
 * vectorLine), build.tcl and README.md.
 */
export function hlsProjectFiles(d: HlsDesign, graphName: string, target: FpgaTarget, vectors: string[]): Map<string, string> {
  const sources = renderHlsSources(d);
  const common = commonView(d);
  const amd = target.family === 'xc7';
  const files = new Map<string, string>();
  for (const [name, text] of sources.files) files.set(`hls/${name}`, text);
  files.set('hls/vectors.txt', `${vectors.join('\n')}\n`);
  files.set(
    'hls/build.tcl',
    renderTemplate('hls/build.tcl.hbs', {
      top: d.top,
      amd,
      modelComment: makeComment(graphName),
      targetName: target.name,
      targetComment: makeComment(`${target.board}: ${target.description}`),
      part: target.device,
      clockPeriodNs: clockPeriodNs(target),
    }),
  );
  files.set(
    'hls/README.md',
    renderTemplate('hls/README.md.hbs', {
      ...common,
      amd,
      generator: `edgeprune ${VERSION}`,
      modelName: markdownText(graphName),
      targetName: target.name,
      targetDescription: markdownText(target.description),
      part: target.device,
      clockPeriodNs: clockPeriodNs(target),
      vectorCount: vectors.length,
      hostBefore: hostText(d.host.before, markdownText),
      hostAfter: hostText(d.host.after, markdownText),
      layers: common.layers.map((l, i) => ({ ...l, node: markdownText(d.layers[i].node), op: markdownText(d.layers[i].op) })),
    }),
  );
  return files;
}
