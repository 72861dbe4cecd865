// sweep.html: offline (inline SVG and CSS, no script, nothing fetched), every string from the model, the data, a
// target or an error HTML-escaped, the three Pareto plots with one colour per target and dominated builds dimmed.
import { describe, expect, it } from 'vitest';
import { renderSweepHtml } from '../../src/report/sweep-html.js';
import type { SweepEntry, SweepReport } from '../../src/sweep/sweep-report.js';
import { CHEAPEST_RULE } from '../../src/sweep/sweep-report.js';

const HOSTILE = '<script>alert("pwned")</script>&amp;<b onmouseover=x>';
const BIDI = 'access\u202e nimda';

function entry(target: string, name: string, over: Partial<SweepEntry>): SweepEntry {
  return {
    name, target, precision: 'float32', budget: { latencyMs: 1 }, budgetKey: '1ms', budgetText: 'latency 1 ms', status: 'built', job: 'sweep-build-0', reusedFrom: null,
    search: 'searched', met: true, failed: [], measured: { instructions: 1000, latencyMs: 0.5, flashBytes: 8192, ramBytes: 1024 }, accuracy: { final: 0.9, dropPoints: 0.5 },
    smallestReached: [], iterations: 2, stoppedBecause: null, output: `builds/${name}`, error: null, ...over,
  };
}

const report: SweepReport = {
  model: { name: `${HOSTILE}${BIDI}`, sha256: 'ab'.repeat(32) },
  data: { name: HOSTILE, sha256: 'cd'.repeat(32) },
  dense: { testAccuracy: 0.95 },
  targets: [`t${HOSTILE}`, 'plain'],
  combinations: [
    entry(`t${HOSTILE}`, `a${HOSTILE}`, {}),
    // Dominated by the first: as accurate, more latency, flash and RAM.
    entry(`t${HOSTILE}`, 'b', { measured: { instructions: 2000, latencyMs: 1, flashBytes: 9000, ramBytes: 2048 } }),
    entry('plain', 'c', { met: false, failed: [`instructions: ${HOSTILE}`], smallestReached: [{ budget: 'instructions', limit: 10, cost: 20, description: `fc1${HOSTILE}` }] }),
    entry('plain', 'd', { status: 'failed', met: null, measured: null, accuracy: null, output: null, error: `crash ${HOSTILE}` }),
    entry('plain', 'e', { status: 'reused', reusedFrom: `c${HOSTILE}`, job: null }),
  ],
  cheapestRule: CHEAPEST_RULE,
  cheapest: [{ budgetKey: '1ms', budgetText: 'latency 1 ms', target: `t${HOSTILE}`, name: `a${HOSTILE}`, precision: 'float32', accuracy: 0.9 }],
  wallSeconds: {},
};

describe('sweep.html', () => {
  const html = renderSweepHtml(report);

  it('escapes every hostile string and loads nothing', () => {
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<b onmouseover');
    expect(html).not.toContain('\u202e');
    expect(html).toContain('<h1>Sweep: &lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;&amp;amp;&lt;b onmouseover&#x3D;x&gt;access\\u202e nimda</h1>');
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    expect(html).not.toMatch(/<(script|link|iframe|img)\b/);
    // The summary names the cheapest board (escaped) and the rule.
    expect(html).toMatch(/cheapest board meeting each budget \(smallest flash \+ RAM, then slowest clock; no price data\): latency 1 ms: t&lt;script&gt;/);
  });

  it('draws three Pareto plots, a colour per target, the dominated build dimmed, and a table per target', () => {
    expect(html.match(/<svg/g)?.length).toBe(3);
    const latency = html.slice(html.indexOf('<svg'), html.indexOf('</svg>'));
    // Two targets in the legend; the failed and the reused combinations are not points (the reused one is c's point).
    expect(latency.match(/<circle /g)?.length).toBe(3);
    expect(latency.match(/opacity="0.25"/g)?.length).toBe(1);
    expect(latency).toMatch(/fill="#1f77b4" opacity="0.25"><title>b: 90.00%, 1.000 ms \(dominated\)/);
    expect(latency).toContain('fill="#ff7f0e"><title>c: 90.00%, 0.500 ms (budget not met)');
    expect(html.match(/<table>/g)?.length).toBe(2);
    expect(html).toContain('<h3>t&lt;script&gt;');
    expect(html).toContain('reuses c&lt;script&gt;');
    expect(html).toContain('error: crash &lt;script&gt;');
  });
});
