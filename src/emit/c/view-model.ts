// The fully resolved view model of a C model library: every name, offset, literal and call, ready for the templates.
// The templates print it as is (no escaping): every string from the model is escaped here, for its C context.

import type { MemoryPlan } from '../../analysis/memory-plan.js';
import { modelPrecision } from '../../analysis/model-precision.js';
import { byteSize } from '../../ir/dtype.js';
import type { Graph, StaticValueInfo } from '../../ir/graph.js';
import { staticInfo } from '../../ir/graph.js';
import { shapeSize, shapeToString } from '../../ir/tensor.js';
import { C_ELEMENT_BYTES, cElementType, cTypeOf, type CArg, type CElementType, type CStep, type CWeight } from './c-step.js';
import { cComment, cIdentifier } from '../../util/escape.js';
import { cFloat } from './c-literals.js';
import { requantFastOnly } from './requant-shifts.js';
import type { LibraryFileNames } from './compile-c.js';

export interface IoView {
  index: number;
  /** The value's name, escaped for a C comment. */
  name: string;
  dtype: string;
  /** Its C element type (model_invoke's parameter type): float, int8_t for an int8 graph input or output, int64_t for ArgMax's indices. */
  ctype: string;
  shape: string;
  elements: number;
  bytes: number;
  offset: number;
}

export interface WeightView {
  ident: string;
  /** C element type: float, int8_t (int8 weights), int32_t (int8 biases), or an unsigned type for the index arrays of sparse layers. */
  ctype: string;
  elements: number;
  bytes: number;
  /** Source of the constant, for the comment above it (escaped for a C comment). */
  key: string;
  rows: string[];
}

export interface StepView {
  index: number;
  /** What the step does and the nodes it implements, escaped for a C comment. */
  summary: string;
  nodes: string;
  lines: string[];
  /** Trace builds only (verify --trace): the calls handing each output of the step to the harness; empty otherwise. */
  traceLines: string[];
}

export interface ModelView {
  generator: string;
  /** The graph's name, escaped for a C comment. */
  modelName: string;
  hash: string;
  prefix: string;
  PREFIX: string;
  /** The library's file names (after the prefix). */
  files: LibraryFileNames;
  arenaBytes: number;
  arenaLowerBoundBytes: number;
  /** Every buffer's offset is a multiple of this. */
  arenaAlignment: number;
  /** One line for model.h: the precision the model computes in. */
  precisionNote: string;
  /** The arena array needs at least one byte to be valid C. */
  arenaArrayBytes: number;
  inputs: IoView[];
  outputs: IoView[];
  statics: string[];
  steps: StepView[];
  weights: WeightView[];
  weightBytes: number;
  kernelHeaders: string[];
  /** A trace build (verify --trace): model.c declares and calls ephw_trace_value. */
  trace: boolean;
  /** A step-marks build (verify --worst-case's per-step counts): model.c calls ephw_step_mark around its steps. */
  stepMarks: boolean;
  /** <prefix>_run() leaves the inputs' bytes intact (compile --keep-inputs); otherwise it reuses them. */
  keepInputs: boolean;
  /** compile --constant-time-mac: model.c includes ep_mac_ct.h before the kernels. */
  constantTimeMac: boolean;
  /** int8 kernels whose requantization shifts are all in the fast form's range: model.c defines EP_RQ_FAST_ONLY. */
  requantFastOnly: boolean;
}

const VALUES_PER_ROW = 8;
const INTEGERS_PER_ROW = 16;
/** Signed integer types: their values are printed as plain (possibly negative) int literals. */
const SIGNED_RANGES: Partial<Record<CElementType, [number, number]>> = { int8_t: [-128, 127], int32_t: [-2147483648, 2147483647] };

/** C literals of a weight array's values. */
function cValues(w: CWeight, ctype: CElementType): string[] {
  const data = w.tensor.data;
  if (ctype === 'float') return Array.from(data as Float32Array, cFloat);
  const signed = SIGNED_RANGES[ctype];
  return Array.from(data as ArrayLike<number>, (v) => {
    if (!Number.isInteger(v)) throw new Error(`weight '${w.key}': ${v} is not an integer (${ctype})`);
    if (signed) {
      if (v < signed[0] || v > signed[1]) throw new Error(`weight '${w.key}': ${v} is outside ${ctype}`);
      // INT32_MIN has no literal of type int (2147483648 is a long): spelled as an expression.
      return v === -2147483648 ? '(-2147483647 - 1)' : String(v);
    }
    if (v < 0) throw new Error(`weight '${w.key}': ${v} is negative (${ctype})`);
    return `${v}u`;
  });
}

