// Budgets of an FPGA build: latency in cycles (or µs at the board clock), LUTs, DSP blocks and block RAMs, plus the
// device's own capacity, which every design must fit whether or not the user gave a resource budget.

import { UserError } from '../../errors.js';
import type { FpgaTarget } from '../../targets/schema.js';
import type { Budget, Costs } from '../budgets.js';

export type FpgaBudgetName = 'latencyCycles' | 'luts' | 'logicCells' | 'dsps' | 'brams';
export type FpgaBudget = Budget<FpgaBudgetName>;
export type FpgaCosts = Costs<FpgaBudgetName>;

export interface FpgaBudgetOptions {
  latencyCycles?: number;
  latencyUs?: number;
  maxLuts?: number;
  maxDsps?: number;
  maxBrams?: number;
}

export const FPGA_BUDGET_LABELS: Record<FpgaBudgetName, string> = {
  latencyCycles: 'latency (cycles)',
  luts: 'LUTs',
  logicCells: 'logic cells (LUT4 + flip-flop)',
  dsps: 'DSP blocks',
  brams: 'block RAMs',
};

/** What the resource figures count on a target: the core alone (xc7, synthesis only), or the placed board top (iCE40). */
export function resourceScope(target: FpgaTarget): 'core' | 'board top (core + UART)' {
  return target.pnr ? 'board top (core + UART)' : 'core';
}

/**
 * The share of an iCE40's logic cells a design may take: nextpnr-ice40 gives up near full (a digits MLP at 5,026 of
 * 5,280 cells, 95%, found no legal placement; 4,286, 81%, placed and routed).
 */
export const PLACEABLE_CELLS = 0.9;

/** The device's capacity as budgets (a design that does not fit cannot be built, whatever the user asked). */
export function deviceBudgets(target: FpgaTarget): FpgaBudget[] {
  const r = target.resources;
  const kind = r.dspKind ?? 'DSP';
  // An iCE40 logic cell holds one LUT4 and one flip-flop, and nextpnr places cells: what must fit is the cell count,
  // with room for the placer (PLACEABLE_CELLS).
  const cells = Math.floor(r.luts * PLACEABLE_CELLS);
  const logic: FpgaBudget = target.family === 'ice40'
    ? { name: 'logicCells', limit: cells, givenAs: `the device (${target.name}: ${(PLACEABLE_CELLS * 100).toFixed(0)}% of its ${r.luts.toLocaleString('en-US')} logic cells)` }
    : { name: 'luts', limit: r.luts, givenAs: `the device (${target.name}: ${r.luts.toLocaleString('en-US')} LUT${r.lutInputs})` };
  return [
    logic,
    { name: 'dsps', limit: r.dsps, givenAs: `the device (${target.name}: ${r.dsps} ${kind})` },
    { name: 'brams', limit: r.brams, givenAs: `the device (${target.name}: ${r.brams} block RAMs)` },
  ];
}

/** The user's budgets, then the device's where the user gave none tighter. */
export function parseFpgaBudgets(o: FpgaBudgetOptions, target: FpgaTarget): FpgaBudget[] {
  if (o.latencyCycles !== undefined && o.latencyUs !== undefined) throw new UserError('give either --latency-cycles or --latency-us, not both');
  const budgets: FpgaBudget[] = [];
  if (o.latencyCycles !== undefined) budgets.push({ name: 'latencyCycles', limit: Math.floor(o.latencyCycles), givenAs: `--latency-cycles ${o.latencyCycles}` });
  if (o.latencyUs !== undefined) {
    const mhz = target.clockHz / 1e6;
    const limit = Math.floor(o.latencyUs * mhz + 1e-6);
    if (limit < 1) throw new UserError(`--latency-us ${o.latencyUs} is less than one cycle of ${target.name}'s ${mhz} MHz board clock`);
    budgets.push({ name: 'latencyCycles', limit, givenAs: `--latency-us ${o.latencyUs} (${limit.toLocaleString('en-US')} cycles at the ${mhz} MHz board clock)` });
  }
  const resource = (name: FpgaBudgetName, v: number | undefined, flag: string) => {
    if (v !== undefined) budgets.push({ name, limit: Math.floor(v), givenAs: `${flag} ${v}` });
  };
  resource('luts', o.maxLuts, '--max-luts');
  resource('dsps', o.maxDsps, '--max-dsps');
  resource('brams', o.maxBrams, '--max-brams');
  if (budgets.length === 0) throw new UserError('no budget given', 'give --latency-cycles or --latency-us, and/or --max-luts, --max-dsps, --max-brams');
  for (const d of deviceBudgets(target)) {
    if (!budgets.some((b) => b.name === d.name && b.limit <= d.limit)) budgets.push(d);
  }
  return budgets;
}
