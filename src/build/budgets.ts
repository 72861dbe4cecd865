// Budgets of a build: latency (as instructions), RAM and flash limits, and how far a cost is from them.

import { UserError } from '../errors.js';
import type { McuTarget } from '../targets/schema.js';

/** instructionsWorstCase: the worst-case bound (src/cost/worst-case.ts), not the count of the vectors that ran. */
export type BudgetName = 'instructions' | 'instructionsWorstCase' | 'ramBytes' | 'flashBytes';

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
  /** A hard deadline: the worst-case bound must fit it (instructions at the target's clock and cycles per instruction). */
  deadlineMs?: number;
  maxInstructionsWorstCase?: number;
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
  // A budget that rounds down to nothing (e.g. --latency-ms 1e-9, --ram-kb 0.0001) would send the search after a
  // model no search can reach: refused here, before any work, with the smallest value that means something.
  const instructionMs = (1000 * target.cyclesPerInstruction) / target.clockHz;
  const atLeastOne = (limit: number, flag: string, v: number, unit: 'instructions' | 'worst-case instructions' | 'bytes') => {
    if (limit >= 1) return;
    const at = unit === 'bytes' ? '' : ` on ${target.name} (${target.clockHz / 1e6} MHz, ${target.cyclesPerInstruction} cycles/instruction)`;
    const smallest = unit === 'bytes' ? `${1 / 1024} (one byte)` : flag.endsWith('-ms') ? `${instructionMs.toPrecision(3)} (one instruction)` : '1';
    throw new UserError(`${flag} ${v} is ${limit} ${unit}${at}: no model fits a budget of nothing`, `give ${flag} at least ${smallest}, or a budget the model can meet`);
  };
  if (o.latencyMs !== undefined) {
    positive(o.latencyMs, '--latency-ms');
    // The instruction count that takes this long at the target's clock and cycles-per-instruction estimate.
    const limit = Math.floor((o.latencyMs * target.clockHz) / (1000 * target.cyclesPerInstruction) + 1e-6);
    atLeastOne(limit, '--latency-ms', o.latencyMs, 'instructions');
    budgets.push({ name: 'instructions', limit, givenAs: `--latency-ms ${o.latencyMs} (≈ ${limit.toLocaleString('en-US')} instructions, estimate)` });
  }
  if (o.maxInstructions !== undefined) {
    positive(o.maxInstructions, '--max-instructions');
    atLeastOne(Math.floor(o.maxInstructions), '--max-instructions', o.maxInstructions, 'instructions');
    budgets.push({ name: 'instructions', limit: Math.floor(o.maxInstructions), givenAs: `--max-instructions ${o.maxInstructions}` });
  }
  if (o.deadlineMs !== undefined && o.maxInstructionsWorstCase !== undefined) {
    throw new UserError('give either --deadline-ms or --max-instructions-worst-case, not both');
  }
  if (o.deadlineMs !== undefined) {
    positive(o.deadlineMs, '--deadline-ms');
    const limit = Math.floor((o.deadlineMs * target.clockHz) / (1000 * target.cyclesPerInstruction) + 1e-6);
    atLeastOne(limit, '--deadline-ms', o.deadlineMs, 'worst-case instructions');
    budgets.push({ name: 'instructionsWorstCase', limit, givenAs: `--deadline-ms ${o.deadlineMs} (≈ ${limit.toLocaleString('en-US')} worst-case instructions at ${target.clockHz / 1e6} MHz, ${target.cyclesPerInstruction} cycles/instruction, estimate)` });
  }
  if (o.maxInstructionsWorstCase !== undefined) {
    positive(o.maxInstructionsWorstCase, '--max-instructions-worst-case');
    atLeastOne(Math.floor(o.maxInstructionsWorstCase), '--max-instructions-worst-case', o.maxInstructionsWorstCase, 'worst-case instructions');
    budgets.push({ name: 'instructionsWorstCase', limit: Math.floor(o.maxInstructionsWorstCase), givenAs: `--max-instructions-worst-case ${o.maxInstructionsWorstCase}` });
  }
  if (o.ramKb !== undefined) {
    positive(o.ramKb, '--ram-kb');
    atLeastOne(Math.floor(o.ramKb * 1024), '--ram-kb', o.ramKb, 'bytes');
    budgets.push({ name: 'ramBytes', limit: Math.floor(o.ramKb * 1024), givenAs: `--ram-kb ${o.ramKb}` });
  }
  if (o.flashKb !== undefined) {
    positive(o.flashKb, '--flash-kb');
    atLeastOne(Math.floor(o.flashKb * 1024), '--flash-kb', o.flashKb, 'bytes');
    budgets.push({ name: 'flashBytes', limit: Math.floor(o.flashKb * 1024), givenAs: `--flash-kb ${o.flashKb}` });
  }
  if (budgets.length === 0) throw new UserError('no budget given', 'give --latency-ms or --max-instructions, --deadline-ms or --max-instructions-worst-case, and/or --ram-kb, --flash-kb');
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

/**
 * The search's internal limits tightened where the design measured over the budget given (the search goes on against
 * them): that budget's limit × predicted ÷ measured, less 1%. `given` defaults to the internal limits themselves; a
 * build whose internal limits were aimed from the dense model's measurement (aimedLimits) passes the user's.
 */
export function tightened<N extends string>(internal: Budget<N>[], predicted: Costs<N>, measured: Costs<N>, given: Budget<N>[] = internal): Budget<N>[] {
  return internal.map((b) => {
    const limit = given.find((g) => g.name === b.name)?.limit ?? b.limit;
    if (measured[b.name] <= limit) return b;
    const ratio = predicted[b.name] / measured[b.name];
    return { ...b, limit: Math.floor(limit * ratio * 0.99) };
  });
}

/**
 * The instruction limit the search aims at, from the cost model's error on the dense model measured in the emulator:
 * the limit × predicted ÷ measured, where they differ by more than 1% (a model predicted 6% high is searched against a
 * limit 6% higher, instead of being pruned 6% further than the budget needs). RAM and flash, whose predictions come from
 * the memory plan and the section sizes, keep their limits. The firmware is measured after the search as always, and
 * a limit missed there tightens (tightened, against the budget given).
 */
export function aimedLimits<N extends string>(budgets: Budget<N>[], predicted: Costs<N>, measured: Costs<N>): Budget<N>[] {
  return budgets.map((b) => {
    const p = predicted[b.name];
    const m = measured[b.name];
    const known = p > 0 && m > 0 && Number.isFinite(p) && Number.isFinite(m);
    if (b.name !== 'instructions' || !known || Math.abs(p / m - 1) <= 0.01) return b;
    return { ...b, limit: Math.floor((b.limit * p) / m) };
  });
}

export const BUDGET_LABELS: Record<BudgetName, string> = {
  instructions: 'instructions per inference',
  instructionsWorstCase: 'worst-case instructions per inference (bound)',
  ramBytes: 'RAM (bytes)',
  flashBytes: 'flash (bytes)',
};
