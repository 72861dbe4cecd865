// The report of `build --levels` (issue 15 §2): per level its structure, predicted and measured instructions, the
// worst case against its bound, accuracy (interpreter and on target), and the flash of the one library against the
// levels compiled apart; report.json, report.html (a table and accuracy against worst-case instructions) and a summary.

import { roundPoints } from '../build/search.js';
import { renderHtmlTemplate } from '../emit/render-template.js';
import { lineChart } from '../report/svg-charts.js';
import type { McuTarget } from '../targets/schema.js';
import { displayText, terminalText } from '../util/escape.js';
import { VERSION } from '../version.js';
import type { LevelBudgetKind } from './level-budgets.js';
import type { DenseFigures, LevelReport } from './level-report.js';
import type { Narrowing } from './narrow-levels.js';
import type { LevelsQuantizationSummary } from './int8-levels.js';
import type { LevelSharing } from './level-sharing.js';
import type { LevelKernels } from './shared-kernels.js';
import type { LevelsVerification } from './verify-levels.js';

export interface LevelsBuildReport {
  kind: 'levels';
  model: string;
  target: { name: string; description: string; clockHz: number; cyclesPerInstruction: number };
  /** float32, or int8 (each level quantized post-training; chosen as a single build chooses), and why (absent: float32, a report from before int8 levels). */
  precision?: { precision: 'float32' | 'int8'; reason: string };
  /** int8: how the levels were quantized, what is stored once and what per level (bytes per level), else null. */
  quantization?: (LevelsQuantizationSummary & { levels: LevelSharing[]; kernels?: { mode: LevelKernels; shared: { kernel: string; calls: number }[] } }) | null;
  /** What the budgets apply to: the typical instructions (the largest count over the test vectors on target) or the worst case (the verified bound). */
  measure: 'instructions' | 'instructionsWorstCase';
  /** The budgets as given: fractions of dense (--levels), instructions (--level-instructions) or ms (--level-deadline-ms). */
  budgets: { kind: LevelBudgetKind; flag: string; values: number[] };
  maxDropPoints: number;
  jointEpochs: number;
  /** The dense model's predicted figures, and (fraction budgets) its count on target on the measure. */
  dense: DenseFigures & { measured: number | null };
  levels: (LevelReport & {
    /** int8: the level as deployed, its test accuracy (interpreter, the int8 graph verified bit-exact) and the drop from the dense float model. */
    int8?: { test: number; testDrop: number } | null;
    measured: { comparison: 'bit-exact' | 'tolerance'; outputsMatch: boolean; instructions: number; worstMeasured: number; worstVector: string; bound: number; estimatedWorstMs: number; onTargetAccuracy: number | null; vectors: number; passed: boolean; problem: string | null };
    /** The level's budget on target: the limit on the measured count, the count, met or by how much it missed. */
    budget: { given: string; limit: number; measured: number; met: boolean; overBy: number | null; searchedStep: number };
  })[];
  /**
   * The levels narrowed after verification because their measured count was over budget, per re-verification, and
   * whether the levels were then fine-tuned jointly again.
   */
  narrowing: { rounds: Narrowing[][]; stoppedBecause: string | null; fineTunedAgain: boolean };
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

/** Why the build did not pass: a level out of its budget or its drop (the int8 drop for an int8 library), a level whose firmware run failed. */
export function levelFailures(r: Pick<LevelsBuildReport, 'levels' | 'maxDropPoints'>): string[] {
  const out: string[] = [];
  for (const l of r.levels) {
    const b = l.budget;
    if (!b.met) out.push(`level ${l.level}: measured ${n(b.measured)} on target, over its budget of ${n(b.limit)} (${b.given}) by ${n(b.overBy ?? b.measured - b.limit)} (${(((b.measured - b.limit) / b.limit) * 100).toFixed(1)}%)`);
    // The deployed level's drop is judged, as a single build judges its int8 model's: an int8 library's from the dense float model.
    const drop = roundPoints(l.int8 ? l.int8.testDrop : l.testDrop);
    if (drop > r.maxDropPoints) out.push(`level ${l.level}: ${l.int8 ? 'the int8 level\'s ' : ''}test accuracy drops ${drop.toFixed(2)} points${l.int8 ? ' from the dense float model' : ''}, more than --max-drop ${r.maxDropPoints}`);
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
    measure: r.measure === 'instructions' ? 'instructions (typical: the largest count over the test vectors on target)' : 'worst-case instructions (the verified bound on target)',
    budgetsGiven: displayText(`${r.budgets.flag} ${r.budgets.values.join(',')}`),
    precision: displayText(r.precision?.reason ?? 'float32'),
    int8: r.precision?.precision === 'int8',
    quantization: r.quantization && {
      how: displayText(`post-training, ${r.quantization.calibration} ranges on ${r.quantization.calibrationSamples} train samples, ${r.quantization.denseWeights} dense weight scales`),
      shared: displayText(r.quantization.shared), perLevel: displayText(r.quantization.perLevel),
      levels: r.quantization.levels.map((q) => ({ level: q.level, shared: n(q.sharedBytes), weights: n(q.ownWeightBytes), parameters: n(q.ownParameterBytes) })),
    },
    dense: { instructions: n(r.dense.instructions), test: pct(r.dense.test), measured: r.dense.measured === null ? null : n(r.dense.measured) },
    narrowed: r.narrowing.rounds.flat().map((c) => displayText(`level ${c.level}: removes ${Math.round(c.to * 100)}% instead of ${Math.round(c.from * 100)}% (${c.because})`)),
    stoppedBecause: r.narrowing.stoppedBecause === null ? null : displayText(r.narrowing.stoppedBecause),
    fineTunedAgain: r.narrowing.fineTunedAgain,
    levels: r.levels.map((l) => ({
      budget: displayText(l.budget.given), predictedOnMeasure: n(r.measure === 'instructions' ? l.instructions : l.instructionsWorstCase), limit: n(l.budget.limit), onMeasure: n(l.budget.measured), met: l.budget.met,
      over: l.budget.overBy === null ? '-' : `+${n(l.budget.overBy)} (${((l.budget.overBy / l.budget.limit) * 100).toFixed(1)}%)`,
      level: l.level, fraction: Number(l.fraction.toFixed(3)), keep: displayText(Object.entries(l.keep).map(([g, c]) => `${g} ${c}`).join(', ') || 'all'),
      predicted: n(l.instructions), measured: n(l.measured.instructions), worst: n(l.measured.worstMeasured), worstVector: displayText(l.measured.worstVector),
      bound: n(l.measured.bound), worstMs: l.measured.estimatedWorstMs.toFixed(3),
      test: pct(l.test), drop: l.testDrop.toFixed(2), int8Test: l.int8 ? pct(l.int8.test) : '-', int8Drop: l.int8 ? l.int8.testDrop.toFixed(2) : '-', onTarget: l.measured.onTargetAccuracy === null ? '-' : pct(l.measured.onTargetAccuracy), passed: l.measured.passed,
    })),
    flash: { levels: n(r.flash.levelsBytes), largest: n(r.flash.aloneBytes[0] ?? 0), separate: n(r.flash.aloneBytes.reduce((a, b) => a + b, 0)), ratio: r.flash.ratioToLargest.toFixed(2), copied: n(r.flash.copiedWeightBytes) },
    arena: n(r.arenaBytes),
    maxDrop: r.maxDropPoints,
    chart,
  });
}

