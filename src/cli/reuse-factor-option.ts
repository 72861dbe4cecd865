// --reuse-factor and --multipliers of the FPGA commands. --reuse-factor: one number for every layer, and/or node=number for one layer
// ("1", "8,fc3=10"), checked against the model's layers; each lowering checks the values it can build.

import type { MultiplierMapping } from '../emit/verilog/fpga-project.js';
import { UserError } from '../errors.js';
import type { Graph } from '../ir/graph.js';
import { terminalName } from '../util/escape.js';

/** The layers a reuse factor applies to: the int8 ops with weights. */
const WEIGHTED = new Set(['Int8Gemm', 'Int8Conv']);

export interface ReuseFactorSpec {
  /** For every layer not named. */
  all?: number;
  byNode: Record<string, number>;
}

function positive(text: string, what: string): number {
  if (!/^[1-9][0-9]{0,8}$/.test(text)) throw new UserError(`--reuse-factor: ${what} must be a whole number ≥ 1, got '${text}'`, 'e.g. --reuse-factor 1 or --reuse-factor 64,fc3=10');
  return Number(text);
}

/** Commander parser: "N", "node=N" or a comma-separated list of those. */
export function parseReuseFactor(value: string): ReuseFactorSpec {
  const spec: ReuseFactorSpec = { byNode: {} };
  for (const entry of value.split(',')) {
    const eq = entry.lastIndexOf('=');
    if (eq < 0) {
      if (spec.all !== undefined) throw new UserError(`--reuse-factor gives two factors for every layer ('${spec.all}' and '${entry}')`, 'give one number, then node=number for the exceptions');
      spec.all = positive(entry, 'the factor');
    } else {
      spec.byNode[entry.slice(0, eq)] = positive(entry.slice(eq + 1), `the factor of '${entry.slice(0, eq)}'`);
    }
  }
  return spec;
}

/** The reuse factor of every weighted layer of `g` (1 where the spec says nothing). */
export function reuseFactorsFor(g: Graph, spec: ReuseFactorSpec | undefined): Record<string, number> {
  const layers = g.nodes.filter((n) => WEIGHTED.has(n.opType)).map((n) => n.name);
  for (const name of Object.keys(spec?.byNode ?? {})) {
    if (!layers.includes(name)) {
      throw new UserError(`--reuse-factor names '${terminalName(name)}', which is not a layer with weights of the model`, `its layers: ${layers.map(terminalName).join(', ') || 'none'}`);
    }
  }
  return Object.fromEntries(layers.map((name) => [name, spec?.byNode[name] ?? spec?.all ?? 1]));
}

/** Commander parser of --multipliers: dsp, lut or auto. */
export function parseMultiplierMapping(value: string): MultiplierMapping {
  if (value !== 'dsp' && value !== 'lut' && value !== 'auto') throw new UserError(`--multipliers must be dsp, lut or auto, got '${value}'`);
  return value;
}
