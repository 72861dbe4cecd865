// report.html of an FPGA build (src/report/fpga-html-report.ts): budgets with the device's, the design and its clock,
// the trajectory and per-layer hardware; hostile model text inert in the page and the charts; same report, same bytes.
// The fixture is a real report.json (build --target ice40-up5k of the digits MLP, unmet: a placement that failed).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FpgaBuildReport } from '../../src/report/fpga-build-report.js';
import { renderFpgaHtmlReport } from '../../src/report/fpga-html-report.js';
import { HOSTILE_NAMES } from '../support/hostile-names.js';

const fixture = (): FpgaBuildReport => JSON.parse(fs.readFileSync(path.resolve('test/fixtures/reports/fpga-build-report.json'), 'utf8'));
const pick = (label: string) => HOSTILE_NAMES.find((n) => n.label === label)!.text;

describe('FPGA build report page', () => {
  it('shows the budgets, the design, the placement failure, the trajectory and the layers', () => {
    const r = fixture();
    const html = renderFpgaHtmlReport(r);
    expect(html).toContain('<span class="fail">not met</span>');
    expect(html).toContain('<td class="l">the device (ice40-up5k: 8 SB_MAC16)</td>');
    expect(html).toContain('<td class="l">fc1&#x3D;576, fc2&#x3D;576, logits&#x3D;320</td><td class="l">10, requantizers on DSP blocks, products in LUT logic</td>');
    expect(html).toContain('does not fit iCE40 up5k-sg48');
    expect(html.match(/<svg/g)?.length).toBe(2);
    expect(html).toContain('<td class="l">ep_dense_folded</td><td>576</td>');
    expect(html).toMatch(/cycles \(the worst case too: cycle-exact by construction: the RTL has no data-dependent control/);
    expect(renderFpgaHtmlReport(fixture())).toBe(html);
  });

  it('keeps hostile model text inert in the page, the tables and the SVG charts', () => {
    const r = fixture();
    const evil = pick('HTML');
    r.model = pick('bidi override');
    r.layers[1].name = evil;
    r.design.reuseFactors = { [evil]: 576 };
    r.steps[0].chosen = `${evil}: 4 of 64 neurons`;
    r.stoppedBecause = `stopped at ${pick('ANSI escapes')}`;
    const html = renderFpgaHtmlReport(r);
    expect(html).not.toMatch(/<script\b|<b onmouseover|onmouseover=/);
    expect(html).toContain('<td class="l">&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;&amp;amp;&lt;b onmouseover&#x3D;x&gt;</td>');
    expect(html).toContain('\\x1b[31mred');
    expect(html).toContain('<h1>access\\u202e nimda');
    const charts = html.match(/<svg[\s\S]*?<\/svg>/g)!;
    expect(charts[0]).toContain('<title>step 1: &lt;script&gt;');
    expect(charts[1]).toContain('>&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;&amp;amp;&lt;b onmouseover&#x3D;x&gt;</text>');
  });
});