/**
 * Assigns each distinct constant a C identifier (first use first) and formats its values. One key is one array: a
 * levels library (src/levels/compile-levels.ts) passes one table to the view model of every level, so that a level
 * naming a key of the full model's uses the full model's array.
 */
export class WeightTable {
  private readonly byKey = new Map<string, WeightView>();
  private readonly used = new Set<string>();
  /** The next number to try after an identifier already taken (keys that sanitize alike get _2, _3, ...). */
  private readonly nextNumber = new Map<string, number>();

  constructor(private readonly prefix: string) {}

  /** A new identifier for a key: `<prefix>_w_<key as a C identifier>`, numbered when another key took it. */
  private freshIdent(key: string): string {
    const base = `${this.prefix}_w_${cIdentifier(key)}`;
    let ident = base;
    const separator = base.endsWith('_') ? '' : '_';
    for (let i = this.nextNumber.get(base) ?? 2; this.used.has(ident); i++) {
      ident = `${base}${separator}${i}`;
      this.nextNumber.set(base, i + 1);
    }
    this.used.add(ident);
    return ident;
  }

  ident(w: CWeight): string {
    let view = this.byKey.get(w.key);
    if (!view) {
      const ident = this.freshIdent(w.key);
      const ctype = cElementType(w);
      const values = cValues(w, ctype);
      const perRow = ctype === 'float' ? VALUES_PER_ROW : INTEGERS_PER_ROW;
      const rows: string[] = [];
      for (let i = 0; i < values.length; i += perRow) rows.push(values.slice(i, i + perRow).join(', '));
      // (an empty array is not valid C: one unused element)
      if (values.length === 0) rows.push(ctype === 'float' ? '0.0f' : SIGNED_RANGES[ctype] ? '0' : '0u');
      view = { ident, ctype, elements: Math.max(values.length, 1), bytes: Math.max(values.length, 1) * C_ELEMENT_BYTES[ctype], key: cComment(w.key), rows };
      this.byKey.set(w.key, view);
    }
    return view.ident;
  }

  all(): WeightView[] {
    return [...this.byKey.values()];
  }
}

/** The C type of a run-time value: every dtype a lowering accepts has one (int64: only ArgMax's indices, never a weight). */
function valueCType(v: StaticValueInfo): CElementType {
  const ctype = v.dtype === 'int64' ? 'int64_t' : cTypeOf(v.dtype);
  if (!ctype) throw new Error(`value '${v.name}' is ${v.dtype}, which the C backend does not store`);
  return ctype;
}

function ioView(g: Graph, v: StaticValueInfo, index: number, plan: MemoryPlan): IoView {
  const elements = shapeSize(v.shape);
  return {
    index, name: cComment(v.name), dtype: v.dtype, ctype: valueCType(v), shape: shapeToString(v.shape), elements,
    bytes: elements * byteSize(v.dtype), offset: plan.offsets.get(v.name) ?? 0,
  };
}

/**
 * The arena pointer macro of each C element type a run-time value can have: the one place a value's dtype becomes its
 * pointer type in model.c (offsets are in bytes; the plan aligns every buffer for its widest element).
 */
export const ARENA_MACROS: Partial<Record<CElementType, string>> = { float: 'F32', int8_t: 'S8', int32_t: 'S32', int64_t: 'S64' };

export interface ViewModelInput {
  graph: Graph;
  steps: CStep[];
  plan: MemoryPlan;
  prefix: string;
  generator: string;
  hash: string;
  kernelHeaders: string[];
  files: LibraryFileNames;
  /** A trace build: each step's outputs go to ephw_trace_value (hw-sim's harness) after the step. */
  trace?: boolean;
  /** A step-marks build: ephw_step_mark (hw-sim's harness) before the first step with code and after each. */
  stepMarks?: boolean;
  /** The plan keeps the inputs' bytes intact. */
  keepInputs: boolean;
  /** model.c includes ep_mac_ct.h (the constant-time soft-float MAC) before the kernels. */
  constantTimeMac?: boolean;
  /** The weight arrays, when shared with other view models (the levels of one library); default a table of its own. */
  weightTable?: WeightTable;
  /** Prefix of the names of the static int arrays (shapes, strides) the steps declare; default `prefix`. */
  staticsPrefix?: string;
}

