// The quantization plan: what each node of the float graph becomes in int8 (with the activation it fuses), or why it cannot.

import { nodeError, UserError } from '../errors.js';
import { consumers, producers, type Graph, type Node } from '../ir/graph.js';
import { nodeAttrs } from '../ir/interpreter.js';
import { shapeToString, Tensor } from '../ir/tensor.js';
import type { GemmAttrs } from '../ops/gemm.js';
import { uniformNormalization, type Normalization } from './input-normalization.js';
import { biasPerOutput, type ActivationBounds } from './qparams.js';

/** Int8 ops whose output gets its own scale: each requantizes. */
export type LayerKind = 'conv' | 'dense' | 'add' | 'average-pool' | 'global-average-pool';

export interface FusedActivation {
  node: Node;
  bounds: ActivationBounds;
}

export interface LayerStep {
  kind: LayerKind;
  node: Node;
  /** Its int8 inputs (values of the float graph). */
  inputs: string[];
  /** The value it produces: the fused activation's output when there is one. */
  output: string;
  act?: FusedActivation;
  /** Conv and dense: float weights (dense: M x K, one row per output) and the per-output bias. */
  weight?: Tensor;
  bias?: number[];
  /** Nodes merged into it besides the activation (the bias Add after a MatMul). */
  absorbed: Node[];
}

/** MaxPool, Flatten, Reshape: int8 in, int8 out, the output keeps the input's scale and zero point. */
export interface PassThroughStep {
  kind: 'pass-through';
  node: Node;
  input: string;
  output: string;
}

/** Concat on int8: every input shares the output's scale and zero point. */
export interface ConcatStep {
  kind: 'concat';
  node: Node;
  inputs: string[];
  output: string;
}

/** A final Softmax, run in float after a DequantizeLinear (the documented float tail). */
export interface FloatTailStep {
  kind: 'float-tail';
  node: Node;
  input: string;
  output: string;
}

/**
 * A final ArgMax on the int8 values (its int64 indices are the graph output, no DequantizeLinear): dequantization
 * with a positive scale is monotonic and maps equal int8 values to equal floats, so the index is the float one's.
 * A Softmax over the same axis just before it is dropped (`dropped`): it is monotonic too.
 */
export interface IndexTailStep {
  kind: 'index-tail';
  node: Node;
  input: string;
  output: string;
  dropped?: Node;
}

export type Step = LayerStep | PassThroughStep | ConcatStep | FloatTailStep | IndexTailStep;

export interface InputPlan {
  /** The graph input (float32). */
  name: string;
  /** The value its QuantizeLinear produces: the input, or the output of a normalization merged into the QuantizeLinear. */
  value: string;
  normalization?: Normalization & { node: Node };
}

export interface QuantPlan {
  inputs: InputPlan[];
  steps: Step[];
  /** Values that need a calibrated range: the quantized inputs, every layer's output, every Concat's output. */
  calibrated: string[];
  /** Concat inputs → the Concat output whose scale they take. */
  concatOf: Map<string, string>;
}

export const SUPPORTED_TEXT =
  'Conv, Gemm and MatMul with constant weights, Add of two computed tensors, AveragePool, GlobalAveragePool (each with a following Relu or Clip fused), ' +
  'MaxPool, Flatten, Reshape, Concat, BatchNormalization after a Conv or Gemm or on an input (folded), a final Softmax (run in float), ' +
  'and a final ArgMax (on the int8 values; a Softmax over the same axis before it is dropped)';

const ACTIVATION_PRODUCERS = 'a Conv, Gemm, MatMul, Add, AveragePool or GlobalAveragePool';
const FUSING_OPS = new Set(['Conv', 'Gemm', 'MatMul', 'Add', 'AveragePool', 'GlobalAveragePool']);

function refuse(node: Node, why: string): UserError {
  return nodeError(node, why, `the int8 quantizer supports ${SUPPORTED_TEXT}`);
}

class Planner {
  private readonly users: Map<string, Node[]>;
  private readonly made: Map<string, Node>;
  private readonly graphOutputs: Set<string>;
  private readonly int8 = new Set<string>();
  private readonly skip = new Set<Node>();
  private readonly layerOf = new Map<string, LayerStep>();
  readonly steps: Step[] = [];
  readonly inputs: InputPlan[] = [];
  readonly concatOf = new Map<string, string>();

