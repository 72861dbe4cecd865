// The build panel's arithmetic: median and worst drop, share of builds met, accuracy against the baselines at the
// same instruction budget, L1 against redundancy; each issue-12 goal as one line (bench/build-panel.ts prints them).

export interface PanelCase {
  family: string;
  seed: number;
  target: string;
  /** Fraction of the dense model's measured instructions the build is given. */
  fraction: number;
}

export interface BuildRow extends PanelCase {
  criterion: string;
  /** Exit 0 and every budget (and the accuracy limit) passed, as measured. */
  met: boolean;
  instructionLimit: number;
  ramLimit: number;
  instructions: number | null;
  ramBytes: number | null;
  /** Test points lost, dense float → deployed. */
  drop: number;
  seconds: number;
  /** CPU seconds (user + sys) of the build and the processes it ran (QEMU, compilers); absent where not measured. */
  cpuSeconds?: number;
  /** Why the search stopped short of the budgets (report.stoppedBecause), null when it met them. */
  stoppedBecause?: string | null;
  /** Fine-tuning epochs in all and on the deployed model's path (report.fineTuning). */
  epochs?: number;
  /** The build's uniform contender (report.contender): its cut and whether the build kept it; absent when none ran. */
  contender?: { description: string | null; chosen: boolean };
}

