// ONNX ModelProto → IR graph: decode, check opsets and ops, convert attributes, upgrade to the canonical opset.

import { UserError } from '../errors.js';
import { dtypeFromOnnx, type DType } from '../ir/dtype.js';
import { emptyGraph, type AttrValue, type Dim, type Graph, type Node, type ValueInfo } from '../ir/graph.js';
import { constantBudget, countText, limits } from '../ir/limits.js';
import type { Tensor } from '../ir/tensor.js';
import { CANONICAL_OPSET, type UpgradeContext } from '../ops/op-def.js';
import { canonicalDomain, findOp, supportedOpNames } from '../ops/registry.js';
import { refuseSmallFloatQuantization } from '../quant/onnx/float8-refusal.js';
import { quantizationSchemeRefusal } from '../quant/onnx/unsupported-schemes.js';
import { onnx, toNumber } from './proto.js';
import { tensorFromProto, type TensorSource } from './tensor-proto.js';

/** Oldest and newest standard-domain opsets the importer accepts. */
export const MIN_OPSET = 7;
export const MAX_OPSET = 25;

/** Decode bytes as an ONNX model, with a clear error for anything that is not one. */
export function decodeModel(bytes: Uint8Array, file: string): onnx.ModelProto {
  let model: onnx.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (e) {
    const why = (e as Error).message.replace(/\s+/g, ' ');
    throw new UserError(`'${file}' is not a valid ONNX model: the protobuf does not decode (${why}); the file may be truncated or corrupt`);
  }
  if (!model.graph || (!model.graph.node?.length && !model.graph.output?.length)) {
    throw new UserError(`'${file}' is not an ONNX model: it holds no graph`);
  }
  if (!model.irVersion || toNumber(model.irVersion) <= 0) {
    throw new UserError(`'${file}' is not an ONNX model: it has no IR version`);
  }
  return model;
}

function standardOpset(model: onnx.ModelProto, file: string): number {
  const entries = model.opsetImport ?? [];
  const std = entries.find((o) => canonicalDomain(o.domain) === '');
  // IR version 1-2 models had no opset_import and mean opset 1.
  const version = std ? toNumber(std.version) : 1;
  if (version < MIN_OPSET) {
    throw new UserError(
      `'${file}' uses ONNX opset ${version}; edgeprune imports opsets ${MIN_OPSET} to ${MAX_OPSET}`,
      'convert the model to a newer opset first (onnx.version_converter.convert_version(model, 13))',
    );
  }
  if (version > MAX_OPSET) {
    throw new UserError(`'${file}' uses ONNX opset ${version}, newer than the newest edgeprune knows (${MAX_OPSET})`);
  }
  return version;
}

function valueInfoFromProto(v: onnx.IValueInfoProto, what: string): ValueInfo {
  const name = v.name ?? '';
  const tt = v.type?.tensorType;
  if (!tt) throw new UserError(`${what} '${name}' is not a tensor (sequences, maps and optionals are not supported)`);
  const found = dtypeFromOnnx(tt.elemType ?? 0);
  if ('unsupported' in found) throw new UserError(`${what} '${name}' has element type ${found.unsupported}, which edgeprune does not support`);
  const dims = tt.shape?.dim ?? [];
  const shape: Dim[] = dims.map((d, i) => {
    // The oneof tells which field is set; an unset dimension is unknown, not 0. Some exporters write
    // an unknown dimension as -1: it stays dynamic, by that name.
    if ((d as { value?: string }).value === 'dimValue') {
      const n = toNumber(d.dimValue);
      return n < 0 ? String(n) : n;
    }
    return d.dimParam || `?${i}`;
  });
  if (!tt.shape && what === 'graph input') {
    throw new UserError(`${what} '${name}' has no shape (unknown rank)`, `give it one with --input-shape ${name}=1x3x224x224`);
  }
  // A graph output without a shape gets the one shape inference finds.
  return { name, dtype: found.dtype as DType, shape };
}

