// Budgets of a build: latency (as instructions), RAM and flash limits, and how far a cost is from them.

import { UserError } from '../errors.js';
import type { McuTarget } from '../targets/schema.js';

export type BudgetName = 'instructions' | 'ramBytes' | 'flashBytes';

/** A limit on one cost (N: the cost names of the build: the MCU's here, the FPGA's in fpga/fpga-budgets.ts). */
export interface Budget<N extends string = BudgetName> {
  name: N;
  limit: number;
  /** How the user gave it, for reports (e.g. "--latency-ms 2"). */
  givenAs: string;
}

export interface BudgetOptions {
  latencyMs?: number;
  maxInstructions?: number;
  ramKb?: number;
  flashKb?: number;
}

/** The figures budgets are checked against (predicted by the cost model, or measured in QEMU). */
export type Costs<N extends string = BudgetName> = Record<N, number>;

export function parseBudgets(o: BudgetOptions, target: McuTarget): Budget[] {
  const budgets: Budget[] = [];
  if (o.latencyMs !== undefined && o.maxInstructions !== undefined) {
    throw new UserError('give either --latency-ms or --max-instructions, not both');
  }
  const positive = (v: number, flag: string) => {
    if (!(v > 0) || !Number.isFinite(v)) throw new UserError(`${flag} must be a positive number, got ${v}`);
  };
  if (o.latencyMs !== undefined) {
    positive(o.latencyMs, '--latency-ms');
    // The instruction count that takes this long at the target's clock and cycles-per-instruction estimate.
    const limit = Math.floor((o.latencyMs * target.clockHz) / (1000 * target.cyclesPerInstruction) + 1e-6);
    budgets.push({ name: 'instructions', limit, givenAs: `--latency-ms ${o.latencyMs} (≈ ${limit.toLocaleString('en-US')} instructions, estimate)` });
  }
  if (o.maxInstructions !== undefined) {
    positive(o.maxInstructions, '--max-instructions');
    budgets.push({ name: 'instructions', limit: Math.floor(o.maxInstructions), givenAs: `--max-instructions ${o.maxInstructions}` });
  }
  if (o.ramKb !== undefined) {
    positive(o.ramKb, '--ram-kb');
    budgets.push({ name: 'ramBytes', limit: Math.floor(o.ramKb * 1024), givenAs: `--ram-kb ${o.ramKb}` });
  }
  if (o.flashKb !== undefined) {
    positive(o.flashKb, '--flash-kb');
    budgets.push({ name: 'flashBytes', limit: Math.floor(o.flashKb * 1024), givenAs: `--flash-kb ${o.flashKb}` });
  }
  if (budgets.length === 0) throw new UserError('no budget given', 'give --latency-ms or --max-instructions, and/or --ram-kb, --flash-kb');
  return budgets;
}

/** cost / limit of the most violated budget (≤ 1 when every budget holds). */
/** cost / limit; a limit of 0 (e.g. --max-dsps 0) is met by 0 alone. */
const budgetRatio = (cost: number, limit: number) => (limit > 0 ? cost / limit : cost > 0 ? Infinity : 0);

export function worstRatio<N extends string>(budgets: readonly Budget<N>[], costs: Costs<N>): { budget: Budget<N>; ratio: number } {
  let worst = { budget: budgets[0], ratio: budgetRatio(costs[budgets[0].name], budgets[0].limit) };
  for (const b of budgets) {
    const ratio = budgetRatio(costs[b.name], b.limit);
    if (ratio > worst.ratio) worst = { budget: b, ratio };
  }
  return worst;
}

export function allHold<N extends string>(budgets: readonly Budget<N>[], costs: Costs<N>): boolean {
  return budgets.every((b) => costs[b.name] <= b.limit);
}

/** Budgets tightened where the design measured more than the model predicted (the search goes on against them). */
export function tightened<N extends string>(budgets: Budget<N>[], predicted: Costs<N>, measured: Costs<N>): Budget<N>[] {
  return budgets.map((b) => {
    if (measured[b.name] <= b.limit) return b;
    const ratio = predicted[b.name] / measured[b.name];
    return { ...b, limit: Math.floor(b.limit * ratio * 0.99) };
  });
}

export const BUDGET_LABELS: Record<BudgetName, string> = {
  instructions: 'instructions per inference',
  ramBytes: 'RAM (bytes)',
  flashBytes: 'flash (bytes)',
};