  constructor(private readonly g: Graph) {
    this.users = consumers(g);
    this.made = producers(g);
    this.graphOutputs = new Set(g.outputs.map((o) => o.name));
  }

  private constant(name: string | undefined): Tensor | undefined {
    return name ? this.g.initializers.get(name) : undefined;
  }

  private readers(value: string): Node[] {
    return this.users.get(value) ?? [];
  }

  planInputs(): void {
    const floats = this.g.inputs.filter((v) => v.dtype === 'float32');
    if (floats.length === 0) {
      const what = this.g.inputs.length === 0 ? 'has no inputs' : `has no float32 input (${this.g.inputs.map((v) => `'${v.name}' ${v.dtype}`).join(', ')})`;
      throw new UserError(`the model ${what}; post-training quantization calibrates float32 inputs`, 'quantize the float model this one was made from');
    }
    for (const input of this.g.inputs) {
      if (this.graphOutputs.has(input.name)) throw new UserError(`graph input '${input.name}' is also a graph output; there is nothing to quantize on that path`, 'remove the output, or compute it from the input');
      if (input.dtype !== 'float32') throw new UserError(`graph input '${input.name}' is ${input.dtype}; the int8 quantizer takes float32 inputs only`, 'give the model float32 inputs');
      const readers = this.readers(input.name);
      const bn = readers.length === 1 && readers[0].opType === 'BatchNormalization' && readers[0].domain === '' && readers[0].inputs[0] === input.name ? readers[0] : undefined;
      if (bn) {
        const normalization = uniformNormalization(this.g, bn);
        if (!normalization.ok) {
          throw nodeError(
            bn,
            `normalizes input '${input.name}' ${normalization.why}, and its output feeds ${this.readers(bn.outputs[0]).map((n) => `'${n.name}' (${n.opType})`).join(', ')}: it can be neither folded into that layer nor merged into the input's QuantizeLinear`,
            'normalize the data before the model (train with --no-normalize), or give the normalization one scale and shift for every channel',
          );
        }
        this.skip.add(bn);
        this.int8.add(bn.outputs[0]);
        this.inputs.push({ name: input.name, value: bn.outputs[0], normalization: { ...normalization.value, node: bn } });
        continue;
      }
      this.int8.add(input.name);
      this.inputs.push({ name: input.name, value: input.name });
    }
  }

  /** A Relu or constant Clip that alone reads `value` (not a graph output), fused into the op producing it. */
  private fusedActivation(value: string): FusedActivation | undefined {
    if (this.graphOutputs.has(value)) return undefined;
    const readers = this.readers(value);
    if (readers.length !== 1 || readers[0].domain !== '' || readers[0].inputs[0] !== value) return undefined;
    const n = readers[0];
    if (n.opType === 'Relu') return { node: n, bounds: { min: 0, max: Infinity } };
    if (n.opType !== 'Clip') return undefined;
    const bound = (i: number, none: number) => {
      if (!n.inputs[i]) return none;
      const t = this.constant(n.inputs[i]);
      return t && t.size === 1 ? t.at(0) : undefined;
    };
    const min = bound(1, -Infinity);
    const max = bound(2, Infinity);
    if (min === undefined || max === undefined) return undefined;
    return { node: n, bounds: { min, max } };
  }

  private addLayer(kind: LayerKind, node: Node, inputs: string[], options: { weight?: Tensor; bias?: number[]; after?: string; absorbed?: Node[] } = {}): void {
    const produced = options.after ?? node.outputs[0];
    const act = this.fusedActivation(produced);
    const output = act ? act.node.outputs[0] : produced;
    const step: LayerStep = { kind, node, inputs, output, act, weight: options.weight, bias: options.bias, absorbed: options.absorbed ?? [] };
    if (act) this.skip.add(act.node);
    for (const n of step.absorbed) this.skip.add(n);
    this.steps.push(step);
    this.layerOf.set(output, step);
    this.int8.add(output);
  }

