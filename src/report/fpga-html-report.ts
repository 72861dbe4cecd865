// report.html of `edgeprune build --target <fpga>`: one self-contained page (inline CSS and SVG), opens offline.

import { renderHtmlTemplate } from '../emit/render-template.js';
import { mappingText } from '../emit/verilog/fpga-project.js';
import { displayText } from '../util/escape.js';
import { contenderText } from './contender-text.js';
import { VERSION } from '../version.js';
import { quantizationText } from './html-report.js';
import type { FpgaBuildReport } from './fpga-build-report.js';
import { barChart, lineChart } from './svg-charts.js';
import { FPGA_WORST_CASE_BASIS } from './fpga-build-report.js';
import type { FpgaBudgetName } from '../build/fpga/fpga-budgets.js';

const n = (v: number) => Math.round(v).toLocaleString('en-US');
const pct = (v: number) => `${(v * 100).toFixed(2)}%`;

const AXIS: Record<FpgaBudgetName, string> = { latencyCycles: 'latency (cycles, predicted)', luts: 'LUTs (predicted)', logicCells: 'logic cells (predicted)', dsps: 'DSP blocks (predicted)', brams: 'block RAMs (predicted)' };

export function renderFpgaHtmlReport(r: FpgaBuildReport): string {
  // The trajectory is drawn against the budget the search lowered first (the most violated at the start).
  const key: FpgaBudgetName = r.steps[0]?.constrained ?? r.budgets[0].name;
  const dense = { x: r.estimatedCosts.dense[key], y: r.accuracy.validation.dense * 100, label: 'dense model' };
  const points = r.steps.filter((s) => s.chosen).map((s) => ({ x: s.costs[key], y: s.validation * 100, label: `step ${s.iteration}: ${s.chosen}` }));
  const limit = r.budgets.find((b) => b.name === key)!;
  const trajectory = points.length > 0
    ? lineChart('Pruning trajectory', AXIS[key], 'validation accuracy (%)', [
      { label: 'dense', color: '#333333', points: [dense], hollow: true },
      { label: 'accepted steps', color: '#1f77b4', start: dense, points },
    ], [{ x: limit.limit, label: `budget ${limit.limit.toLocaleString('en-US')}` }])
    : '';
  const hw = r.layers.filter((l) => l.hardware);
  const layerChart = hw.length > 0
    ? barChart('Predicted LUTs per layer (deployed design)', 'LUTs', hw.map((l) => l.name), [{ label: 'LUTs', color: '#2ca02c', values: hw.map((l) => l.hardware!.luts) }])
    : '';
  const c = r.design.clock;
  const v = r.verification;
  return renderHtmlTemplate('report/fpga-report.html.hbs', {
    generator: `edgeprune ${VERSION}`,
    model: displayText(r.model),
    target: { name: displayText(r.target.name), description: displayText(r.target.description), board: displayText(r.target.board) },
    passed: r.passed,
    failed: r.failed.map(displayText),
    stoppedBecause: r.stoppedBecause == null ? null : displayText(r.stoppedBecause),
    contender: contenderText(r.contender) === null ? null : displayText(contenderText(r.contender)!),
    scope: r.resourceScope,
    budgets: r.budgets.map((b) => ({ label: b.label, givenAs: displayText(b.givenAs), limit: n(b.limit), estimated: n(b.estimated), measured: n(b.measured), pass: b.pass })),
    smallestSeen: r.budgets.filter((b) => !b.pass && b.smallestSeen).map((b) => ({ label: b.label, cost: n(b.smallestSeen!.cost), description: displayText(b.smallestSeen!.description), validation: pct(b.smallestSeen!.validation) })),
    design: {
      reuse: Object.entries(r.design.reuseFactors).map(([k, rf]) => `${displayText(k)}=${rf}`).join(', '),
      mapping: mappingText(r.design.multipliers),
      multipliers: r.design.multipliers.count,
      ii: n(r.design.initiationInterval),
      boardMHz: c.boardMHz,
      atBoard: c.latencyUsAtBoardClock.toFixed(2),
      fmax: c.fmaxMHz === null ? null : c.fmaxMHz.toFixed(1),
      atFmax: c.latencyUsAtFmax === null ? null : c.latencyUsAtFmax.toFixed(2),
      bitstream: r.design.bitstreamBytes === null ? null : n(r.design.bitstreamBytes),
    },
    accuracy: { dense: pct(r.accuracy.dense), prunedFloat: pct(r.accuracy.prunedFloat), final: pct(r.accuracy.final), drop: r.accuracy.dropPoints.toFixed(2), maxDrop: r.accuracy.maxDropPoints },
    quantization: { how: quantizationText(r.quantization), searchCosts: r.quantization.search.costs, searchAccuracy: r.quantization.search.accuracy },
    steps: r.steps.map((s) => ({
      iteration: s.iteration, constrained: s.constrained, chosen: s.chosen == null ? 'none (stopped)' : displayText(s.chosen), proposals: s.proposals,
      cycles: n(s.costs.latencyCycles), luts: n(s.costs.luts), cells: n(s.costs.logicCells), dsps: n(s.costs.dsps), brams: n(s.costs.brams), validation: pct(s.validation), sparsity: pct(s.sparsity), seconds: s.seconds.toFixed(1),
    })),
    trajectory,
    layerChart,
    layers: r.layers.map((l) => ({
      name: displayText(l.name), op: displayText(l.op),
      before: { params: n(l.before.params), macs: n(l.before.macs) },
      after: l.after && { params: n(l.after.params), macs: n(l.after.macs), sparsity: l.after.sparsity === null ? '-' : pct(l.after.sparsity) },
      hw: l.hardware && { ...l.hardware, luts: n(l.hardware.luts), ffs: n(l.hardware.ffs) },
    })),
    verification: { passed: v.passed, vectors: v.vectors, runOn: displayText(v.runOn), source: displayText(v.vectorSource), cycles: n(v.latencyCycles), worstCase: `the worst case too: ${FPGA_WORST_CASE_BASIS}`, ii: n(v.initiationInterval), resources: v.resourcesSource ? displayText(v.resourcesSource) : 'not measured', cells: v.placement ? `${n(v.placement.logicCells.used)} of ${n(v.placement.logicCells.available)} logic cells placed` : null, overflow: v.overflow && displayText(v.overflow) },
    files: r.files.map(displayText),
  });
}
