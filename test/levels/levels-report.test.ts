// A level that misses its budget on target is a result: the failures, the summary and report.html say which level,
// its budget, the count measured and by how much.
import { describe, expect, it } from 'vitest';
import { levelFailures, renderLevelsHtml, renderLevelsSummary, type LevelsBuildReport } from '../../src/levels/levels-report.js';

const level = (k: number, budget: { limit: number; measured: number }) => ({
  level: k, fraction: [1, 0.6][k], limit: budget.limit, step: k * 0.3, keep: {}, instructions: budget.limit - 10, instructionsWorstCase: budget.limit,
  validation: 0.9, test: 0.9, testDrop: 1, uncertainty: { validation: { samples: 10, pointsPerSample: 10, standardError: null }, test: { samples: 10, pointsPerSample: 10, standardError: null } },
  measured: { instructions: budget.measured, worstMeasured: budget.measured, worstVector: 'all zeros', bound: budget.measured + 5, estimatedWorstMs: 0.5, onTargetAccuracy: 1, vectors: 5, passed: true, problem: null },
  budget: { given: `${[90_000, 50_000][k].toLocaleString('en-US')} instructions`, limit: budget.limit, measured: budget.measured, met: budget.measured <= budget.limit, overBy: budget.measured > budget.limit ? budget.measured - budget.limit : null, searchedStep: k * 0.3 },
});

const report = {
  kind: 'levels', model: 'm', target: { name: 'stm32f405', description: 'd', clockHz: 168e6, cyclesPerInstruction: 1.2 },
  measure: 'instructions', budgets: { kind: 'instructions', flag: '--level-instructions', values: [90_000, 50_000] }, maxDropPoints: 5, jointEpochs: 1,
  dense: { instructions: 100_000, instructionsWorstCase: 101_000, validation: 0.95, test: 0.95, measured: null },
  levels: [level(0, { limit: 90_000, measured: 89_000 }), level(1, { limit: 50_000, measured: 52_500 })],
  narrowing: { rounds: [], stoppedBecause: 'no smaller step is predicted to bring level 1 within budget', fineTunedAgain: false },
  flash: { levelsBytes: 1000, aloneBytes: [900, 500], ratioToLargest: 1.11, copiedWeightBytes: 0 }, arenaBytes: 100, passed: false, failed: [], files: [],
} as unknown as LevelsBuildReport;

describe('a level over its budget on target', () => {
  it('is a failure naming the level, the budget, the count and by how much', () => {
    expect(levelFailures(report)).toEqual(['level 1: measured 52,500 on target, over its budget of 50,000 (50,000 instructions) by 2,500 (5.0%)']);
  });

  it('reads as missed in the summary and in report.html\'s budgets table', () => {
    const r = { ...report, failed: levelFailures(report) };
    const summary = renderLevelsSummary(r, 'out');
    expect(summary).toMatch(/^NOT MET/);
    expect(summary).toContain('level 0 (90,000 instructions): budget 90,000 on target, met;');
    expect(summary).toContain('level 1 (50,000 instructions): budget 50,000 on target, MISSED by 2,500;');
    const html = renderLevelsHtml(r);
    expect(html).toMatch(/<td>1<\/td><td class="l">50,000 instructions<\/td><td>49,990<\/td><td>50,000<\/td><td>52,500<\/td><td>52,505<\/td><td>\+2,500 \(5\.0%\)<\/td><td><span class="fail">missed<\/span><\/td>/);
    expect(html).toContain('Narrowing stopped: no smaller step is predicted to bring level 1 within budget');
  });
});

describe('the drop --max-drop judges', () => {
  const within = (drop: number, int8Drop?: number) => ({
    ...report, maxDropPoints: 1.5,
    levels: [{ ...level(0, { limit: 90_000, measured: 89_000 }), testDrop: drop, ...(int8Drop === undefined ? {} : { int8: { test: 0.9, testDrop: int8Drop } }) }],
  }) as unknown as LevelsBuildReport;

  it('is the float level\'s for a float32 library', () => {
    expect(levelFailures(within(1.67))).toEqual(['level 0: test accuracy drops 1.67 points, more than --max-drop 1.5']);
    expect(levelFailures(within(1.5))).toEqual([]);
  });

  it('is the int8 level\'s for an int8 library, as a single int8 build judges its int8 model', () => {
    expect(levelFailures(within(1.67, 1.39))).toEqual([]);
    expect(levelFailures(within(1.2, 1.95))).toEqual(['level 0: the int8 level\'s test accuracy drops 1.95 points from the dense float model, more than --max-drop 1.5']);
  });

  it('is named in report.html', () => {
    const int8 = { ...within(1.2, 1.95), precision: { precision: 'int8', reason: 'r' }, quantization: null } as unknown as LevelsBuildReport;
    expect(renderLevelsHtml(int8)).toContain('--max-drop 1.5 judges the int8 drop (the library as deployed)');
    expect(renderLevelsHtml(within(1.2))).toContain('--max-drop 1.5 judges the drop.');
  });
});
