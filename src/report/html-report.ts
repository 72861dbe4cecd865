// report.html of `edgeprune build`: one self-contained page (inline CSS and SVG), opens offline.

import { aimText } from '../build/dense-check.js';
import { renderHtmlTemplate } from '../emit/render-template.js';
import { displayText } from '../util/escape.js';
import { contenderText } from './contender-text.js';
import { refitText } from './refit-text.js';
import { VERSION } from '../version.js';
import type { BuildReport } from './build-report.js';
import type { QuantizationSummary } from '../build/int8-deployment.js';
import { BUDGET_LABELS, type BudgetName } from '../build/budgets.js';
import { barChart, lineChart } from './svg-charts.js';

const n = (v: number) => Math.round(v).toLocaleString('en-US');
const pct = (v: number) => `${(v * 100).toFixed(2)}%`;
const kib = (v: number) => `${(v / 1024).toFixed(1)} KiB`;

function costText(name: string, v: number | null): string {
  if (v === null) return '-';
  return name === 'instructions' ? n(v) : `${n(v)} B (${kib(v)})`;
}

/** How the deployed int8 model was quantized, in words (the report page and the terminal summary). */
export function quantizationText(q: QuantizationSummary): string {
  const dense = q.denseWeights === 'per-tensor' ? ', dense layer weights per tensor' : '';
  const ptq = `post-training quantization, ${q.calibration} activation ranges on ${q.calibrationSamples} train samples${dense}`;
  if (q.scheme === 'ptq') return ptq;
  return `${q.qatEpochs} epoch${q.qatEpochs === 1 ? '' : 's'} of quantization-aware fine-tuning (pruned weights kept at zero), then ${ptq}`;
}

const AXIS: Record<BudgetName, string> = { instructions: 'instructions per inference (predicted)', instructionsWorstCase: 'worst-case instructions (predicted)', ramBytes: 'RAM bytes (predicted)', flashBytes: 'flash bytes (predicted)' };

/**
 * Validation accuracy against one budgeted cost: the dense model (a ring), the accepted steps, the final model after
 * the longer fine-tune, and the budget's limit. None without accepted steps.
 */
function trajectoryChart(r: BuildReport, key: BudgetName): string {
  const steps = r.steps.filter((s) => s.chosen);
  if (steps.length === 0) return '';
  const dense = { x: r.estimatedCosts.dense[key], y: r.accuracy.validation.dense * 100, label: 'dense model' };
  const final = { x: r.estimatedCosts.final[key], y: r.accuracy.validation.final * 100, label: 'final model, after the longer fine-tuning' };
  const limit = r.budgets.find((b) => b.name === key)!;
  return lineChart(`Pruning trajectory: ${BUDGET_LABELS[key]}`, AXIS[key], 'validation accuracy (%)', [
    { label: 'dense', color: '#333333', points: [dense], hollow: true },
    { label: 'accepted steps', color: '#1f77b4', start: dense, points: steps.map((s) => ({ x: s[key], y: s.validation * 100, label: `step ${s.iteration}: ${s.chosen}` })) },
    { label: 'final (fine-tuned)', color: '#2ca02c', points: [final] },
  ], [{ x: limit.limit, label: `budget ${costText(key, limit.limit)}` }]);
}

/**
 * The page. Handlebars' `{{x}}` HTML-escapes the view; model text (names, descriptions that quote them) also has its
 * invisible characters (controls, bidi overrides) shown as escapes, and the SVG charts escape their labels themselves.
 */
/** Before the search: the dense model measured against its prediction, and the instruction limit the search aimed at. */
function denseCheckLine(r: BuildReport): string | null {
  const instructions = r.budgets.find((b) => b.name === 'instructions');
  if (!r.denseCheck || !instructions) return null;
  const text = aimText(r.denseCheck, instructions.limit, r.denseCheck.aimedInstructions, 'aimed');
  return displayText(`Before the search, ${text}.`);
}

