// sweep.html: one self-contained page (inline CSS and SVG, no script, opens offline): the cheapest board per budget,
// Pareto plots of test accuracy against measured latency, flash and RAM (one colour per target, dominated builds
// dimmed), and a table per target. Every string from the model, the data or a target goes through htmlText.

import { htmlText } from '../util/escape.js';
import { VERSION } from '../version.js';
import { cheapestSummary, type SweepEntry, type SweepReport } from '../sweep/sweep-report.js';
import { dominatedPoints } from './pareto.js';
import { lineChart, type Series } from './svg-charts.js';

const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

/** Costs spanning this factor or more are plotted on a logarithmic axis. */
const LOG_AXIS_SPAN = 10;

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
const count = (x: number) => Math.round(x).toLocaleString('en-US');
const kib = (x: number) => `${(x / 1024).toFixed(1)} KiB`;

type Axis = { title: string; label: string; cost: (e: SweepEntry) => number | null; show: (v: number) => string };

const AXES: Axis[] = [
  { title: 'Accuracy against measured latency', label: 'latency per inference (ms, measured instructions at the target clock)', cost: (e) => e.measured?.latencyMs ?? null, show: (v) => `${v.toFixed(3)} ms` },
  { title: 'Accuracy against flash', label: 'flash of the model library (KiB, measured)', cost: (e) => (e.measured ? e.measured.flashBytes / 1024 : null), show: (v) => `${v.toFixed(1)} KiB` },
  { title: 'Accuracy against RAM', label: 'RAM of the model library, static + stack (KiB, measured)', cost: (e) => (e.measured ? e.measured.ramBytes / 1024 : null), show: (v) => `${v.toFixed(1)} KiB` },
];

/** The builds a plot shows: each build once (a reused combination is the same build as the one it reuses). */
function plotted(r: SweepReport): SweepEntry[] {
  return r.combinations.filter((e) => e.status === 'built' && e.measured !== null && e.accuracy !== null);
}

/** One Pareto plot: a series per target, points dimmed where another build (any target) dominates them. */
export function paretoChart(r: SweepReport, axis: Axis): string {
  const points = plotted(r).filter((e) => axis.cost(e) !== null);
  if (points.length === 0) return '';
  const dominated = dominatedPoints(points.map((e) => ({ cost: axis.cost(e)!, accuracy: e.accuracy!.final })));
  const series: Series[] = r.targets.map((t, i) => ({
    label: t,
    color: COLORS[i % COLORS.length],
    noLine: true,
    points: points.flatMap((e, k) => (e.target === t ? [{
      x: axis.cost(e)!, y: e.accuracy!.final * 100, faded: dominated[k],
      label: `${e.name}: ${pct(e.accuracy!.final)}, ${axis.show(axis.cost(e)!)}${e.met ? '' : ' (budget not met)'}${dominated[k] ? ' (dominated)' : ''}`,
    }] : [])),
  })).filter((s) => s.points.length > 0);
  // Boards an order of magnitude apart (a soft-float core beside a fast one) get a logarithmic axis.
  const costs = points.map((e) => axis.cost(e)!);
  const logX = Math.min(...costs) > 0 && Math.max(...costs) / Math.min(...costs) >= LOG_AXIS_SPAN;
  return lineChart(logX ? `${axis.title} (logarithmic)` : axis.title, axis.label, 'test accuracy (%)', series, [], { logX });
}

function cell(text: string, numeric = false): string {
  return `<td${numeric ? ' class="n"' : ''}>${htmlText(text)}</td>`;
}

