// The build panel's arithmetic (median, worst, % met, accuracy against a baseline) and the baselines' level search with a fake cost predictor.
import { describe, expect, it } from 'vitest';
import { ramFloor, ramLimit } from '../../bench/build-panel.js';
import { levels, smallestLevelMeeting, uniformRemovals } from '../../bench/baselines/level-search.js';
import { accuracyAgainst, median, percent, summaryLines, worst, type BaselineRow, type BuildRow } from '../../bench/panel-summary.js';
import type { Budget, Costs } from '../../src/build/budgets.js';
import { mnistLikeCnn } from '../../src/models/sample-models.js';
import { analyzePruneGroups } from '../../src/prune/structure/index.js';

const row = (o: Partial<BuildRow>): BuildRow => ({
  family: 'cnn', seed: 0, target: 'stm32f405', fraction: 1 / 2, criterion: 'l1', met: true,
  instructionLimit: 1000, ramLimit: 900, instructions: 990, ramBytes: 800, drop: 0, seconds: 30, ...o,
});

describe('panel summary arithmetic', () => {
  it('median (odd and even counts), worst and percentages', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(Number.isNaN(median([]))).toBe(true);
    expect(worst([0.2, 1.7, -0.4])).toBe(1.7);
    expect(percent([1, 2, 3, 4], (x) => x > 1)).toBe(75);
  });

  it('½ builds: % met over all of them, median and worst drop over those met; ⅓: met and within 1.5 points', () => {
    const builds = [
      row({ seed: 0, drop: 0.2 }), row({ seed: 1, drop: 0.9 }), row({ seed: 2, drop: 0.4 }), row({ seed: 3, met: false, drop: 5 }),
      row({ fraction: 1 / 3, seed: 0, drop: 1.2 }), row({ fraction: 1 / 3, seed: 1, drop: 1.6 }), row({ fraction: 1 / 3, seed: 2, met: false, drop: 0.1 }),
    ];
    const lines = summaryLines(builds, []);
    expect(lines[0]).toContain('½ builds met: 75% (3/4); drop of those met: median 0.40, worst 0.90 points');
    expect(lines[1]).toContain('⅓ builds met within 1.5 points: 33% (1/3)');
  });

  it('accuracy against a baseline: only cases where both measured within the instruction limit, build minus baseline', () => {
    const builds = [row({ seed: 0, drop: 0.5 }), row({ seed: 1, drop: 1.0 }), row({ seed: 2, drop: 0.1, instructions: 1200 }), row({ seed: 3, drop: 0 })];
    const base = (seed: number, drop: number | null, instructions: number | null): BaselineRow => ({ family: 'cnn', seed, target: 'stm32f405', fraction: 1 / 2, kind: 'uniform', met: true, instructions, drop });
    // seed 2: the build is over its limit; seed 3: the baseline is; seed 4: no build.
    const a = accuracyAgainst(builds, [base(0, 2.5, 1000), base(1, 0.5, 900), base(2, 9, 800), base(3, 9, 1001), base(4, 9, 10)]);
    expect(a).toEqual({ pairs: 2, meanPoints: (2 + -0.5) / 2, buildBetter: 1, atBuild: 0 });
  });

  it('accuracy at equal measured instructions: the baseline run at the build\'s measured count is preferred, held to it', () => {
    const builds = [row({ seed: 0, drop: 0.5, instructions: 900 }), row({ seed: 1, drop: 0.5, instructions: 900 })];
    const base = (seed: number, drop: number, instructions: number, at?: 'budget' | 'build'): BaselineRow => ({ family: 'cnn', seed, target: 'stm32f405', fraction: 1 / 2, kind: 'uniform', met: true, instructions, drop, ...(at ? { at } : {}) });
    // seed 0: at the build's 900 (drop 1.0) rather than at the budget (drop 0.2); seed 1: the one at 900 measured 950,
    // over the build's count, so the case is left out.
    const a = accuracyAgainst(builds, [base(0, 0.2, 990), base(0, 1.0, 880, 'build'), base(1, 0.2, 990, 'budget'), base(1, 1.0, 950, 'build')]);
    expect(a).toEqual({ pairs: 1, meanPoints: 0.5, buildBetter: 1, atBuild: 1 });
  });

  it('L1 against redundancy where both met', () => {
    const lines = summaryLines([row({ drop: 1 }), row({ criterion: 'redundancy', drop: 0.25 }), row({ seed: 1, drop: 0 }), row({ seed: 1, criterion: 'redundancy', met: false })], []);
    expect(lines.at(-1)).toBe('l1 vs redundancy: met 2 vs 1 of 2; where both met (1), drop l1 − redundancy = 0.75 points on average (positive: redundancy keeps more accuracy)');
  });

});

