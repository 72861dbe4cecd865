// The recovery policy shared by build's budget search and prune's progressive loop: when every proposal of an
// iteration drops too much, (a) fine-tune longer, (b) retry at smaller steps, (c) try joint proposals, (d) only
// then stop, saying what was tried and the best drop reached.

import { comparableScore } from '../data/metrics.js';

/** A proposal that was fine-tuned briefly and scored on the validation split. */
export interface Tried<C> {
  candidate: C;
  description: string;
  validation: number;
}

export interface RecoveryOptions {
  /** Largest accepted drop, in points of the reference validation score. */
  maxDrop: number;
  /** (a) Extra fine-tuning rounds the best proposal gets. */
  recoveryRounds: number;
  /** (b) Times the step is halved, at most. */
  halvings: number;
  /**
   * (d') Before stopping: a larger drop that may still be accepted (build's drop reserve: `maxDrop` is then the
   * allowance less its reserve). The caller's choice among every proposal tried within it, retuned ones included.
   */
  fallbackDrop?: number;
}

export interface RecoveryHooks<C> {
  /**
   * Propose at `scale` × the full step, fine-tune each proposal briefly and score it. An empty list at a smaller
   * scale means the step cannot get smaller (below its floor, or no different from a larger one already tried).
   */
  propose(scale: number): Promise<Tried<C>[]>;
  /** Points lost from the reference validation score (NaN scores: +Infinity). */
  drop(validation: number): number;
  /** The proposal to keep among those tried (the caller's preference); called with a non-empty list. */
  choose(tried: Tried<C>[]): Tried<C>;
  /** (a) One more round of fine-tuning of a tried proposal. */
  retune?(t: Tried<C>, round: number): Promise<Tried<C>>;
  /** (a) Fine-tune the current model longer (it stays the current model if it does not score worse); what was done, or null when nothing was. */
  recoverCurrent?(): Promise<string | null>;
  /** (c) Structural and weight reduction in one step, at most `scale` of the step each from different layers. */
  joint?(): Promise<Tried<C>[]>;
}

export type RecoveryStage = 'first' | 'recovery' | 'recovered current' | 'smaller step' | 'joint' | 'beyond the reserve';

export interface RecoveryOutcome<C> {
  /** The proposal within the drop, or null when none was found. */
  accepted: Tried<C> | null;
  /** The stage that found it. */
  stage: RecoveryStage | null;
  /** The step scale the accepted proposal was made at (1: the full step). */
  scale: number;
  /** The lowest drop any proposal reached, and which. */
  best: Tried<C> | null;
  bestDrop: number;
  /** What was tried beyond the first proposals, for the stop message ('2 more fine-tuning rounds of the best proposal', ...). */
  tried: string[];
  /** Set when nothing was accepted: what was tried and the best drop reached. */
  stopText: string | null;
}

/** A model's validation score and, when the trainer gives it, its validation loss. */
export interface Assessed {
  validation: number;
  loss?: number;
}

/**
 * Whether the longer fine-tune of the current model (recovery a) is kept. Never when it drops more than --max-drop
 * from the reference (`withinDrop` false: every proposal from it would be refused). Else when its score did not fall,
 * or when its validation loss fell (both losses known) and it lost at most one sample of the split (`samples`): a
 * one-sample dip is noise on a few hundred samples, more is not. A NaN score is never kept.
 */
export function recoveryHelped(before: Assessed, after: Assessed, o: { samples: number; withinDrop: boolean }): boolean {
  if (!o.withinDrop || Number.isNaN(after.validation)) return false;
  if (comparableScore(after.validation) >= comparableScore(before.validation)) return true;
  const lossFell = Number.isFinite(before.loss) && Number.isFinite(after.loss) && after.loss! < before.loss!;
  return lossFell && o.samples > 0 && before.validation - after.validation <= 1 / o.samples + 1e-12;
}

