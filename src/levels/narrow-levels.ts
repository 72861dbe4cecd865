// Measured, not only predicted (issue 15 §2): a level whose count on target is over its budget is narrowed to a
// smaller uniform step (the same jointly fine-tuned weights, fewer of each group's leading channels), levels below it
// follow to stay nested, and the library is verified again until every level meets its budget or no step is left.

import { LEVEL_STEPS } from './level-widths.js';

/** One level after a verification on target. */
export interface LevelOnTarget {
  /** The share of every group's channels the level removes. */
  step: number;
  /** The cost model's count at that step (on the budget's measure). */
  predicted: number;
  /** The count on target: the largest typical count, or the verified worst-case bound (non-finite: none). */
  measured: number;
  /** The budget on the measured count. */
  limit: number;
}

export interface Narrowing {
  level: number;
  from: number;
  to: number;
  /** Why: over its budget on target, or following the level above (nesting). */
  because: string;
}

export interface NarrowDecision {
  /** Every level's step for the next verification (unchanged when nothing is narrowed). */
  steps: number[];
  narrowed: Narrowing[];
  /** Levels over their budget that no smaller step is predicted to improve (or with no count measured). */
  stuck: number[];
}

const n = (x: number) => Math.round(x).toLocaleString('en-US');

/**
 * The next steps. A level over its limit goes to the smallest larger step whose prediction, scaled by the level's
 * measured ÷ predicted, is within the limit; when none is, to the larger step predicted cheapest if it is predicted
 * below the current one (a last try); otherwise it is stuck. Each level's step is at least the one above's (nested).
 * `priced(step)` is the prediction of a step (`steps`: the steps tried, ascending).
 */
export function narrowLevels(levels: readonly LevelOnTarget[], priced: (step: number) => number, steps: readonly number[] = LEVEL_STEPS): NarrowDecision {
  const next: number[] = [];
  const narrowed: Narrowing[] = [];
  const stuck: number[] = [];
  levels.forEach((l, k) => {
    const floor = k === 0 ? 0 : next[k - 1];
    let to = Math.max(l.step, floor);
    let because = to > l.step ? `nested under level ${k - 1}` : '';
    if (l.measured > l.limit) {
      const tighter = steps.filter((s) => s > l.step && s >= floor).map((s) => ({ s, p: priced(s) }));
      const ratio = l.measured / l.predicted;
      const meets = Number.isFinite(ratio) ? tighter.find((c) => c.p * ratio <= l.limit) : undefined;
      const cheapest = tighter.reduce<{ s: number; p: number } | undefined>((a, c) => (a === undefined || c.p < a.p ? c : a), undefined);
      const chosen = meets ?? (Number.isFinite(ratio) && cheapest && cheapest.p < l.predicted ? cheapest : undefined);
      if (chosen) {
        to = Math.max(to, chosen.s);
        because = `measured ${n(l.measured)} over its budget ${n(l.limit)} (${meets ? `predicted ${n(chosen.p)} × ${ratio.toFixed(3)} measured/predicted` : 'the cheapest step left'})`;
      } else {
        stuck.push(k);
      }
    }
    next.push(to);
    if (to !== l.step) narrowed.push({ level: k, from: l.step, to, because });
  });
  return { steps: next, narrowed, stuck };
}

export interface NarrowRun<V> {
  /** The last verification (of the steps returned). */
  verification: V;
  steps: number[];
  /** Per verification after the first, the narrowing that led to it. */
  rounds: Narrowing[][];
  /** Levels still over their budget at the end. */
  missed: number[];
  /** Why the narrowing stopped with levels missed (null when every level met its budget). */
  stoppedBecause: string | null;
}

/**
 * Verify `steps`, narrow what is over budget, verify again, at most `maxRounds` more times. `verify(steps)` runs the
 * levels on target and gives, per level, the measured count; `limits` the budgets on it (fixed for the run).
 */
export async function narrowUntilMet<V>(o: {
  steps: readonly number[];
  priced: (step: number) => number;
  limits: (first: { verification: V; measured: number[] }) => Promise<number[]> | number[];
  verify: (steps: readonly number[]) => Promise<{ verification: V; measured: number[] }>;
  maxRounds: number;
  log?: (line: string) => void;
}): Promise<NarrowRun<V>> {
  let steps = [...o.steps];
  let run = await o.verify(steps);
  const limits = await o.limits(run);
  const rounds: Narrowing[][] = [];
  for (;;) {
    const over = run.measured.map((m, k) => (m > limits[k] ? k : -1)).filter((k) => k >= 0);
    if (over.length === 0) return { verification: run.verification, steps, rounds, missed: [], stoppedBecause: null };
    const decision = narrowLevels(steps.map((step, k) => ({ step, predicted: o.priced(step), measured: run.measured[k], limit: limits[k] })), o.priced);
    const moved = decision.narrowed.filter((c) => over.includes(c.level));
    if (moved.length === 0) return { verification: run.verification, steps, rounds, missed: over, stoppedBecause: `no smaller step is predicted to bring level${over.length > 1 ? 's' : ''} ${over.join(', ')} within budget` };
    if (rounds.length >= o.maxRounds) return { verification: run.verification, steps, rounds, missed: over, stoppedBecause: `${o.maxRounds} narrowings tried, the most a build makes` };
    for (const c of decision.narrowed) o.log?.(`level ${c.level}: removing ${Math.round(c.to * 100)}% instead of ${Math.round(c.from * 100)}% (${c.because})`);
    rounds.push(decision.narrowed);
    steps = decision.steps;
    run = await o.verify(steps);
  }
}