/** model.h's precision line: float32, or int8 and whether the model converts its float inputs and outputs itself. */
function precisionNote(g: Graph): string {
  if (modelPrecision(g).precision !== 'int8') return 'float32';
  const floatEnds = [...g.inputs, ...g.outputs].every((v) => staticInfo(g, v.name).dtype === 'float32');
  return floatEnds
    ? 'int8 (int8 weights and activations; the model quantizes its float inputs and dequantizes its outputs itself)'
    : 'int8 (int8 weights and activations; inputs and outputs of the types below)';
}

/** The call that hands output `k` (value `name`) of step `step` to the harness in a trace build. */
function traceLine(g: Graph, plan: MemoryPlan, prefix: string, step: number, k: number, name: string): string {
  const offset = plan.offsets.get(name);
  if (offset === undefined) throw new Error(`value '${name}' has no arena offset`);
  const v = staticInfo(g, name);
  return `ephw_trace_value(${step}u, ${k}u, ${prefix}_arena + ${offset}, ${shapeSize(v.shape) * byteSize(v.dtype)}u);`;
}

export function buildViewModel(input: ViewModelInput): ModelView {
  const { graph: g, steps, plan, prefix } = input;
  const weights = input.weightTable ?? new WeightTable(prefix);
  const staticsPrefix = input.staticsPrefix ?? prefix;
  const statics: string[] = [];
  const arg = (a: CArg, step: number, k: number): string => {
    switch (a.kind) {
      case 'value': {
        const offset = plan.offsets.get(a.name);
        if (offset === undefined) throw new Error(`value '${a.name}' has no arena offset`);
        const v = staticInfo(g, a.name);
        const ctype = valueCType(v);
        const macro = ARENA_MACROS[ctype];
        if (!macro) throw new Error(`value '${a.name}' is ${v.dtype}: no arena pointer type for ${ctype}`);
        return `${prefix.toUpperCase()}_ARENA_${macro}(${offset + C_ELEMENT_BYTES[ctype] * (a.elementOffset ?? 0)})`;
      }
      case 'weight': {
        const ident = weights.ident(a.weight);
        return a.elementOffset ? `${ident} + ${a.elementOffset}` : ident;
      }
      case 'int': return String(a.value);
      case 'float': return cFloat(a.value);
      case 'null': return 'NULL';
      case 'symbol': return a.name;
      case 'ints': {
        const name = `${staticsPrefix}_s${step}_${k}`;
        statics.push(`static const int ${name}[${a.values.length}] = {${a.values.join(', ')}};`);
        return name;
      }
    }
  };
  const stepViews = steps.map((s, i): StepView => ({
    index: i,
    summary: cComment(s.summary),
    nodes: s.nodes.map(cComment).join(', '),
    lines: s.calls.map((c, j) => `${c.kernel}(${c.args.map((a, k) => arg(a, i, j * 100 + k)).join(', ')});`),
    traceLines: input.trace && s.calls.length ? s.outputs.map((name, k) => traceLine(g, plan, prefix, i, k, name)) : [],
  }));
  const weightViews = weights.all();
  return {
    generator: input.generator,
    modelName: cComment(g.name),
    hash: input.hash,
    prefix,
    PREFIX: prefix.toUpperCase(),
    files: input.files,
    arenaBytes: plan.arenaBytes,
    arenaLowerBoundBytes: plan.lowerBoundBytes,
    arenaAlignment: plan.alignment,
    precisionNote: precisionNote(g),
    arenaArrayBytes: Math.max(plan.arenaBytes, 1),
    inputs: g.inputs.map((v, i) => ioView(g, staticInfo(g, v.name), i, plan)),
    outputs: g.outputs.map((v, i) => ioView(g, staticInfo(g, v.name), i, plan)),
    statics,
    steps: stepViews,
    weights: weightViews,
    weightBytes: weightViews.reduce((s, w) => s + w.bytes, 0),
    kernelHeaders: input.kernelHeaders,
    trace: input.trace === true,
    stepMarks: input.stepMarks === true,
    keepInputs: input.keepInputs,
    constantTimeMac: input.constantTimeMac === true,
    requantFastOnly: requantFastOnly(input.steps),
  };
}