/** The scale written for people: "1/4 of the step". */
export const scaleText = (scale: number) => (scale === 1 ? 'the full step' : `1/${Math.round(1 / scale)} of the step`);

/** Run one iteration under the policy: the first proposals, then (a) → (b) → (c), then stop. */
export async function proposeWithRecovery<C>(o: RecoveryOptions, h: RecoveryHooks<C>): Promise<RecoveryOutcome<C>> {
  const tried: string[] = [];
  const seen: { best: Tried<C> | null; drop: number } = { best: null, drop: Infinity };
  const noted: Tried<C>[] = [];
  const note = (list: Tried<C>[]) => {
    noted.push(...list);
    for (const t of list) {
      const d = h.drop(t.validation);
      if (d < seen.drop || seen.best === null) Object.assign(seen, { best: t, drop: d });
    }
  };
  const within = (t: Tried<C>) => h.drop(t.validation) <= o.maxDrop;
  const done = (accepted: Tried<C>, stage: RecoveryStage, scale: number): RecoveryOutcome<C> => ({ accepted, stage, scale, best: seen.best, bestDrop: seen.drop, tried, stopText: null });
  /** The caller's choice among the proposals within the drop, if any. */
  const pick = (list: Tried<C>[]) => {
    note(list);
    const ok = list.filter(within);
    return ok.length > 0 ? h.choose(ok) : undefined;
  };

  const first = await h.propose(1);
  if (first.length === 0) return { accepted: null, stage: null, scale: 1, best: null, bestDrop: Infinity, tried, stopText: null };
  const chosen = pick(first);
  if (chosen) return done(chosen, 'first', 1);

  // (a) recovery: the most accurate proposal gets more fine-tuning; then the current model does, and proposes again.
  if (h.retune && o.recoveryRounds > 0) {
    let t = seen.best!;
    let rounds = 0;
    for (; rounds < o.recoveryRounds; rounds++) {
      t = await h.retune(t, rounds);
      note([t]);
      if (within(t)) return done(t, 'recovery', 1);
    }
    tried.push(`${rounds} more fine-tuning round${rounds === 1 ? '' : 's'} of the best proposal`);
  }
  if (h.recoverCurrent) {
    const what = await h.recoverCurrent();
    if (what) {
      tried.push(what);
      const again = pick(await h.propose(1));
      if (again) return done(again, 'recovered current', 1);
    }
  }
  // (b) smaller steps.
  let smallest = 1;
  for (let k = 1; k <= o.halvings; k++) {
    const scale = 1 / 2 ** k;
    const list = await h.propose(scale);
    if (list.length === 0) break;
    smallest = scale;
    const ok = pick(list);
    if (ok) return done(ok, 'smaller step', scale);
  }
  if (smallest < 1) tried.push(`steps down to ${scaleText(smallest)}`);
  // (c) joint proposals.
  if (h.joint) {
    const list = await h.joint();
    if (list.length > 0) {
      tried.push(`${list.length} joint proposal${list.length === 1 ? '' : 's'} (structural + weight)`);
      const ok = pick(list);
      if (ok) return done(ok, 'joint', 0.5);
    }
  }
  // (d') the reserve: every proposal tried, within the larger drop.
  if (o.fallbackDrop !== undefined) {
    const ok = noted.filter((t) => h.drop(t.validation) <= o.fallbackDrop!);
    if (ok.length > 0) return done(h.choose(ok), 'beyond the reserve', smallest);
  }
  // (d) stop, saying what was tried.
  const b = seen.best;
  const bestText = b ? `the best drop reached was ${seen.drop.toFixed(2)} points (${b.description})` : 'no proposal could be scored';
  const stopText = `${tried.length > 0 ? `tried ${tried.join(', ')}; ` : ''}${bestText}`;
  return { accepted: null, stage: null, scale: smallest, best: b, bestDrop: seen.drop, tried, stopText };
}
