// The contract every operator file fulfils: attributes, opset upgrade, shape inference, evaluation, costs.

import type { DType } from '../ir/dtype.js';
import type { AttrValue, Node } from '../ir/graph.js';
import type { Tensor } from '../ir/tensor.js';
import { AttrReader } from './attrs.js';

/** Type and static shape of a value as an op sees it. */
export interface ValueType {
  dtype: DType;
  shape: number[];
}

/**
 * A value during inference: its type, plus its value when it is a known constant. Inputs carry the
 * value of initializers; an op may return a value for an output it can compute from shapes alone
 * (Shape does), and constant folding then replaces the node with that value.
 */
export interface InferInput extends ValueType {
  value?: Tensor;
}

/** Role of a parameter input, for parameter counts and weight sparsity. */
export type ParamRole = 'weight' | 'bias' | 'norm';

/** Services for rewriting an older-opset node into the canonical form. */
export interface UpgradeContext {
  /** Add a constant initializer and return its (unique) name. */
  addConstant(tensor: Tensor, nameHint: string): string;
  /** A value or node name not used anywhere in the graph yet. */
  uniqueName(hint: string): string;
}

/**
 * The canonical opset of the IR: after import every node has the form (attributes vs inputs)
 * that this opset version of the standard domain defines, and export writes this version.
 */
export const CANONICAL_OPSET = 21;

export interface OpDef<A = unknown> {
  readonly opType: string;
  /** '' for the standard ONNX domain. */
  readonly domain: string;
  /** Allowed input and output counts (after upgrade), inclusive. */
  readonly inputs: readonly [min: number, max: number];
  readonly outputs: readonly [min: number, max: number];
  /** Read and validate attributes; every attribute the op accepts must be read here. */
  parseAttrs(attrs: AttrReader, node: Node): A;
  /**
   * Rewrite a node from an older opset into the canonical form, in place (attributes that later
   * became inputs move to constant inputs). May return replacement nodes when the rewrite needs more
   * than one. Called for every node, with the opset version the model imports for the node's domain.
   */
  upgrade?(node: Node, opset: number, ctx: UpgradeContext): Node[] | void;
  /** Output types and shapes (and values, where known from shapes alone). Omitted optional inputs are undefined. */
  infer(inputs: (InferInput | undefined)[], attrs: A, node: Node): InferInput[];
  /** Reference evaluation: the definition of the op's numerics for every backend. */
  evaluate(inputs: (Tensor | undefined)[], attrs: A, node: Node): Tensor[];
  /** Multiply-accumulates per inference (Conv/Gemm/MatMul-like ops only; others count 0). */
  macs?(inputs: (ValueType | undefined)[], outputs: ValueType[], attrs: A): number;
  /**
   * Elementary operations of one reference evaluation besides the MACs and one visit of each input and
   * output element (a pool's window taps); bounds what constant folding spends. Default 0.
   */
  evaluationWork?(inputs: (ValueType | undefined)[], outputs: ValueType[], attrs: A): number;
  /** Inputs that hold trained parameters when they are initializers, with their role. */
  readonly paramInputs?: Readonly<Record<number, ParamRole>>;
  /** Lowest standard opset whose version of this op accepts the node as written (default CANONICAL_OPSET). */
  minExportOpset?(node: Node): number;
  /** Constant folding leaves this op in place (it carries meaning, e.g. a quantized weight). */
  readonly keepUnfolded?: boolean;
  /** Results depend on anything but the inputs (random ops): never folded or compared. */
  readonly nondeterministic?: boolean;
}

/** Identity helper that keeps the attribute type parameter of an op definition. */
export function defineOp<A>(def: OpDef<A>): OpDef<A> {
  return def;
}

/** Parse a node's attributes with its op's schema, rejecting attributes the op does not know. */
export function readAttrs<A>(op: OpDef<A>, node: Node): A {
  const reader = new AttrReader(node);
  const attrs = op.parseAttrs(reader, node);
  reader.rejectUnknown();
  return attrs;
}

export type { AttrValue };
