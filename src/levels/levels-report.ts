// The report of `build --levels` (issue 15 §2): per level its structure, predicted and measured instructions, the
// worst case against its bound, accuracy (interpreter and on target), and the flash of the one library against the
// levels compiled apart; report.json, report.html (a table and accuracy against worst-case instructions) and a summary.

import { renderHtmlTemplate } from '../emit/render-template.js';
import { lineChart } from '../report/svg-charts.js';
import type { McuTarget } from '../targets/schema.js';
import { displayText } from '../util/escape.js';
import { VERSION } from '../version.js';
import type { DenseFigures, LevelReport } from './level-report.js';
import type { LevelsVerification } from './verify-levels.js';

export interface LevelsBuildReport {
  kind: 'levels';
  model: string;
  target: { name: string; description: string; clockHz: number; cyclesPerInstruction: number };
  /** What the fractions apply to: the predicted typical or worst-case instructions of the dense model. */
  measure: 'instructions' | 'instructionsWorstCase';
  maxDropPoints: number;
  jointEpochs: number;
  dense: DenseFigures;
  levels: (LevelReport & {
    measured: { instructions: number; worstMeasured: number; worstVector: string; bound: number; estimatedWorstMs: number; onTargetAccuracy: number | null; vectors: number; passed: boolean; problem: string | null };
  })[];
  flash: {
    /** The one levels library, linked. */
    levelsBytes: number;
    /** Each level compiled on its own, linked; their sum is what separate models would take. */
    aloneBytes: number[];
    /** levelsBytes ÷ the largest level alone. */
    ratioToLargest: number;
    /** The weight bytes a level needed of its own (0: every level reads the full model's arrays). */
    copiedWeightBytes: number;
  };
  arenaBytes: number;
  passed: boolean;
  failed: string[];
  files: string[];
}

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
const n = (x: number) => Math.round(x).toLocaleString('en-US');

/** Why the build did not pass: a level out of its drop, a level whose firmware run failed. */
export function levelFailures(r: Pick<LevelsBuildReport, 'levels' | 'maxDropPoints'>): string[] {
  const out: string[] = [];
  for (const l of r.levels) {
    if (l.testDrop > r.maxDropPoints) out.push(`level ${l.level}: test accuracy drops ${l.testDrop.toFixed(2)} points, more than --max-drop ${r.maxDropPoints}`);
    if (!l.measured.passed) out.push(`level ${l.level}: ${l.measured.problem}`);
  }
  return out;
}

export function renderLevelsHtml(r: LevelsBuildReport): string {
  const ms = (instructions: number) => (instructions * r.target.cyclesPerInstruction * 1000) / r.target.clockHz;
  const chart = lineChart('Test accuracy against the worst-case latency of each level', 'worst-case latency (ms, estimated)', 'test accuracy (%)', [
    { label: 'levels (one library)', color: '#1f77b4', points: r.levels.map((l) => ({ x: ms(l.measured.bound), y: l.test * 100, label: `level ${l.level}` })) },
    { label: 'dense model', color: '#aaaaaa', hollow: true, noLine: true, points: [{ x: ms(r.dense.instructionsWorstCase), y: r.dense.test * 100 }] },
  ]);
  return renderHtmlTemplate('report/levels-report.html.hbs', {
    generator: `edgeprune ${VERSION}`,
    model: displayText(r.model),
    target: { name: displayText(r.target.name), description: displayText(r.target.description) },
    passed: r.passed,
    failed: r.failed.map(displayText),
    measure: r.measure === 'instructions' ? 'predicted instructions' : 'predicted worst-case instructions',
    dense: { instructions: n(r.dense.instructions), test: pct(r.dense.test) },
    levels: r.levels.map((l) => ({
      level: l.level, fraction: l.fraction, keep: displayText(Object.entries(l.keep).map(([g, c]) => `${g} ${c}`).join(', ') || 'all'),
      predicted: n(l.instructions), measured: n(l.measured.instructions), worst: n(l.measured.worstMeasured), worstVector: displayText(l.measured.worstVector),
      bound: n(l.measured.bound), worstMs: l.measured.estimatedWorstMs.toFixed(3),
      test: pct(l.test), drop: l.testDrop.toFixed(2), onTarget: l.measured.onTargetAccuracy === null ? '-' : pct(l.measured.onTargetAccuracy), passed: l.measured.passed,
    })),
    flash: { levels: n(r.flash.levelsBytes), largest: n(r.flash.aloneBytes[0] ?? 0), separate: n(r.flash.aloneBytes.reduce((a, b) => a + b, 0)), ratio: r.flash.ratioToLargest.toFixed(2), copied: n(r.flash.copiedWeightBytes) },
    arena: n(r.arenaBytes),
    chart,
  });
}

/** The command's summary: one line per level and the flash line. */
export function renderLevelsSummary(r: LevelsBuildReport, out: string): string {
  const lines = [`${r.passed ? 'all levels met' : 'NOT MET'}: ${r.levels.length} nested levels of ${r.model} on ${r.target.name} in one library (c/)`];
  for (const l of r.levels) {
    lines.push(`  level ${l.level} (${l.fraction} of dense): ${n(l.measured.instructions)} instructions measured, worst case ${n(l.measured.bound)} (${l.measured.estimatedWorstMs.toFixed(3)} ms), test ${pct(l.test)} (drop ${l.testDrop.toFixed(2)})${l.measured.onTargetAccuracy === null ? '' : `, on target ${pct(l.measured.onTargetAccuracy)}`}${l.measured.passed ? '' : ` — ${l.measured.problem}`}`);
  }
  lines.push(`  flash: ${n(r.flash.levelsBytes)} B for all levels, ${r.flash.ratioToLargest.toFixed(2)}x the largest level alone (${n(r.flash.aloneBytes[0] ?? 0)} B); separate models: ${n(r.flash.aloneBytes.reduce((a, b) => a + b, 0))} B`);
  for (const f of r.failed) lines.push(`  FAILED ${f}`);
  lines.push(`report: ${out}/report.html (and report.json); library: ${out}/c/`);
  return lines.join('\n');
}
