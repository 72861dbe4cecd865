// Replace dynamic graph-input dimensions by the user's --input-shape values; refuse what stays dynamic.

import { UserError } from '../errors.js';
import { cloneGraph, dimsToString, isStaticShape, type Dim, type Graph } from '../ir/graph.js';
import type { Pass } from './pass.js';

/** Shapes by input name; the key '' applies to a model's only input. */
export type InputShapes = Record<string, number[]>;

function suggestion(name: string, shape: readonly Dim[]): string {
  return `${name}=${shape.map((d) => (typeof d === 'number' ? d : 1)).join('x')}`;
}

export function fixInputShapes(overrides: InputShapes = {}): Pass {
  return {
    name: 'fix-input-shapes',
    run(input: Graph) {
      const g = cloneGraph(input);
      const known = new Set(g.inputs.map((v) => v.name));
      const given = { ...overrides };
      if ('' in given) {
        if (g.inputs.length !== 1) {
          throw new UserError(
            `--input-shape without a name needs a model with one input; this one has ${g.inputs.length} (${[...known].join(', ')})`,
            'write --input-shape name=1x3x224x224',
          );
        }
        given[g.inputs[0].name] = given[''];
        delete given[''];
      }
      for (const name of Object.keys(given)) {
        if (!known.has(name)) throw new UserError(`--input-shape names '${name}', which is not a model input (inputs: ${[...known].join(', ')})`);
      }
      let changed = false;
      const dynamic: string[] = [];
      for (const v of g.inputs) {
        const want = given[v.name];
        if (want) {
          if (want.length !== v.shape.length) {
            throw new UserError(`--input-shape ${v.name}=${want.join('x')} has rank ${want.length}, but the model's input has rank ${v.shape.length} (${dimsToString(v.shape)})`);
          }
          want.forEach((d, i) => {
            const declared = v.shape[i];
            if (typeof declared === 'number' && declared !== d) {
              throw new UserError(`--input-shape ${v.name}=${want.join('x')} changes dimension ${i} from ${declared} to ${d}; only dynamic dimensions can be set`);
            }
          });
          v.shape = [...want];
          changed = true;
        }
        if (!isStaticShape(v.shape)) dynamic.push(`'${v.name}' (${dimsToString(v.shape)})`);
      }
      if (dynamic.length) {
        const fixes = g.inputs.filter((v) => !isStaticShape(v.shape)).map((v) => `--input-shape ${suggestion(v.name, v.shape)}`);
        throw new UserError(`the model has dynamic input dimensions: ${dynamic.join(', ')}; edgeprune needs static shapes`, `fix them, e.g. ${fixes.join(' ')}`);
      }
      return { graph: g, changed };
    },
  };
}

/** Parse "name=1x3x224x224" (or "1x3x224x224" for a one-input model) into InputShapes entries. */
export function parseInputShape(text: string, into: InputShapes = {}): InputShapes {
  const eq = text.lastIndexOf('=');
  const name = eq >= 0 ? text.slice(0, eq) : '';
  const dims = (eq >= 0 ? text.slice(eq + 1) : text).split(/[x,]/).map((d) => d.trim());
  const nums = dims.map(Number);
  if (dims.length === 0 || dims.some((d) => d === '') || nums.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new UserError(`--input-shape '${text}' is not of the form name=1x3x224x224 (non-negative integers joined by x)`);
  }
  into[name] = nums;
  return into;
}
