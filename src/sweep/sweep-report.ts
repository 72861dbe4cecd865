// sweep.json: one entry per combination (built, reused from a tighter one, or failed), the dense model's accuracy,
// and the cheapest board meeting each budget. Deterministic: same inputs, same bytes, apart from `wallSeconds`.

import type { Precision } from '../analysis/model-precision.js';
import type { McuTarget } from '../targets/schema.js';
import { compareStrings } from '../util/compare.js';
import type { SmallestReached, SweepMeasured } from './sweep-build-kind.js';
import type { SweepBudget } from './combinations.js';

export interface SweepEntry {
  name: string;
  target: string;
  precision: Precision;
  budget: SweepBudget;
  /** `budgetName` of the budget: the key the cheapest-board summary groups by. */
  budgetKey: string;
  budgetText: string;
  /** built: a job ran it; reused: a tighter met result already meets it; failed: its job threw (our bug, a crash). */
  status: 'built' | 'reused' | 'failed';
  /** The job (null when reused). */
  job: string | null;
  reusedFrom: string | null;
  /** How the search went: skipped because the cost model has the dense model meeting the budget, or run. */
  search: 'dense model meets the budget (cost model): compiled and measured without a search' | 'searched';
  /** Met every budget and the accuracy limit, as measured (null: failed). */
  met: boolean | null;
  failed: string[];
  measured: SweepMeasured | null;
  accuracy: { final: number; dropPoints: number } | null;
  smallestReached: SmallestReached[];
  iterations: number | null;
  stoppedBecause: string | null;
  /** The build's folder, relative to the sweep's (the reused one's when reused). */
  output: string | null;
  error: string | null;
}

export interface CheapestLine {
  budgetKey: string;
  budgetText: string;
  /** The cheapest met combination, or null when no target met the budget. */
  target: string | null;
  name: string | null;
  precision: Precision | null;
  accuracy: number | null;
}

export interface SweepReport {
  model: { name: string; sha256: string };
  data: { name: string; sha256: string };
  dense: { testAccuracy: number };
  targets: string[];
  combinations: SweepEntry[];
  cheapestRule: string;
  cheapest: CheapestLine[];
  /** Seconds each job took in its worker (what differs between identical sweeps; drop it to compare). */
  wallSeconds: Record<string, number>;
}

export const CHEAPEST_RULE =
  'cheapest = the board with the smallest flash + RAM that meets the budget, then the slowest clock (there is no price data); at that board, the most accurate met precision';

/** The cheapest board meeting each budget (CHEAPEST_RULE), budgets in the order of the sweep. */
export function cheapestPerBudget(entries: SweepEntry[], targets: McuTarget[]): CheapestLine[] {
  const byName = new Map(targets.map((t) => [t.name, t]));
  const size = (t: string) => byName.get(t)!.flash.bytes + byName.get(t)!.ram.bytes;
  const clock = (t: string) => byName.get(t)!.clockHz;
  const keys: { key: string; text: string }[] = [];
  for (const e of entries) if (!keys.some((k) => k.key === e.budgetKey)) keys.push({ key: e.budgetKey, text: e.budgetText });
  return keys.map(({ key, text }) => {
    const met = entries.filter((e) => e.budgetKey === key && e.met === true && e.accuracy !== null);
    met.sort((a, b) => size(a.target) - size(b.target) || clock(a.target) - clock(b.target) || compareStrings(a.target, b.target) || b.accuracy!.final - a.accuracy!.final || compareStrings(a.precision, b.precision));
    const best = met[0];
    return best
      ? { budgetKey: key, budgetText: text, target: best.target, name: best.name, precision: best.precision, accuracy: best.accuracy!.final }
      : { budgetKey: key, budgetText: text, target: null, name: null, precision: null, accuracy: null };
  });
}

/** The summary line: the cheapest board per budget. */
export function cheapestSummary(lines: CheapestLine[]): string {
  const parts = lines.map((l) => (l.target === null ? `${l.budgetText}: no target meets it` : `${l.budgetText}: ${l.target} (${l.precision}, ${(l.accuracy! * 100).toFixed(2)}% test accuracy)`));
  return `cheapest board meeting each budget (smallest flash + RAM, then slowest clock; no price data): ${parts.join('; ')}`;
}

/** sweep.json's text: two-space indented, keys in the order the report is built in. */
export function sweepJson(report: SweepReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