/**
 * The command's summary: one line per level and the flash line. Model text (the model's file name, a problem or a
 * failure quoting a node) and the --out path are escaped here, each in its place: a newline in one must not make a line.
 */
export function renderLevelsSummary(r: LevelsBuildReport, out: string): string {
  const t = terminalText;
  const lines = [`${r.passed ? 'all levels met' : 'NOT MET'}: ${r.levels.length} nested levels of ${t(r.model)} on ${t(r.target.name)} in one library (c/)${r.precision?.precision === 'int8' ? ', int8' : ''}`];
  for (const l of r.levels) {
    const b = l.budget;
    lines.push(`  level ${l.level} (${t(b.given)}): budget ${n(b.limit)} on target, ${b.met ? 'met' : `MISSED by ${n(b.overBy ?? 0)}`}; ${n(l.measured.instructions)} instructions measured, worst case ${n(l.measured.bound)} (${l.measured.estimatedWorstMs.toFixed(3)} ms), test ${pct(l.test)} (drop ${l.testDrop.toFixed(2)})${l.int8 ? `, int8 test ${pct(l.int8.test)} (drop ${l.int8.testDrop.toFixed(2)})` : ''}${l.measured.onTargetAccuracy === null ? '' : `, on target ${pct(l.measured.onTargetAccuracy)}`}${l.measured.comparison === 'bit-exact' ? `, outputs ${l.measured.outputsMatch ? '' : 'NOT '}bit-exact` : ''}${l.measured.passed ? '' : ` — ${t(l.measured.problem ?? '')}`}`);
  }
  lines.push(`  flash: ${n(r.flash.levelsBytes)} B for all levels, ${r.flash.ratioToLargest.toFixed(2)}x the largest level alone (${n(r.flash.aloneBytes[0] ?? 0)} B); separate models: ${n(r.flash.aloneBytes.reduce((a, b) => a + b, 0))} B`);
  for (const f of r.failed) lines.push(`  FAILED ${t(f)}`);
  lines.push(t(`report: ${out}/report.html (and report.json); library: ${out}/c/`));
  return lines.join('\n');
}