  planNode(node: Node): void {
    if (this.skip.has(node)) return;
    // (an ArgMax after a dropped Softmax reads the Softmax's input)
    const dropped = this.droppedSoftmax.get(node);
    const data = (dropped ? dropped.inputs : node.inputs).filter((i) => i && !this.g.initializers.has(i));
    for (const i of data) {
      if (!this.int8.has(i)) throw refuse(node, `reads '${i}', which the quantized graph does not compute in int8`);
    }
    if (node.domain !== '') throw refuse(node, `op ${node.domain}.${node.opType} cannot be quantized`);
    switch (node.opType) {
      case 'Conv':
        return this.planConv(node);
      case 'Gemm':
        return this.planGemm(node);
      case 'MatMul':
        return this.planMatMul(node);
      case 'Add': {
        const c = node.inputs.find((i) => this.g.initializers.has(i));
        if (c !== undefined) throw refuse(node, `adds the constant '${c}'; only the sum of two computed tensors is quantized (a per-channel constant added to a bias-less Conv, Gemm or MatMul is folded into its bias)`);
        return this.addLayer('add', node, [node.inputs[0], node.inputs[1]]);
      }
      case 'AveragePool':
        return this.addLayer('average-pool', node, [node.inputs[0]]);
      case 'GlobalAveragePool':
        return this.addLayer('global-average-pool', node, [node.inputs[0]]);
      case 'MaxPool':
      case 'Flatten':
      case 'Reshape':
        if (node.outputs[1]) throw refuse(node, 'its Indices output is used; only the pooled values are quantized');
        this.steps.push({ kind: 'pass-through', node, input: node.inputs[0], output: node.outputs[0] });
        this.int8.add(node.outputs[0]);
        return;
      case 'Concat':
        return this.planConcat(node);
      case 'ArgMax':
        return this.planArgMax(node);
      case 'Softmax':
        if (this.softmaxBeforeArgMax(node)) return;
        if (!this.graphOutputs.has(node.outputs[0]) || this.readers(node.outputs[0]).length > 0) {
          throw refuse(node, 'a Softmax is kept only as the last op (a float tail after a DequantizeLinear); here its output feeds other nodes');
        }
        this.steps.push({ kind: 'float-tail', node, input: node.inputs[0], output: node.outputs[0] });
        return;
      case 'Relu':
      case 'Clip': {
        const from = this.made.get(node.inputs[0]);
        const what = from ? `'${from.name}' (${from.opType})` : `the input '${node.inputs[0]}'`;
        const shared = from && FUSING_OPS.has(from.opType) ? ', whose output other nodes read too (or is a graph output)' : '';
        throw refuse(node, `a ${node.opType} is fused into the output clamp of ${ACTIVATION_PRODUCERS} that only it reads${node.opType === 'Clip' ? ' (with constant bounds)' : ''}; here it follows ${what}${shared}`);
      }
      case 'BatchNormalization':
        throw refuse(node, 'a BatchNormalization is folded into the Conv or Gemm before it, or into the layer or QuantizeLinear after an input; this one follows neither');
      default:
        throw refuse(node, `op ${node.opType} cannot be quantized to int8`);
    }
  }

  /** A Softmax whose only reader is an ArgMax over the same axis (and not a graph output): the ArgMax reads its input instead. */
  private softmaxBeforeArgMax(node: Node): boolean {
    const out = node.outputs[0];
    const readers = this.readers(out);
    if (this.graphOutputs.has(out) || readers.length !== 1 || readers[0].opType !== 'ArgMax' || readers[0].domain !== '') return false;
    const rank = this.g.values.get(node.inputs[0])?.shape.length;
    if (rank === undefined) return false;
    const axisOf = (n: Node) => {
      const axis = (nodeAttrs(n) as { axis: number }).axis;
      return axis < 0 ? axis + rank : axis;
    };
    if (axisOf(node) !== axisOf(readers[0])) return false;
    this.droppedSoftmax.set(readers[0], node);
    return true;
  }

  private readonly droppedSoftmax = new Map<Node, Node>();

  private planArgMax(node: Node): void {
    const dropped = this.droppedSoftmax.get(node);
    const input = dropped ? dropped.inputs[0] : node.inputs[0];
    if (!this.graphOutputs.has(node.outputs[0]) || this.readers(node.outputs[0]).length > 0) {
      throw refuse(node, 'an ArgMax is kept only as the last op (its int64 indices are a graph output); here its output feeds other nodes');
    }
    this.steps.push({ kind: 'index-tail', node, input, output: node.outputs[0], dropped });
  }

  private planConv(node: Node): void {
    const w = this.constant(node.inputs[1]);
    if (!w || w.dtype !== 'float32') throw refuse(node, 'its weights W must be a float32 constant (an initializer)');
    const b = this.constant(node.inputs[2]);
    if (node.inputs[2] && !b) throw refuse(node, 'its bias B must be a constant (an initializer)');
    this.addLayer('conv', node, [node.inputs[0]], { weight: w, bias: b?.toNumbers() });
  }

