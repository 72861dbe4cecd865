// Opset upgrades shared by the shape ops: attributes of older opsets that later became constant inputs.

import { nodeError } from '../../errors.js';
import type { Node } from '../../ir/graph.js';
import type { UpgradeContext } from '../op-def.js';
import { int64Tensor } from './tensor-ints.js';

/** Put `name` at input position `index`, marking skipped optional inputs before it as omitted (''). */
export function setInput(node: Node, index: number, name: string): void {
  while (node.inputs.length < index) node.inputs.push('');
  node.inputs[index] = name;
}

/**
 * Move an integer-list attribute to a constant int64 input at `index` and delete the attribute.
 * Returns whether the attribute was present. `hint` names the new constant (default: the attribute).
 */
export function moveIntsAttrToInput(node: Node, attr: string, index: number, ctx: UpgradeContext, hint = attr): boolean {
  const a = node.attrs[attr];
  if (a === undefined) return false;
  if (a.kind !== 'ints') throw nodeError(node, `attribute '${attr}' has type ${a.kind}, expected ints`);
  delete node.attrs[attr];
  setInput(node, index, ctx.addConstant(int64Tensor(a.value), `${node.name}_${hint}`));
  return true;
}
