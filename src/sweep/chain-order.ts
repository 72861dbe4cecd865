// Which sweep build takes a free worker first: the one whose chain (a target and precision's budgets, tightest first)
// has the most work left by what is known before it runs, so that the long chains start early and the sweep does not
// end with one long chain running alone on one worker. Only the order changes: every job and every reuse is the same.

/**
 * `longest-chain-first` (what sweep runs): the waiting build whose chain has the most expected work left;
 * `first-come`: the order the builds asked for a worker (the schedule before; bench/sweep-schedule.ts compares them).
 */
export type SweepSchedule = 'longest-chain-first' | 'first-come';

/** A build the dense model meets by the cost model is compiled and measured, no search: this share of a searched one. */
const MEASURE_ONLY = 0.2;

/**
 * Above this predicted dense cost over the budget, a search is expected to run out of iterations without meeting the
 * budget, so the chain's next (looser) budget is expected to run too; at or below it, to be met and reused by the rest.
 */
const EXPECTED_REACH = 2;

/**
 * The expected work left in a chain, in searched builds, from the cost model's dense cost over the budget of each of its
 * remaining waves (tightest first; `worstRatio`, ≤ 1 when the dense model meets it): each wave's build is counted (a
 * search as 1, a measurement only as MEASURE_ONLY) up to the first one expected to be met, whose result the looser
 * budgets would reuse.
 */
export function expectedChainWork(ratios: readonly number[]): number {
  let work = 0;
  for (const r of ratios) {
    work += r <= 1 ? MEASURE_ONLY : 1;
    if (!(r > EXPECTED_REACH)) break;
  }
  return work;
}