function attrFromProto(a: onnx.IAttributeProto, node: Node, source: TensorSource): AttrValue {
  const T = onnx.AttributeProto.AttributeType;
  let type = a.type ?? T.UNDEFINED;
  if (type === T.UNDEFINED) {
    // Very old writers left the type out: infer it from the field that is set.
    if (a.ints?.length) type = T.INTS;
    else if (a.floats?.length) type = T.FLOATS;
    else if (a.strings?.length) type = T.STRINGS;
    else if (a.t) type = T.TENSOR;
    else if (a.s?.length) type = T.STRING;
    else if (a.f) type = T.FLOAT;
    else type = T.INT;
  }
  const text = (b: Uint8Array) => Buffer.from(b).toString('utf8');
  const listLength = type === T.INTS ? a.ints?.length : type === T.FLOATS ? a.floats?.length : type === T.STRINGS ? a.strings?.length : undefined;
  const maxList = limits().maxListValues;
  // Constant's value lists are data; every other list attribute has a value or two per axis or output.
  if (listLength !== undefined && listLength > maxList && node.opType !== 'Constant') {
    throw new UserError(`node '${node.name}' (${node.opType}): attribute '${a.name}' lists ${countText(listLength)} values, more than the limit of ${countText(maxList)}`, 'the model is corrupt');
  }
  switch (type) {
    case T.INT: return { kind: 'int', value: toNumber(a.i) };
    case T.FLOAT: return { kind: 'float', value: a.f ?? 0 };
    case T.STRING: return { kind: 'string', value: text(a.s ?? new Uint8Array()) };
    case T.INTS: return { kind: 'ints', value: (a.ints ?? []).map(toNumber) };
    case T.FLOATS: return { kind: 'floats', value: [...(a.floats ?? [])] };
    case T.STRINGS: return { kind: 'strings', value: (a.strings ?? []).map(text) };
    case T.TENSOR:
      if (!a.t) throw new UserError(`node '${node.name}' (${node.opType}): attribute '${a.name}' is a tensor attribute without a tensor`);
      return { kind: 'tensor', value: tensorFromProto(a.t, `attribute '${a.name}' of node '${node.name}'`, source) };
    default:
      throw new UserError(
        `node '${node.name}' (${node.opType}): attribute '${a.name}' is a ${T[type] ?? type}, which edgeprune does not support (subgraphs, sparse tensors and type protos)`,
      );
  }
}

/** Names every value and node already use, to hand out fresh ones. */
class NameSource {
  private readonly used = new Set<string>();
  /** Next suffix to try per hint, so that handing out many names from one hint stays linear. */
  private readonly nextSuffix = new Map<string, number>();
  add(name: string): void {
    this.used.add(name);
  }
  has(name: string): boolean {
    return this.used.has(name);
  }
  fresh(hint: string): string {
    let name = hint;
    let i = this.nextSuffix.get(hint) ?? 1;
    while (this.used.has(name)) name = `${hint}_${i++}`;
    this.nextSuffix.set(hint, i);
    this.used.add(name);
    return name;
  }
}

/** List every unsupported op with the nodes that use it, as one error. */
function checkOpsSupported(nodes: readonly Node[], file: string): void {
  const missing = new Map<string, string[]>();
  for (const n of nodes) {
    if (findOp(n.domain, n.opType)) continue;
    const key = n.domain ? `${n.domain}.${n.opType}` : n.opType;
    const list = missing.get(key) ?? [];
    list.push(n.name);
    missing.set(key, list);
  }
  if (missing.size === 0) return;
  const lines = [...missing].map(([op, names]) => {
    const shown = names.slice(0, 5).map((x) => `'${x}'`).join(', ');
    return `${op} (node${names.length > 1 ? 's' : ''} ${shown}${names.length > 5 ? `, and ${names.length - 5} more` : ''})`;
  });
  const message = `'${file}' uses ${missing.size} unsupported op${missing.size > 1 ? 's' : ''}: ${lines.join('; ')}`;
  const scheme = quantizationSchemeRefusal(missing.keys());
  if (scheme) throw new UserError(`${message}; this is ${scheme.scheme}, a quantization scheme edgeprune does not import`, scheme.hint);
  throw new UserError(message, `supported ops: ${supportedOpNames().join(', ')}`);
}

