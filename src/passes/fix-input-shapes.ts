// Replace dynamic graph-input dimensions by the user's --input-shape values, a dynamic batch by 1; refuse what
// stays dynamic, and input shapes past the tensor limits.

import { UserError } from '../errors.js';
import { cloneGraph, dimsToString, isStaticShape, type Dim, type Graph, type ValueInfo } from '../ir/graph.js';
import { checkTensorShape } from '../ir/limits.js';
import type { Pass } from './pass.js';

/** Shapes by input name; the key '' applies to a model's only input. */
export type InputShapes = Record<string, number[]>;

function suggestion(name: string, shape: readonly Dim[]): string {
  return `${name}=${shape.map((d) => (typeof d === 'number' ? d : 1)).join('x')}`;
}

/** A dimension the model leaves open: symbolic ('N', or -1 as some exporters write it), or a 0 batch. */
function isDynamic(d: Dim, axis: number): boolean {
  return typeof d === 'string' || (axis === 0 && d === 0);
}

/** Set a dynamic leading (batch) dimension to 1; returns the notice to give, or undefined. */
function defaultBatch(v: ValueInfo): string | undefined {
  if (v.shape.length === 0 || !isDynamic(v.shape[0], 0)) return undefined;
  const declared = v.shape[0];
  v.shape = [1, ...v.shape.slice(1)];
  return `input '${v.name}' has a dynamic batch dimension '${declared}': using 1 (set it with --input-shape ${suggestion(v.name, v.shape)})`;
}

/**
 * The pass. `onNotice` hears one line per input whose dynamic batch dimension was set to 1; other
 * dynamic dimensions need `overrides` (--input-shape).
 */
export function fixInputShapes(overrides: InputShapes = {}, onNotice: (text: string) => void = () => {}): Pass {
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
      const notices: string[] = [];
      for (const v of g.inputs) {
        const want = given[v.name];
        if (want) {
          if (want.length !== v.shape.length) {
            throw new UserError(`--input-shape ${v.name}=${want.join('x')} has rank ${want.length}, but the model's input has rank ${v.shape.length} (${dimsToString(v.shape)})`);
          }
          want.forEach((d, i) => {
            const declared = v.shape[i];
            if (!isDynamic(declared, i) && declared !== d) {
              throw new UserError(`--input-shape ${v.name}=${want.join('x')} changes dimension ${i} from ${declared} to ${d}; only dynamic dimensions can be set`);
            }
          });
          v.shape = [...want];
          changed = true;
        }
        const declared = dimsToString(v.shape);
        // (a shape the user gave is taken as given, a 0 batch included)
        const notice = want ? undefined : defaultBatch(v);
        if (notice) {
          notices.push(notice);
          changed = true;
        }
        if (!isStaticShape(v.shape)) dynamic.push(`'${v.name}' (${declared})`);
      }
      if (dynamic.length) {
        const fixes = g.inputs.filter((v) => !isStaticShape(v.shape)).map((v) => `--input-shape ${suggestion(v.name, v.shape)}`);
        throw new UserError(`the model has dynamic input dimensions: ${dynamic.join(', ')}; edgeprune needs static shapes`, `fix them, e.g. ${fixes.join(' ')}`);
      }
      for (const v of g.inputs) checkTensorShape(v.shape, v.dtype, `graph input '${v.name}'`);
      notices.forEach((n) => onNotice(n));
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