export function renderHtmlReport(r: BuildReport): string {
  const trajectories = r.budgets.map((b) => trajectoryChart(r, b.name)).filter((c) => c !== '');
  const layerChart = barChart('Predicted instructions per layer', 'instructions', r.layers.map((l) => l.name), [
    { label: 'before', color: '#aaaaaa', values: r.layers.map((l) => l.before.instructions) },
    { label: 'after', color: '#2ca02c', values: r.layers.map((l) => l.after?.instructions ?? 0) },
  ]);
  const v = r.verification;
  return renderHtmlTemplate('report/report.html.hbs', {
    generator: `edgeprune ${VERSION}`,
    model: displayText(r.model),
    target: { name: displayText(r.target.name), description: displayText(r.target.description), emulator: displayText(r.target.emulator) },
    passed: r.passed,
    failed: r.failed.map(displayText),
    stoppedBecause: r.stoppedBecause == null ? null : displayText(r.stoppedBecause),
    contender: contenderText(r.contender) === null ? null : displayText(contenderText(r.contender)!),
    refit: refitText(r.refit) === null ? null : displayText(`${refitText(r.refit)!}.`),
    denseCheck: denseCheckLine(r),
    budgets: r.budgets.map((b) => ({ label: b.label, givenAs: b.givenAs, limit: costText(b.name, b.limit), estimated: costText(b.name, b.estimated), measured: costText(b.name, b.measured), pass: b.pass })),
    smallestSeen: r.budgets.filter((b) => !b.pass && b.smallestSeen).map((b) => ({ label: b.label, cost: costText(b.name, b.smallestSeen!.cost), description: displayText(b.smallestSeen!.description), validation: pct(b.smallestSeen!.validation) })),
    accuracy: { dense: pct(r.accuracy.dense), final: pct(r.accuracy.final), prunedFloat: pct(r.accuracy.prunedFloat), drop: r.accuracy.dropPoints.toFixed(2), maxDrop: r.accuracy.maxDropPoints },
    uncertainty: r.accuracy.uncertainty && {
      validationSamples: r.accuracy.uncertainty.validationSamples, validationPoints: r.accuracy.uncertainty.validationPointsPerSample.toFixed(2),
      testSamples: r.accuracy.uncertainty.testSamples, testPoints: r.accuracy.uncertainty.testPointsPerSample.toFixed(2),
      standardError: r.accuracy.uncertainty.dropStandardError === null ? null : r.accuracy.uncertainty.dropStandardError.toFixed(2),
    },
    quantization: r.quantization && { how: quantizationText(r.quantization), searchCosts: r.quantization.search.costs, searchAccuracy: r.quantization.search.accuracy },
    layers: r.layers.map((l) => ({
      name: displayText(l.name), op: displayText(l.op),
      before: { params: n(l.before.params), macs: n(l.before.macs), sparsity: l.before.sparsity === null ? '-' : pct(l.before.sparsity), instructions: n(l.before.instructions) },
      after: l.after ? { params: n(l.after.params), macs: n(l.after.macs), sparsity: l.after.sparsity === null ? '-' : pct(l.after.sparsity), instructions: n(l.after.instructions) } : null,
    })),
    steps: r.steps.map((s) => ({ iteration: s.iteration, constrained: s.constrained, chosen: s.chosen == null ? 'none (stopped)' : displayText(s.recovery ? `${s.chosen} (${s.recovery})` : s.chosen), instructions: n(s.instructions), ram: kib(s.ramBytes), flash: kib(s.flashBytes), validation: pct(s.validation), sparsity: pct(s.sparsity), proposals: s.proposals, seconds: s.seconds.toFixed(1) })),
    trajectories,
    layerChart,
    verification: v
      ? { passed: v.passed, vectors: v.vectors, maxAbsError: v.maxAbsError.toExponential(1), instructions: v.instructions === null ? '-' : n(v.instructions), estimatedMs: v.estimatedMs === null ? '-' : v.estimatedMs.toFixed(3), estimateBasis: v.estimateBasis, runOn: displayText(v.runOn), hostBitIdentical: v.hostBitIdentical, arena: n(v.arenaBytes), stack: v.stackBytes === null ? '-' : n(v.stackBytes), flash: n(v.flashBytes), ram: n(v.ramBytes),
        accuracy: v.accuracy && { onTarget: pct(v.accuracy.onTarget), interpreter: pct(v.accuracy.interpreter), agreement: pct(v.accuracy.agreement), vectors: v.accuracy.vectors, maxAbsDiff: v.accuracy.maxAbsDiff.toExponential(1) } }
      : null,
    worstCase: r.worstCase && {
      typical: n(r.worstCase.typicalInstructions), worstMeasured: n(r.worstCase.worstMeasuredInstructions), worstVector: displayText(r.worstCase.worstVector),
      bound: n(r.worstCase.instructionsWorstCase), kind: r.worstCase.exact ? 'exact' : 'upper bound', basis: displayText(r.worstCase.basis), tighten: (r.worstCase.tighten ?? []).map(displayText),
      deadline: r.worstCase.deadline && { limit: n(r.worstCase.deadline.limit), givenAs: displayText(r.worstCase.deadline.givenAs), margin: `${r.worstCase.deadline.marginPercent.toFixed(1)}%`, met: r.worstCase.deadline.marginPercent >= 0 },
      steps: (r.worstCase.steps ?? []).map((s) => ({ step: s.step, nodes: displayText(s.nodes.join(', ')), dependent: s.dependent ? 'yes' : 'no', typical: n(s.typical), worstMeasured: n(s.worstMeasured), bound: n(s.bound) })),
    },
    files: r.files.map(displayText),
  });
}