/** Graph inputs (or outputs) need distinct, non-empty names. */
function checkDistinctNames(values: readonly ValueInfo[], what: string, file: string): void {
  const seen = new Set<string>();
  for (const v of values) {
    if (v.name === '') throw new UserError(`'${file}' has a ${what} without a name`);
    if (seen.has(v.name)) throw new UserError(`'${file}' lists ${what} '${v.name}' twice`);
    seen.add(v.name);
  }
}

/** Build the IR graph from a decoded model. Shapes are not fixed or inferred here. */
export function graphFromModel(model: onnx.ModelProto, file: string, baseDir: string): Graph {
  const opset = standardOpset(model, file);
  const gp = model.graph!;
  const g = emptyGraph(gp.name || 'model', file);
  g.meta.producer = [model.producerName, model.producerVersion].filter(Boolean).join(' ') || 'unknown';
  if (model.docString) g.meta.docString = model.docString;
  if ((model.functions?.length ?? 0) > 0) {
    const names = model.functions!.map((f) => f.name).join(', ');
    throw new UserError(`'${file}' defines model-local functions (${names}), which edgeprune does not support`, 'inline them first (onnx.inliner.inline_local_functions)');
  }
  refuseSmallFloatQuantization(gp);
  const names = new NameSource();
  const source: TensorSource = { baseDir, constants: constantBudget() };

  for (const init of gp.initializer ?? []) {
    const name = init.name ?? '';
    if (g.initializers.has(name)) throw new UserError(`'${file}' defines initializer '${name}' twice`);
    g.initializers.set(name, tensorFromProto(init, `initializer '${name}'`, source));
    names.add(name);
  }
  if ((gp.sparseInitializer?.length ?? 0) > 0) throw new UserError(`'${file}' has sparse initializers, which edgeprune does not support`);
  // Before IR version 4, initializers were also listed as graph inputs.
  g.inputs = (gp.input ?? []).filter((v) => !g.initializers.has(v.name ?? '')).map((v) => valueInfoFromProto(v, 'graph input'));
  g.outputs = (gp.output ?? []).map((v) => valueInfoFromProto(v, 'graph output'));
  checkDistinctNames(g.inputs, 'graph input', file);
  checkDistinctNames(g.outputs, 'graph output', file);
  for (const v of [...g.inputs, ...g.outputs]) names.add(v.name);

  const rawNodes = gp.node ?? [];
  for (const n of rawNodes) for (const o of [...(n.input ?? []), ...(n.output ?? [])]) if (o) names.add(o);
  const nodeNames = new NameSource();
  const nodes: Node[] = rawNodes.map((n, i) => {
    const node: Node = {
      name: n.name && !nodeNames.has(n.name) ? n.name : '',
      opType: n.opType ?? '',
      domain: canonicalDomain(n.domain),
      inputs: [...(n.input ?? [])],
      outputs: [...(n.output ?? [])],
      attrs: {},
    };
    node.name = nodeNames.fresh(node.name || `${node.opType}_${i}`);
    return node;
  });
  checkOpsSupported(nodes, file);
  rawNodes.forEach((n, i) => {
    for (const a of n.attribute ?? []) {
      const name = a.name ?? '';
      if (Object.hasOwn(nodes[i].attrs, name)) throw new UserError(`node '${nodes[i].name}' (${nodes[i].opType}) has attribute '${name}' twice`);
      // (defined, not assigned: an attribute named __proto__ stays an attribute, which the op then refuses)
      Object.defineProperty(nodes[i].attrs, name, { value: attrFromProto(a, nodes[i], source), enumerable: true, writable: true, configurable: true });
    }
  });

  const ctx: UpgradeContext = {
    addConstant(tensor: Tensor, hint: string) {
      const name = names.fresh(hint);
      g.initializers.set(name, tensor);
      return name;
    },
    uniqueName: (hint) => names.fresh(hint),
  };
  for (const node of nodes) {
    const op = findOp(node.domain, node.opType)!;
    const version = node.domain === '' ? opset : CANONICAL_OPSET;
    const replaced = op.upgrade?.(node, version, ctx);
    if (replaced) {
      for (const r of replaced) if (r !== node) r.name = nodeNames.fresh(r.name || node.name);
      g.nodes.push(...replaced);
    } else {
      g.nodes.push(node);
    }
  }
  return g;
}
