// uint8 quantized tensors → int8, exactly: subtract 128 from every value and from its zero point.
//
// Every op that gives an 8-bit value a meaning does so through (value − zero_point), and saturates its output to
// the type's range: [0, 255] − 128 = [-128, 127]. So QuantizeLinear, DequantizeLinear, QLinearConv, QLinearMatMul,
// ConvInteger and MatMulInteger compute the same real values after the shift, and the ops that only move or select
// elements (MaxPool, Reshape, Flatten, Transpose, Concat, ...) commute with it. A uint8 value converts when its
// producer and every reader are such ops (it is not a graph input or output); values joined through a moving op
// convert together or not at all.

import { cloneGraph, type Graph, type Node } from '../../ir/graph.js';
import { inferShapes } from '../../ir/infer-shapes.js';
import { invalidateAttrs } from '../../ir/interpreter.js';
import { Tensor } from '../../ir/tensor.js';
import { GraphNames } from '../graph-names.js';

/** Ops that give 8-bit values a meaning through zero points: [data input, its zero-point input] pairs, and the output's zero-point input. */
const ZERO_POINT_ROLES: Readonly<Record<string, { data: readonly (readonly [number, number])[]; output?: number }>> = {
  QuantizeLinear: { data: [], output: 2 },
  DequantizeLinear: { data: [[0, 2]] },
  QLinearConv: { data: [[0, 2], [3, 5]], output: 7 },
  QLinearMatMul: { data: [[0, 2], [3, 5]], output: 7 },
  ConvInteger: { data: [[0, 2], [1, 3]] },
  MatMulInteger: { data: [[0, 2], [1, 3]] },
};

/** Ops whose every output element is one of the data input's elements (or a maximum of some): their data inputs ('all' for Concat). */
export const SHIFT_INVARIANT_OPS: Readonly<Record<string, readonly number[] | 'all'>> = {
  MaxPool: [0],
  GlobalMaxPool: [0],
  Reshape: [0],
  Flatten: [0],
  Transpose: [0],
  Squeeze: [0],
  Unsqueeze: [0],
  Identity: [0],
  Slice: [0],
  Split: [0],
  Gather: [0],
  Expand: [0],
  Concat: 'all',
};

const isDataInput = (node: Node, index: number): boolean => {
  if (node.domain !== '') return false;
  const roles = ZERO_POINT_ROLES[node.opType];
  if (roles) return roles.data.some(([d]) => d === index);
  const moving = SHIFT_INVARIANT_OPS[node.opType];
  return moving === 'all' || (moving?.includes(index) ?? false);
};

const isZeroPointInput = (node: Node, index: number): boolean => {
  const roles = node.domain === '' ? ZERO_POINT_ROLES[node.opType] : undefined;
  return !!roles && (roles.data.some(([, z]) => z === index) || roles.output === index);
};

/** Union-find over value names. */
class Groups {
  private readonly parent = new Map<string, string>();
  find(v: string): string {
    let root = v;
    while (this.parent.has(root)) root = this.parent.get(root)!;
    if (root !== v) this.parent.set(v, root);
    return root;
  }
  join(a: string, b: string): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent.set(ra, rb);
  }
}

/** The uint8 values that convert, by the rule in the file header. */
function convertibleValues(g: Graph): Set<string> {
  const uint8 = new Set<string>();
  for (const [name, v] of g.values) if (v.dtype === 'uint8') uint8.add(name);
  for (const [name, t] of g.initializers) if (t.dtype === 'uint8') uint8.add(name);
  const blocked = new Set<string>([...g.inputs, ...g.outputs].map((v) => v.name));
  const groups = new Groups();
  const hasDataUse = new Set<string>();
  for (const node of g.nodes) {
    node.inputs.forEach((name, i) => {
      if (!uint8.has(name)) return;
      if (isDataInput(node, i)) hasDataUse.add(name);
      else if (!isZeroPointInput(node, i)) blocked.add(name);
    });
    const roles = node.domain === '' ? ZERO_POINT_ROLES[node.opType] : undefined;
    const moving = node.domain === '' ? SHIFT_INVARIANT_OPS[node.opType] : undefined;
    node.outputs.forEach((name, i) => {
      if (!uint8.has(name)) return;
      if (roles?.output !== undefined && i === 0) return;
      if (!moving) {
        blocked.add(name);
        return;
      }
      node.inputs.forEach((input, k) => {
        if (uint8.has(input) && isDataInput(node, k)) groups.join(input, name);
      });
    });
  }
  const blockedGroups = new Set([...blocked].filter((v) => uint8.has(v)).map((v) => groups.find(v)));
  const produced = new Set(g.nodes.flatMap((n) => n.outputs));
  return new Set([...uint8].filter((v) => !blockedGroups.has(groups.find(v)) && (hasDataUse.has(v) || produced.has(v))));
}

const shifted = (t: Tensor) => Tensor.fromNumbers('int8', t.shape, t.toNumbers().map((v) => v - 128));

/** The graph with every convertible uint8 value turned into int8 (values and zero points shifted by 128); types re-inferred. */
export function shiftUint8ToInt8(source: Graph): Graph {
  const convert = convertibleValues(source);
  if (convert.size === 0) return source;
  const g = cloneGraph(source);
  const names = new GraphNames(g);
  const shiftedZero = new Map<string, string>();
  /** The int8 zero point for a uint8 one (an absent one is 0, so -128). */
  const zeroFor = (name: string | undefined): string => {
    const key = name ?? '';
    let out = shiftedZero.get(key);
    if (!out) {
      const original = name ? g.initializers.get(name) : undefined;
      out = names.constant(g, `${name || 'zero_point'}_int8`, original ? shifted(original) : Tensor.scalar('int8', -128));
      shiftedZero.set(key, out);
    }
    return out;
  };
  // A converted constant is shifted in place, unless a node also reads it as a zero point (then a copy is shifted).
  const readAsZeroPoint = new Set(g.nodes.flatMap((n) => n.inputs.filter((v, i) => v && isZeroPointInput(n, i))));
  const renamed = new Map<string, string>();
  for (const name of convert) {
    const t = g.initializers.get(name);
    if (!t) continue;
    if (readAsZeroPoint.has(name)) renamed.set(name, names.constant(g, `${name}_int8`, shifted(t)));
    else g.initializers.set(name, shifted(t));
  }
  for (const node of g.nodes) {
    const roles = node.domain === '' ? ZERO_POINT_ROLES[node.opType] : undefined;
    const setZero = (index: number, original: string | undefined) => {
      while (node.inputs.length <= index) node.inputs.push('');
      node.inputs[index] = zeroFor(original);
    };
    for (const [data, zero] of roles?.data ?? []) {
      if (convert.has(node.inputs[data])) setZero(zero, node.inputs[zero] || undefined);
    }
    if (roles?.output !== undefined && convert.has(node.outputs[0])) {
      setZero(roles.output, node.inputs[roles.output] || undefined);
      if (node.opType === 'QuantizeLinear' && 'output_dtype' in node.attrs) {
        node.attrs = { ...node.attrs };
        delete node.attrs.output_dtype;
        invalidateAttrs(node);
      }
    }
    node.inputs = node.inputs.map((v, i) => (isDataInput(node, i) ? (renamed.get(v) ?? v) : v));
  }
  g.values = new Map();
  inferShapes(g);
  return g;
}