export interface BaselineRow extends PanelCase {
  kind: string;
  met: boolean;
  instructions: number | null;
  drop: number | null;
  /**
   * The instruction limit it was given: the case's budget (absent in runs before this field: the budget too), or the
   * build's measured instructions, for the accuracy at equal measured instructions when the build went under its budget.
   */
  at?: 'budget' | 'build';
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export const worst = (xs: readonly number[]): number => (xs.length === 0 ? NaN : Math.max(...xs));
export const mean = (xs: readonly number[]): number => (xs.length === 0 ? NaN : xs.reduce((a, b) => a + b, 0) / xs.length);

/** Percentage of rows for which `ok` holds (NaN for no rows). */
export function percent<T>(rows: readonly T[], ok: (r: T) => boolean): number {
  return rows.length === 0 ? NaN : (100 * rows.filter(ok).length) / rows.length;
}

const sameCase = (a: PanelCase, b: PanelCase) => a.family === b.family && a.seed === b.seed && a.target === b.target && a.fraction === b.fraction;
const f2 = (x: number) => (Number.isNaN(x) ? '-' : (Math.round(x * 100) / 100 || 0).toFixed(2));
const signed = (x: number) => (Number.isNaN(x) ? '-' : `${Math.round(x * 100) > 0 ? '+' : ''}${f2(x)}`);
const pct = (x: number) => (Number.isNaN(x) ? '-' : `${x.toFixed(0)}%`);
const isHalf = (f: number) => Math.abs(f - 1 / 2) < 1e-9;
const isThird = (f: number) => Math.abs(f - 1 / 3) < 0.002;

/**
 * Build minus baseline test accuracy, in points, over the cases where both stayed within the instruction limit as
 * measured; positive = the build is better. "Accuracy at equal measured instructions": the baseline run at the
 * build's measured instructions where there is one (at 'build'), else the one at the case's budget.
 */
export function accuracyAgainst(builds: readonly BuildRow[], baselines: readonly BaselineRow[]): { pairs: number; meanPoints: number; buildBetter: number; atBuild: number } {
  const diffs: number[] = [];
  let atBuild = 0;
  for (const b of builds) {
    if (b.instructions === null || b.instructions > b.instructionLimit) continue;
    const same = baselines.filter((x) => sameCase(x, b));
    const base = same.find((x) => x.at === 'build') ?? same.find((x) => (x.at ?? 'budget') === 'budget');
    const limit = base?.at === 'build' ? b.instructions : b.instructionLimit;
    if (!base || base.instructions === null || base.drop === null || base.instructions > limit) continue;
    if (base.at === 'build') atBuild++;
    diffs.push(Math.round((base.drop - b.drop) * 1e6) / 1e6);
  }
  return { pairs: diffs.length, meanPoints: mean(diffs), buildBetter: diffs.filter((d) => d > 0).length, atBuild };
}

/** One line per goal of the issue, per criterion (and per baseline kind). */
export function summaryLines(builds: readonly BuildRow[], baselines: readonly BaselineRow[], maxDrop = 1.5): string[] {
  const lines: string[] = [];
  const criteria = [...new Set(builds.map((b) => b.criterion))];
  const kinds = [...new Set(baselines.map((b) => b.kind))];
  for (const criterion of criteria) {
    const mine = builds.filter((b) => b.criterion === criterion);
    const halves = mine.filter((b) => isHalf(b.fraction));
    const metHalves = halves.filter((b) => b.met);
    if (halves.length > 0) {
      lines.push(`[${criterion}] ½ builds met: ${pct(percent(halves, (b) => b.met))} (${metHalves.length}/${halves.length}); drop of those met: median ${f2(median(metHalves.map((b) => b.drop)))}, worst ${f2(worst(metHalves.map((b) => b.drop)))} points (goal: 100%, median ≤ 0.5, worst ≤ 1.5)`);
    }
    const thirds = mine.filter((b) => isThird(b.fraction));
    if (thirds.length > 0) {
      const ok = thirds.filter((b) => b.met && b.drop <= maxDrop).length;
      lines.push(`[${criterion}] ⅓ builds met within ${maxDrop} points: ${pct(percent(thirds, (b) => b.met && b.drop <= maxDrop))} (${ok}/${thirds.length}) (goal: ≥ 80%)`);
    }
    for (const kind of kinds) {
      const a = accuracyAgainst(mine, baselines.filter((b) => b.kind === kind));
      lines.push(`[${criterion}] accuracy vs ${kind} at equal measured instructions (${a.atBuild} of ${a.pairs} at the build's measured count, the rest at the budget): build ${signed(a.meanPoints)} points on average, better in ${a.buildBetter} (goal: > 0)`);
    }
    for (const family of [...new Set(halves.map((b) => b.family))]) {
      const walls = halves.filter((b) => b.family === family).map((b) => b.seconds);
      const cpus = halves.filter((b) => b.family === family && b.cpuSeconds !== undefined).map((b) => b.cpuSeconds!);
      const cpu = cpus.length > 0 ? `; CPU (user + sys) median ${median(cpus).toFixed(0)} s, worst ${worst(cpus).toFixed(0)} s` : '';
      lines.push(`[${criterion}] ½ ${family} build wall time: median ${median(walls).toFixed(0)} s, worst ${worst(walls).toFixed(0)} s (goal for digits: ≤ 60 s)${cpu}`);
    }
  }
  for (const kind of kinds) {
    const mine = baselines.filter((b) => b.kind === kind && (b.at ?? 'budget') === 'budget');
    lines.push(`baseline ${kind}: met every budget in ${pct(percent(mine, (b) => b.met))} (${mine.filter((b) => b.met).length}/${mine.length}) of the cases`);
  }
  if (criteria.length === 2) {
    const [a, b] = criteria;
    const diffs: number[] = [];
    for (const x of builds.filter((r) => r.criterion === a)) {
      const y = builds.find((r) => r.criterion === b && sameCase(r, x));
      if (y && x.met && y.met) diffs.push(Math.round((x.drop - y.drop) * 1e6) / 1e6);
    }
    const met = (c: string) => builds.filter((r) => r.criterion === c && r.met).length;
    lines.push(`${a} vs ${b}: met ${met(a)} vs ${met(b)} of ${builds.filter((r) => r.criterion === a).length}; where both met (${diffs.length}), drop ${a} − ${b} = ${f2(mean(diffs))} points on average (positive: ${b} keeps more accuracy)`);
  }
  return lines;
}
