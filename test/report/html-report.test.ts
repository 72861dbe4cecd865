// renderHtmlReport: a self-contained page (no remote resources), the budget table, the two SVG charts, HTML escaping, determinism.
import { describe, expect, it } from 'vitest';
import { buildReport, type BuildReport } from '../../src/report/build-report.js';
import { renderHtmlReport } from '../../src/report/html-report.js';
import { renderWorstCase } from '../../src/cli/commands/verify.js';
import type { VerifyReport } from '../../src/verify/verify-mcu.js';
import { isInvisible } from '../../src/util/escape.js';
import { HOSTILE_NAMES } from '../support/hostile-names.js';
import { budgets, reportInput, searchResult, verification, withLayerNames } from './fixtures.js';

const measured = { instructions: 11_000, instructionsWorstCase: 11_000, ramBytes: 1000, flashBytes: 5500 };
const verified = (): BuildReport => buildReport(reportInput({ verification: verification(true), measured }));
const svgs = (html: string) => html.match(/<svg\b[\s\S]*?<\/svg>/g) ?? [];

describe('renderHtmlReport', () => {
  it('shows the on-target accuracy of the deployed model next to the interpreter\'s, when the verification has labels', () => {
    const accuracy = { vectors: 359, onTarget: 0.9777, interpreter: 0.9749, agreement: 0.9972, maxAbsDiff: 1.5e-5 };
    const html = renderHtmlReport(buildReport(reportInput({ verification: { ...verification(true), accuracy }, measured })));
    expect(html).toContain('On-target accuracy (test split, 359 labelled vectors run on qemu netduinoplus2): <b>97.77%</b>; the interpreter\'s on the same vectors 97.49%; top-1 agreement 99.72%; largest |target − interpreter| 1.5e-5.');
    expect(renderHtmlReport(verified())).not.toContain('On-target accuracy');
  });

  it('is self-contained: no remote src/href, no script or stylesheet files, no remote CSS', () => {
    const html = renderHtmlReport(verified());
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).not.toMatch(/\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?\/\//i);
    expect(html).not.toMatch(/<script\b[^>]*\bsrc\s*=/i);
    expect(html).not.toMatch(/<link\b/i);
    expect(html).not.toMatch(/@import|url\(/i);
    expect(html).not.toMatch(/<(?:img|iframe|object|embed)\b/i);
  });

  it('has one budget row per budget: limit, estimate, measurement and result', () => {
    const html = renderHtmlReport(verified());
    expect(html).toContain('<tr><td class="l">instructions per inference</td><td class="l">--max-instructions 10000</td><td>10,000</td><td>9,000</td><td>11,000</td><td><span class="fail">fail</span></td></tr>');
    expect(html).toContain('<tr><td class="l">RAM (bytes)</td><td class="l">--ram-kb 1</td><td>1,024 B (1.0 KiB)</td><td>1,200 B (1.2 KiB)</td><td>1,000 B (1.0 KiB)</td><td><span class="pass">pass</span></td></tr>');
    expect(html).toContain('<tr><td class="l">flash (bytes)</td><td class="l">--flash-kb 6</td><td>6,144 B (6.0 KiB)</td><td>5,000 B (4.9 KiB)</td><td>5,500 B (5.4 KiB)</td><td><span class="pass">pass</span></td></tr>');
    // Not verified: the measured column is a dash.
    const unverified = renderHtmlReport(buildReport(reportInput()));
    expect(unverified).toContain('<td>10,000</td><td>9,000</td><td>-</td><td><span class="pass">pass</span></td></tr>');
    expect(unverified).toContain('The firmware was not verified.');
  });

  it('states the outcome and lists what failed', () => {
    const failing = renderHtmlReport(verified());
    expect(failing).toContain('<span class="fail">not met</span>');
    expect(failing).toContain('<li class="fail">instructions per inference: 11,000 &gt; 10,000 (--max-instructions 10000)</li>');
    expect(failing).toContain('<li class="fail">accuracy: dropped 5.00 points on the test split, more than --max-drop 2</li>');
    // What the search got closest to, for the failed budget only.
    expect(failing).toContain('Smallest instructions per inference any candidate reached: 8,000 predicted (fc1: 5 of 6 neurons, validation 50.00%).');
    expect(failing).not.toContain('Smallest RAM');
    const passing = renderHtmlReport(buildReport(reportInput({ maxDrop: 10, verification: verification(true), measured: { instructions: 9000, instructionsWorstCase: 9000, ramBytes: 1000, flashBytes: 5000 } })));
    expect(passing).toContain('<span class="pass">all budgets met</span>');
    expect(passing).not.toContain('<li class="fail">');
    expect(passing).not.toContain('any candidate reached');
  });

  it('draws a trajectory per budget (dense ring, accepted steps, final, the limit) and instructions per layer', () => {
    const html = renderHtmlReport(verified());
    const charts = svgs(html);
    expect(charts).toHaveLength(4);
    const [trajectory, ram, flash, layers] = charts as [string, string, string, string];
    expect(trajectory).toContain('Pruning trajectory: instructions per inference');
    expect(trajectory).toContain('instructions per inference (predicted)');
    expect(trajectory).toContain('>budget 10,000</text>');
    // Dense (a ring), the two accepted steps (the stopped iteration is not drawn), and the final model.
    expect(trajectory.match(/<circle\b/g)).toHaveLength(4 + 1); // and the ring in the legend
    expect(trajectory).toMatch(/<circle [^>]*fill="#fff" stroke="#333333"[^>]*><title>dense model<\/title>/);
    expect(trajectory).toContain('<title>step 1: fc1: 3 of 6 neurons</title>');
    expect(trajectory).not.toContain('step 3');
    expect(ram).toContain('Pruning trajectory: RAM (bytes)');
    expect(ram).toContain('>budget 1,024 B (1.0 KiB)</text>');
    expect(flash).toContain('Pruning trajectory: flash (bytes)');
    expect(layers).toContain('Predicted instructions per layer');
    for (const name of ['fc1', 'act1', 'fc2', 'act2', 'head', 'probs']) expect(layers).toContain(`>${name}</text>`);
    // Before and after bars for each of the six layers.
    expect(layers.match(/<rect\b[^>]*><title>/g)).toHaveLength(12);
    expect(layers).toContain('<title>fc2 after: 0</title>');
  });

  it('draws the trajectory against RAM when there is no instruction budget, and leaves it out without accepted steps', () => {
    const ramOnly = renderHtmlReport(buildReport(reportInput({ budgets: budgets.slice(1, 2) })));
    expect(svgs(ramOnly)).toHaveLength(2);
    expect(svgs(ramOnly)[0]).toContain('RAM bytes (predicted)');
    expect(svgs(ramOnly)[0]).not.toContain('instructions per inference');
    const search = searchResult();
    const noSteps = renderHtmlReport(buildReport(reportInput({ search: { ...search, iterations: search.iterations.slice(2) } })));
    expect(svgs(noSteps)).toHaveLength(1);
    expect(noSteps).not.toContain('Pruning trajectory');
  });

  it('lists the steps and the layers, removed layers as such', () => {
    const html = renderHtmlReport(verified());
    expect(html).toContain('<tr><td>1</td><td class="l">instructions</td><td class="l">fc1: 3 of 6 neurons</td><td>3</td><td>10,500</td><td>1.4 KiB</td><td>6.8 KiB</td><td>91.00%</td><td>5.00%</td><td>1.5</td></tr>');
    expect(html).toContain('<td class="l">none (stopped)</td>');
    expect(html).toMatch(/<tr><td class="l">fc2<\/td><td class="l">Gemm<\/td>(?:<td>[^<]*<\/td>){4}<td colspan="4" class="l">removed<\/td><\/tr>/);
    expect(html).toContain('<tr><td class="l">fc1</td><td class="l">Gemm</td><td>54</td><td>48</td><td>0.00%</td><td>1,000</td><td>27</td><td>24</td><td>25.00%</td><td>501</td></tr>');
  });

  it('escapes HTML in the model name, step descriptions and the stop reason', () => {
    const search = searchResult({ stoppedBecause: 'limit <script>alert(1)</script>' });
    search.iterations[0] = { ...search.iterations[0], chosen: '<img src=x onerror=alert(2)>' };
    const html = renderHtmlReport(buildReport(reportInput({ model: '<b>x</b>', search })));
    expect(html).not.toContain('<b>x</b>');
    expect(html).toContain('<title>edgeprune build: &lt;b&gt;x&lt;/b&gt; on stm32f405</title>');
    expect(html).toMatch(/<h1>&lt;b&gt;x&lt;\/b&gt; on stm32f405: /);
    expect(html).not.toMatch(/<img\b/);
    expect(html).not.toMatch(/<script\b/);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    // In the step table (Handlebars) and in the chart's point title (the SVG escaper).
    expect(html.match(/&lt;img src/g)!.length).toBeGreaterThanOrEqual(2);
  });

  it('keeps hostile model text inert in the page, the tables and the SVG charts', () => {
    const pick = (label: string) => HOSTILE_NAMES.find((n) => n.label === label)!.text;
    const renames = new Map([['fc1', pick('HTML')], ['act1', pick('ANSI escapes')], ['fc2', pick('bidi override')], ['head', pick('quotes')], ['probs', pick('newline and a Makefile rule')]]);
    const search = searchResult({ stoppedBecause: `stopped at ${pick('HTML')}` });
    search.iterations[0] = { ...search.iterations[0], chosen: `${pick('HTML')}: 3 of 6 neurons` };
    const html = renderHtmlReport(buildReport(withLayerNames(reportInput({ model: pick('bidi override'), search }), renames)));
    expect(html).not.toMatch(/<script\b|<b onmouseover/);
    expect(html).not.toMatch(/onmouseover=/);
    expect([...html].filter((ch) => ch !== '\n' && isInvisible(ch.codePointAt(0)!))).toEqual([]);
    // Shown, escaped: in the layer table (Handlebars) and in the bar chart's labels (the SVG escaper).
    expect(html).toContain('<td class="l">&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;&amp;amp;&lt;b onmouseover&#x3D;x&gt;</td>');
    expect(html).toContain('<td class="l">\\x1b[31mred\\x1b[0m\\x1b]0;pwned title\\x07\\x1b[2J\\x1b[1A</td>');
    const charts = svgs(html);
    const [trajectory, layers] = [charts[0], charts.at(-1)!];
    expect(layers).toContain('>&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;&amp;amp;&lt;b onmouseover&#x3D;x&gt;</text>');
    expect(layers).toContain('>access\\u202e nimda\\u202c \\u2066isolate\\u2069</text>');
    expect(trajectory).toContain('<title>step 1: &lt;script&gt;');
    expect(html).toContain('<h1>access\\u202e nimda');
  });

  it('lists the worst case per step, hostile node names inert in the page and in verify\'s terminal lines', () => {
    const pick = (label: string) => HOSTILE_NAMES.find((n) => n.label === label)!.text;
    const steps = [
      { step: 0, nodes: [pick('HTML')], dependent: true, typical: 1400.4, worstMeasured: 1500.6, price: 1600, underPrediction: 0, bound: 1600.2, spread: 100, from: 'price' as const },
      { step: 2, nodes: [pick('ANSI escapes')], dependent: false, typical: 9000, worstMeasured: 9000, spread: 0, bound: 9000 },
    ];
    const worstCase: NonNullable<VerifyReport['worstCase']> = {
      core: 'fpu', typicalInstructions: 10_400, worstMeasuredInstructions: 10_500, worstVector: 'all ones', adversarial: [], instructionsWorstCase: 10_700, exact: false,
      basis: 'upper bound', boundOverWorst: 0.019, kernels: [], steps, overhead: 20, markCost: 28, holds: true,
      tighten: [`ep_conv2d_f32: priced at default factors (${pick('HTML')})`],
    };
    const html = renderHtmlReport(buildReport(reportInput({ verification: { ...verification(true), worstCase }, measured })));
    expect(html).toContain('<table id="worst-case-steps">');
    expect(html).toContain('<tr><td>0</td><td class="l">&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;&amp;amp;&lt;b onmouseover&#x3D;x&gt;</td><td class="l">yes</td><td>1,400</td><td>1,501</td><td>1,601</td></tr>');
    expect(html).toContain('<td class="l">\\x1b[31mred');
    expect(html).not.toMatch(/<script\b|<b onmouseover/);
    expect(html).toContain('<li>To tighten the bound: ep_conv2d_f32: priced at default factors (&lt;script&gt;');
    const lines = renderWorstCase(worstCase);
    expect(lines).toContain('  to tighten: ep_conv2d_f32: priced at default factors (<script>');
    expect(lines).toContain('step 0 [');
    expect(lines).toContain('dependent: typical 1,400, worst measured 1,501, bound share 1,601');
    expect(lines).not.toContain('\x1b');
  });

  it('is deterministic: the same report gives the same bytes', () => {
    const a = renderHtmlReport(verified());
    const b = renderHtmlReport(verified());
    expect(b).toBe(a);
    const report = verified();
    expect(renderHtmlReport(report)).toBe(renderHtmlReport(JSON.parse(JSON.stringify(report)) as BuildReport));
    // And it depends on the report (not a constant page).
    expect(renderHtmlReport(buildReport(reportInput({ model: 'other' })))).not.toBe(a);
  });
});
