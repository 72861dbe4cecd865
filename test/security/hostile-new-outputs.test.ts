// Hostile model text in the outputs added lately: the nested levels' summary and report.html, the C level table's
// labels, build's report.html contender and refit notes and its terminal summary, and sweep.html with a failed job's
// error. A node or file name with `*/`, `</script>`, a newline, `$(...)`, backquotes, NUL or 5,000 characters stays
// inert in each context: no raw control character, no markup, no extra line, a C string that stays one literal.
import { describe, expect, it } from 'vitest';
import { renderBuildSummary } from '../../src/cli/commands/build.js';
import { levelFiguresView } from '../../src/levels/level-figures.js';
import { renderLevelsHtml, renderLevelsSummary, type LevelsBuildReport } from '../../src/levels/levels-report.js';
import { buildReport } from '../../src/report/build-report.js';
import { renderHtmlReport } from '../../src/report/html-report.js';
import { renderSweepHtml } from '../../src/report/sweep-html.js';
import { CHEAPEST_RULE, type SweepEntry, type SweepReport } from '../../src/sweep/sweep-report.js';
import { isInvisible } from '../../src/util/escape.js';
import { HOSTILE_GRAPH_NAME, HOSTILE_NAMES, PWNED_FILE } from '../support/hostile-names.js';
import { reportInput, searchResult } from '../report/fixtures.js';

/** Every hostile name joined: one string that tries everything at once. */
const ALL = HOSTILE_NAMES.map((h) => h.text).join(' | ');
const SHORT = `*/ </script><script>alert(1)</script>\n$(touch ${PWNED_FILE}) \`touch ${PWNED_FILE}\` nul\u0000 \u001b[2J \u202e`;

/** Code points a terminal or a browser would act on, or that hide text: none may reach an output raw. */
function rawInvisible(text: string, allowed = '\n'): string[] {
  return [...text].filter((c) => !allowed.includes(c) && isInvisible(c.codePointAt(0)!)).map((c) => `U+${c.codePointAt(0)!.toString(16)}`);
}

function expectInertHtml(html: string): void {
  expect(html).not.toMatch(/<script/i);
  expect(html).not.toMatch(/<b onmouseover/);
  expect(rawInvisible(html)).toEqual([]);
  expect(html).not.toContain('\u0000');
}

const level = (k: number) => ({
  level: k, fraction: [1, 0.6][k], limit: 1000, step: k * 0.3, keep: { [`conv${SHORT}`]: 3, [HOSTILE_GRAPH_NAME]: 2 }, instructions: 990, instructionsWorstCase: 1000,
  validation: 0.9, test: 0.9, testDrop: 1, uncertainty: { validation: { samples: 10, pointsPerSample: 10, standardError: null }, test: { samples: 10, pointsPerSample: 10, standardError: null } },
  measured: { comparison: 'bit-exact', outputsMatch: k === 0, instructions: 995, worstMeasured: 999, worstVector: `vector ${SHORT}`, bound: 1005, estimatedWorstMs: 0.5, onTargetAccuracy: 1, vectors: 5, passed: k === 0, problem: k === 0 ? null : `node '${ALL}' differs` },
  budget: { given: `${[1, 0.6][k]} of the dense instructions`, limit: 1000, measured: 995, met: true, overBy: null, searchedStep: k * 0.3 },
});

const levelsReport = {
  kind: 'levels', model: `model${SHORT}`, target: { name: 'stm32f405', description: `d${SHORT}`, clockHz: 168e6, cyclesPerInstruction: 1.2 },
  measure: 'instructions', budgets: { kind: 'fraction', flag: '--levels', values: [1, 0.6] }, maxDropPoints: 5, jointEpochs: 1,
  dense: { instructions: 1000, instructionsWorstCase: 1010, validation: 0.95, test: 0.95, measured: null },
  levels: [level(0), level(1)],
  narrowing: { rounds: [[{ level: 1, from: 0.3, to: 0.4, because: `over ${SHORT}` }]], stoppedBecause: `stopped ${ALL}`, fineTunedAgain: true },
  flash: { levelsBytes: 1000, aloneBytes: [900, 500], ratioToLargest: 1.11, copiedWeightBytes: 0 }, arenaBytes: 100, passed: false,
  failed: [`level 1: node '${ALL}' differs`], files: [],
} as unknown as LevelsBuildReport;