describe('the RAM budget of a case', () => {
  it('is 90% of the dense RAM, or the floor when no pruning reaches 90%', () => {
    expect(ramLimit(1000, 400)).toBe(900);
    expect(ramLimit(376, 416)).toBe(416);
  });

  it('the floor is the RAM predicted with every prune group at one channel', () => {
    const graph = mnistLikeCnn();
    const seen: number[] = [];
    // A fake cost model whose RAM is the number of channels of the first prune group: the floor sees one channel.
    const first = analyzePruneGroups(graph).groups[0];
    const floor = ramFloor({ graph, cost: { costs: (g) => { const n = analyzePruneGroups(g).groups.find((x) => x.id === first.id)!.size; seen.push(n); return { ramBytes: n }; } } });
    expect(floor).toBe(1);
    expect(seen).toEqual([1]);
  });
});

describe('baseline level search', () => {
  const budgets: Budget[] = [{ name: 'instructions', limit: 500, givenAs: 'test' }, { name: 'ramBytes', limit: 100, givenAs: 'test' }];
  const costsAt = (level: number): Costs => ({ instructions: 1000 * (1 - level), instructionsWorstCase: 1000 * (1 - level), ramBytes: 150 - 100 * level, flashBytes: 0 });

  it('levels in 1% steps up to the maximum', () => {
    const l = levels(0.98);
    expect(l.length).toBe(98);
    expect(l[0]).toBe(0.01);
    expect(l.at(-1)).toBe(0.98);
  });

  it('finds the smallest level meeting every budget with a fake predictor, trying levels in order', () => {
    const tried: number[] = [];
    const s = smallestLevelMeeting(levels(0.99), (l) => (tried.push(l), l), costsAt, budgets);
    // instructions need level ≥ 0.5, RAM ≥ 0.5 as well: 1000·0.5 = 500, 150 − 50 = 100.
    expect(s.found?.level).toBe(0.5);
    expect(tried.at(-1)).toBe(0.5);
    // A predictor that is not monotone: a cheap kernel at 30% only.
    const bumpy = (l: number): Costs => (Math.abs(l - 0.3) < 1e-9 ? { instructions: 10, instructionsWorstCase: 10, ramBytes: 10, flashBytes: 0 } : costsAt(l));
    expect(smallestLevelMeeting(levels(0.99), (l) => l, bumpy, budgets).found?.level).toBe(0.3);
  });

  it('reports the cost floor of a budget no level meets', () => {
    const flatRam = (l: number): Costs => ({ ...costsAt(l), ramBytes: 140 });
    const s = smallestLevelMeeting(levels(0.99), (l) => l, flatRam, budgets);
    expect(s.found).toBeNull();
    expect(s.floor).toEqual(['ramBytes: 140 predicted at best, limit 100']);
    expect(s.lowest.instructions).toBeCloseTo(10, 6);
  });

  it('uniform removal takes the same fraction of every group, lowest L1 first, keeping one channel', () => {
    const g = mnistLikeCnn();
    const analysis = analyzePruneGroups(g);
    const r = uniformRemovals(g, analysis, 0.25);
    expect(analysis.groups.map((x) => [x.id, x.size])).toEqual([['conv1', 8], ['conv2', 16]]);
    expect(r.get('conv1')!.length).toBe(2);
    expect(r.get('conv2')!.length).toBe(4);
    expect(uniformRemovals(g, analysis, 0.99).get('conv1')!.length).toBe(7);
    const w = g.initializers.get('conv1.weight')!;
    const l1 = (c: number) => Array.from(w.data as Float32Array).slice(c * 25, (c + 1) * 25).reduce((s, v) => s + Math.abs(v), 0);
    const sorted = [0, 1, 2, 3, 4, 5, 6, 7].sort((a, b) => l1(a) - l1(b));
    expect([...r.get('conv1')!].sort()).toEqual(sorted.slice(0, 2).sort());
  });
});