  private planGemm(node: Node): void {
    const a = nodeAttrs(node) as GemmAttrs;
    if (a.transA) throw refuse(node, 'transA=1 is not supported: the int8 dense layer reads its input as N x K');
    const B = this.constant(node.inputs[1]);
    if (!B || B.dtype !== 'float32') throw refuse(node, 'its weights B must be a float32 constant (an initializer)');
    const weight = denseWeights(B, a.transB, a.alpha);
    const M = weight.shape[0];
    let bias: number[] | undefined;
    if (node.inputs[2]) {
      const C = this.constant(node.inputs[2]);
      if (!C) throw refuse(node, 'its bias C must be a constant (an initializer)');
      const per = biasPerOutput(C, M);
      if (!per) throw refuse(node, `its bias C has shape ${shapeToString(C.shape)}; only one value per output ([${M}], [1, ${M}] or one value) is supported`);
      bias = per.map((v) => v * a.beta);
    }
    this.addLayer('dense', node, [node.inputs[0]], { weight, bias });
  }

  private planMatMul(node: Node): void {
    const rank = this.g.values.get(node.inputs[0])?.shape.length;
    if (rank !== 2) throw refuse(node, `its input A has rank ${rank}; only N x K inputs are quantized (a dense layer)`);
    const B = this.constant(node.inputs[1]);
    if (!B || B.dtype !== 'float32' || B.rank !== 2) throw refuse(node, 'its weights B must be a float32 constant K x M matrix (an initializer)');
    const weight = denseWeights(B, false, 1);
    const M = weight.shape[0];
    // A following Add of a per-output constant is the layer's bias.
    const out = node.outputs[0];
    const readers = this.readers(out);
    const add = !this.graphOutputs.has(out) && readers.length === 1 && readers[0].opType === 'Add' && readers[0].domain === '' ? readers[0] : undefined;
    const c = add && this.constant(add.inputs.find((i) => i !== out));
    const bias = c && add!.inputs.includes(out) ? biasPerOutput(c, M) : undefined;
    if (add && bias) this.addLayer('dense', node, [node.inputs[0]], { weight, bias, after: add.outputs[0], absorbed: [add] });
    else this.addLayer('dense', node, [node.inputs[0]], { weight });
  }

  private planConcat(node: Node): void {
    const inputs = node.inputs.filter((i) => i);
    for (const i of inputs) {
      if (!this.layerOf.has(i)) {
        const from = this.made.get(i);
        throw refuse(node, `its inputs share one scale, so each must come straight from ${ACTIVATION_PRODUCERS}; '${i}' comes from ${from ? `'${from.name}' (${from.opType})` : 'a graph input'}`);
      }
      const other = this.concatOf.get(i);
      if (other !== undefined && other !== node.outputs[0]) throw refuse(node, `its input '${i}' also feeds another Concat; one tensor cannot take two Concat scales`);
      this.concatOf.set(i, node.outputs[0]);
    }
    this.steps.push({ kind: 'concat', node, inputs, output: node.outputs[0] });
    this.int8.add(node.outputs[0]);
  }
}

/** Weights as M x K (one row per output), scaled by alpha: B itself when transposed (transB), else Bᵀ. */
function denseWeights(B: Tensor, transB: boolean, alpha: number): Tensor {
  const [rows, cols] = B.shape;
  const [M, K] = transB ? [rows, cols] : [cols, rows];
  const w = new Tensor('float32', [M, K]);
  const dst = w.data as Float32Array;
  for (let m = 0; m < M; m++) for (let k = 0; k < K; k++) dst[m * K + k] = alpha * B.at(transB ? m * K + k : k * M + m);
  return w;
}

export function planQuantization(g: Graph): QuantPlan {
  const p = new Planner(g);
  p.planInputs();
  for (const node of g.nodes) p.planNode(node);
  const calibrated = new Set<string>(p.inputs.map((i) => i.value));
  for (const s of p.steps) if (s.kind !== 'pass-through' && s.kind !== 'float-tail' && s.kind !== 'index-tail') calibrated.add(s.output);
  return { inputs: p.inputs, steps: p.steps, calibrated: [...calibrated], concatOf: p.concatOf };
}
