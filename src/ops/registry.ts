// Lookup of operator definitions by domain and type; the list of ops lives in ops/index.ts.

import type { Node } from '../ir/graph.js';
import type { OpDef } from './op-def.js';
import { ALL_OPS } from './index.js';
import { compareStrings } from '../util/compare.js';

/** ONNX writes the standard domain as '' or 'ai.onnx'. */
export function canonicalDomain(domain: string | null | undefined): string {
  return !domain || domain === 'ai.onnx' ? '' : domain;
}

const key = (domain: string, opType: string) => `${canonicalDomain(domain)}::${opType}`;

const REGISTRY = new Map<string, OpDef<any>>(); // eslint-disable-line @typescript-eslint/no-explicit-any
for (const op of ALL_OPS) {
  const k = key(op.domain, op.opType);
  if (REGISTRY.has(k)) throw new Error(`operator ${k} is defined twice`);
  REGISTRY.set(k, op);
}

export function findOp(domain: string, opType: string): OpDef<unknown> | undefined {
  return REGISTRY.get(key(domain, opType));
}

export function opFor(node: Node): OpDef<unknown> {
  const op = findOp(node.domain, node.opType);
  if (!op) throw new Error(`no operator definition for ${node.domain ? node.domain + '.' : ''}${node.opType}`);
  return op;
}

/** Names of every supported op, standard domain first, for error messages and docs. */
export function supportedOpNames(): string[] {
  return [...REGISTRY.values()]
    .map((op) => (op.domain ? `${op.domain}.${op.opType}` : op.opType))
    .sort((a, b) => Number(a.includes('.')) - Number(b.includes('.')) || compareStrings(a, b));
}