function entryRow(e: SweepEntry): string {
  const m = e.measured;
  const result = e.status === 'failed' ? 'job failed' : e.met ? 'met' : 'not met';
  const how = e.status === 'reused' ? `reuses ${e.reusedFrom}` : e.status === 'failed' ? `error: ${e.error}` : e.search === 'searched' ? `searched (${e.iterations} step${e.iterations === 1 ? '' : 's'})` : 'dense model meets it (no search)';
  const notes = [...e.failed, ...e.smallestReached.map((s) => `smallest ${s.budget} reached: ${count(s.cost)} predicted (limit ${count(s.limit)}; ${s.description})`)];
  const link = e.output ? `<a href="${htmlText(`${e.output.split('/').map(encodeURIComponent).join('/')}/report.html`)}">report</a>` : '';
  return `<tr class="${e.status === 'failed' ? 'failed' : e.met ? 'met' : 'unmet'}">${[
    cell(e.budgetText), cell(e.precision), cell(result),
    cell(m?.latencyMs == null ? '-' : m.latencyMs.toFixed(3), true), cell(m ? count(m.instructions) : '-', true),
    cell(m ? kib(m.flashBytes) : '-', true), cell(m ? kib(m.ramBytes) : '-', true),
    cell(e.accuracy ? pct(e.accuracy.final) : '-', true), cell(e.accuracy ? e.accuracy.dropPoints.toFixed(2) : '-', true),
    cell(how), cell(notes.join('; ')),
  ].join('')}<td>${link}</td></tr>`;
}

function targetTable(r: SweepReport, target: string): string {
  const rows = r.combinations.filter((e) => e.target === target).map(entryRow).join('\n');
  const head = ['budget', 'precision', 'result', 'latency (ms)', 'instructions', 'flash', 'RAM', 'test accuracy', 'drop (points)', 'how', 'notes', 'build'].map((h) => `<th>${h}</th>`).join('');
  return `<h3>${htmlText(target)}</h3>\n<table><thead><tr>${head}</tr></thead><tbody>\n${rows}\n</tbody></table>`;
}

const STYLE = `body{font-family:sans-serif;margin:2em;max-width:1100px;color:#222}table{border-collapse:collapse;margin:.5em 0 1.5em;font-size:13px}
th,td{border:1px solid #ccc;padding:3px 6px;text-align:left;vertical-align:top}td.n{text-align:right;white-space:nowrap}
tr.met td:nth-child(3){color:#2a7d2a;font-weight:bold}tr.unmet td:nth-child(3){color:#b26b00}tr.failed td{background:#fde8e8}
.summary{font-size:15px;background:#eef5ee;padding:.6em;border-left:4px solid #2ca02c}svg{display:block;margin:1em 0}footer{color:#777;font-size:12px}`;

export function renderSweepHtml(r: SweepReport): string {
  const charts = AXES.map((a) => paretoChart(r, a)).filter((c) => c !== '').join('\n');
  const built = r.combinations.filter((c) => c.status === 'built').length;
  const reused = r.combinations.filter((c) => c.status === 'reused').length;
  const failed = r.combinations.filter((c) => c.status === 'failed').length;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>edgeprune sweep: ${htmlText(r.model.name)}</title><style>${STYLE}</style></head>
<body>
<h1>Sweep: ${htmlText(r.model.name)}</h1>
<p>Data ${htmlText(r.data.name)} · dense model ${pct(r.dense.testAccuracy)} test accuracy · ${r.combinations.length} combinations on ${r.targets.length} target${r.targets.length === 1 ? '' : 's'}: ${built} built, ${reused} reused from a tighter budget's build, ${failed} failed.</p>
<p class="summary">${htmlText(cheapestSummary(r.cheapest))}</p>
<p>Rule: ${htmlText(r.cheapestRule)}.</p>
<h2>Pareto fronts</h2>
<p>Each point is one build (test accuracy of the deployed model; latency, flash and RAM measured in the emulator), one colour per target. Dimmed points are dominated: another build is at least as accurate and costs no more. Hover a point for its combination.</p>
${charts}
<h2>Combinations by target</h2>
${r.targets.map((t) => targetTable(r, t)).join('\n')}
<footer>edgeprune ${htmlText(VERSION)} · model SHA-256 ${htmlText(r.model.sha256)}</footer>
</body></html>
`;
}
