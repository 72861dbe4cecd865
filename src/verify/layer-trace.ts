// verify --trace: every layer step's outputs from a trace build of the firmware, compared with the interpreter's
// intermediate values, layer by layer (int8 bit-exact, float32 within the tolerance), naming the first that diverges.

import type { RawTraceValue } from '../../hw-sim/protocol/client.js';
import { byteSize, type DType } from '../ir/dtype.js';
import type { CStep } from '../emit/c/c-step.js';
import type { Graph } from '../ir/graph.js';
import { staticInfo } from '../ir/graph.js';
import type { Tensor } from '../ir/tensor.js';
import type { Tolerance } from '../conformance/compare.js';
import { tensorFromBytes } from './output-bits.js';

/** One output of one layer step, over every traced vector. */
export interface LayerTrace {
  /** The step's index in model.c (model_step<k>). */
  step: number;
  /** The IR nodes the step implements (a fused activation adds its node), and the value compared. */
  nodes: string[];
  /** The op types of those nodes, joined by '+' (Conv+Relu). */
  op: string;
  value: string;
  dtype: DType;
  shape: number[];
  elements: number;
  /** Elements differing from the interpreter (int8: any bit; float32: outside the tolerance), summed over the vectors. */
  mismatches: number;
  /** Largest |firmware − interpreter| over the vectors (Infinity for a NaN or an infinity against another value). */
  maxAbsDiff: number;
  /** Where that largest difference is: the vector and the element's coordinates in the value's shape (null when 0). */
  maxAt: { vector: number; index: number[]; got: number; want: number } | null;
}

export interface TraceReport {
  /** The build the layers came from (the target's, in QEMU or on the board). */
  runOn: string;
  comparison: 'bit-exact' | 'tolerance';
  vectors: number;
  layers: LayerTrace[];
  /** The first layer step (in execution order) with a mismatch, or null when every layer matches. */
  firstDiverging: { step: number; nodes: string[]; op: string; value: string } | null;
}

/** Coordinates of flat element `flat` in `shape` (row-major). */
export function coordinates(flat: number, shape: number[]): number[] {
  const out = new Array<number>(shape.length).fill(0);
  for (let d = shape.length - 1; d >= 0; d--) {
    out[d] = shape[d] > 0 ? flat % shape[d] : 0;
    flat = shape[d] > 0 ? Math.floor(flat / shape[d]) : 0;
  }
  return out;
}

/** |got − want| with NaN against NaN and an infinity against the same infinity as 0, any other NaN or infinity as Infinity. */
function difference(got: number, want: number): number {
  if (Object.is(got, want) || got === want || (Number.isNaN(got) && Number.isNaN(want))) return 0;
  if (!Number.isFinite(got) || !Number.isFinite(want)) return Infinity;
  return Math.abs(got - want);
}

/** An element disagrees: any difference when bit-exact, else beyond atol + rtol·|want| (the rule of compareTensors). */
function disagrees(got: number, want: number, diff: number, exact: boolean, tol: Tolerance): boolean {
  if (exact) return !(Object.is(got, want) || (Number.isNaN(got) && Number.isNaN(want)));
  return !(diff <= tol.atol + tol.rtol * Math.abs(want));
}

export interface TraceInput {
  /** The graph as compiled (lib.graph): its value names are the steps'. */
  graph: Graph;
  steps: CStep[];
  runOn: string;
  exact: boolean;
  tolerance: Tolerance;
  /** Per vector: the firmware's trace and the interpreter's every value (runGraph with keepIntermediates). */
  runs: { trace: RawTraceValue[] | undefined; reference: Map<string, Tensor> }[];
}

/** Compare every traced layer output with the interpreter's. Throws when the firmware's trace is not the plan's. */
export function compareLayers(input: TraceInput): TraceReport {
  const { graph: g, steps, exact, tolerance } = input;
  const layers: LayerTrace[] = [];
  const slots = new Map<string, LayerTrace>();
  steps.forEach((s, step) => {
    if (!s.calls.length) return; // a view: no code, nothing written
    s.outputs.forEach((name, k) => {
      const v = staticInfo(g, name);
      const ops = s.nodes.map((n) => g.nodes.find((node) => node.name === n)?.opType ?? '?');
      const layer: LayerTrace = {
        step, nodes: s.nodes, op: ops.join('+'), value: name, dtype: v.dtype, shape: v.shape,
        elements: v.shape.reduce((a, b) => a * b, 1), mismatches: 0, maxAbsDiff: 0, maxAt: null,
      };
      layers.push(layer);
      slots.set(`${step}:${k}`, layer);
    });
  });
  input.runs.forEach((run, vector) => {
    if (!run.trace) throw new Error('the firmware sent no layer trace: it was not built with --trace');
    const seen = new Set<string>();
    for (const t of run.trace) {
      const key = `${t.step}:${t.output}`;
      const layer = slots.get(key);
      if (!layer || seen.has(key)) throw new Error(`the firmware traced step ${t.step} output ${t.output}, which the model's plan does not have (or twice)`);
      seen.add(key);
      if (t.bytes.length !== layer.elements * byteSize(layer.dtype)) throw new Error(`the firmware traced ${t.bytes.length} bytes for step ${t.step} output ${t.output}, expected ${layer.elements} ${layer.dtype} elements`);
      const got = tensorFromBytes(t.bytes, layer);
      const want = run.reference.get(layer.value);
      if (!want) throw new Error(`the interpreter has no value '${layer.value}'`);
      for (let i = 0; i < layer.elements; i++) {
        // (as numbers: an ArgMax's int64 indices are bigints)
        const x = Number(got.data[i]);
        const y = Number(want.data[i]);
        const diff = difference(x, y);
        if (disagrees(x, y, diff, exact, tolerance)) layer.mismatches++;
        if (diff > layer.maxAbsDiff) {
          layer.maxAbsDiff = diff;
          layer.maxAt = { vector, index: coordinates(i, layer.shape), got: x, want: y };
        }
      }
    }
    if (seen.size !== slots.size) throw new Error(`the firmware traced ${seen.size} layer outputs, the model has ${slots.size}`);
  });
  const first = layers.find((l) => l.mismatches > 0);
  return {
    runOn: input.runOn, comparison: exact ? 'bit-exact' : 'tolerance', vectors: input.runs.length, layers,
    firstDiverging: first ? { step: first.step, nodes: first.nodes, op: first.op, value: first.value } : null,
  };
}