describe('nested levels', () => {
  it('the summary keeps one line per level, with the model name, problems, failures and --out escaped in place', () => {
    const summary = renderLevelsSummary(levelsReport, `/tmp/out\nall levels met: forged`);
    const lines = summary.split('\n');
    // The heading, two levels, the flash line, one failure, the report line: a newline in a name makes no line.
    expect(lines).toHaveLength(6);
    expect(lines[0]).toMatch(/^NOT MET: 2 nested levels of model\*\/ <\/script>.*\\n\$\(touch PWNED\)/);
    expect(lines[5]).toMatch(/^report: \/tmp\/out\\nall levels met: forged\/report\.html/);
    expect(rawInvisible(summary)).toEqual([]);
  });
  it('report.html shows every name as text: no markup, no raw control character', () => {
    const html = renderLevelsHtml(levelsReport);
    expectInertHtml(html);
    expect(html).toContain('model*/ &lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;\\n$(touch PWNED)');
  });
  it('the C level table\'s labels: each one C string literal in ASCII, whatever the label', () => {
    const labels = [...HOSTILE_NAMES.map((h) => h.text), HOSTILE_GRAPH_NAME, SHORT];
    const view = levelFiguresView(labels.map((label) => ({ label, instructionsWorstCase: 100, accuracy: 0.5 })), labels.map(() => 64));
    for (const [k, row] of view.rows.entries()) {
      const label = row.initializer.split(', ')[1] === undefined ? '' : row.initializer.slice(row.initializer.indexOf('"'), row.initializer.lastIndexOf('"') + 1);
      // One literal: quotes and backslashes escaped, trigraphs broken, nothing outside printable ASCII.
      expect(label, labels[k]).toMatch(/^"([\x20-\x21\x23-\x3e\x40-\x5b\x5d-\x7e]|\\["\\?]|\\[0-7]{3})*"$/);
      expect(row.initializer).not.toContain('\n');
    }
  });
});

describe('build: report.html\'s contender and refit notes, and the summary', () => {
  const contender = { description: `every layer 20% (${SHORT} 1 of 8, ${HOSTILE_GRAPH_NAME} 2 of 16)`, epochs: 3, validation: 0.9, searchValidation: 0.89, loss: null, searchLoss: null, costs: null, chosen: true };
  const refit = { what: 'the final fine-tune', epochs: 10, samples: 1438, decidedOnSamples: 1169, decided: searchResult().graph };
  const r = buildReport(reportInput({ maxDrop: 10, search: searchResult({ contender, refit, stoppedBecause: `stopped at ${SHORT}` }) }));

  it('says the deployed model saw the validation split (the refit), and names the contender, escaped', () => {
    const html = renderHtmlReport(r);
    expectInertHtml(html);
    expect(html).toContain('<p class="note">refit: the final fine-tune ran again on train + validation (1438 samples, 10 epochs; decided on 1169): the deployed model saw the validation split, whose figures are those of the model as decided.</p>');
    expect(html).toMatch(/<p class="note">Uniform contender: every layer 20% \(\*\/ &lt;\/script&gt;&lt;script&gt;.*\\x00.*; kept in place of the search&#x27;s model\.<\/p>/);
  });
  it('the terminal summary: no raw control character, and the refit line', () => {
    const summary = renderBuildSummary(r, '/tmp/out');
    expect(rawInvisible(summary)).toEqual([]);
    expect(summary).toContain('refit: the final fine-tune ran again on train + validation');
    expect(summary).toMatch(/search stopped: stopped at \*\/ <\/script><script>alert\(1\)<\/script>\\n\$\(touch PWNED\) `touch PWNED` nul\\x00 \\x1b\[2J \\u202e$/m);
  });
});

describe('sweep.html', () => {
  const entry = (name: string, over: Partial<SweepEntry>): SweepEntry => ({
    name, target: 'stm32f405', precision: 'float32', budget: { latencyMs: 1 }, budgetKey: '1ms', budgetText: 'latency 1 ms', status: 'built', job: 'j', reusedFrom: null,
    search: 'searched', met: true, failed: [], measured: { instructions: 1000, latencyMs: 0.5, flashBytes: 8192, ramBytes: 1024 }, accuracy: { final: 0.9, dropPoints: 0.5 },
    smallestReached: [], iterations: 2, stoppedBecause: null, output: `builds/${name}`, error: null, ...over,
  });
  it('a failed job\'s error, a smallest-reached description and the model name with every hostile string: inert', () => {
    const report: SweepReport = {
      model: { name: ALL, sha256: 'ab'.repeat(32) }, data: { name: SHORT, sha256: 'cd'.repeat(32) }, dense: { testAccuracy: 0.95 }, targets: ['stm32f405'],
      combinations: [
        entry('a', { met: false, failed: [`instructions: ${ALL}`], smallestReached: [{ budget: 'instructions', limit: 10, cost: 20, description: SHORT }] }),
        entry('b', { status: 'failed', met: null, measured: null, accuracy: null, output: null, error: `crash in node '${ALL}'` }),
        entry(`c${SHORT}`, {}),
      ],
      cheapestRule: CHEAPEST_RULE, cheapest: [{ budgetKey: '1ms', budgetText: 'latency 1 ms', target: 'stm32f405', name: `c${SHORT}`, precision: 'float32', accuracy: 0.9 }], wallSeconds: {},
    };
    const html = renderSweepHtml(report);
    expectInertHtml(html);
    expect(html).toContain('error: crash in node &#x27;it&#x27;s &quot;quoted&quot;');
    // The link to a build's report keeps a hostile name inside its attribute, percent-encoded.
    const links = [...html.matchAll(/<a href="([^"]*)">/g)].map((m) => m[1]);
    expect(links).toHaveLength(2);
    for (const link of links) expect(link).toMatch(/^[\w%.*/~!'()-]+$/);
  });
});
