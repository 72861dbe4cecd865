// Issue 12's failing scenarios: a digits CNN trained with seed 1, built at half its dense instructions and 5 KiB of RAM, must meet both
// budgets within --max-drop 1.5; pruned with --structured 0.5, it must reach half its MACs. The build is also the one
// `edgeprune build` on a CNN is checked by end to end (its output, report, HTML and files; the rest: test/cli/build.test.ts).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

const DIGITS = path.resolve('examples/digits/digits.csv.gz');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeprune-build-recovery-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

// The digits CNN `train --arch cnn --seed 1` makes, committed rather than trained here (test/fixtures/trained/README.md).
const model = path.resolve('test/fixtures/trained/digits-cnn-seed1.onnx');

describe('build and prune recover instead of stopping (issue 12)', () => {
  it('build --max-instructions 69875 --ram-kb 5 (half the dense instructions, a RAM budget below the dense arena): both budgets met in QEMU, test drop within 1.5 points; the report files, and the pruned model verifies on its own', async () => {
    // The dense model, measured the same way the build measures its result (verify --data splits the data as build
    // does: its first 10 test vectors are the ones the build's dense check runs). Issue 12's budgets are half of its
    // instructions and 5 KiB, below its arena.
    const dense = await runCli(['verify', model, '--data', DIGITS, '--vectors', '10', '--json'], { timeout: 120_000 });
    expect(dense.exitCode, String(dense.stderr)).toBe(0);
    const d = JSON.parse(dense.stdout);
    expect(d.target).toBe('stm32f405');
    expect(Math.floor(d.instructions / 2), 'issue 12 built at half the dense instructions').toBe(69875);
    expect(5 * 1024).toBeLessThan(d.arenaBytes);

    const out = path.join(dir, 'out1');
    // The default fine-tuner on purpose (no --workers): the CLI build that runs it end to end, on 2 or more cores this
    // process and one kept local worker side by side, with the uniform contender and the speculative refits of the final
    // stage (the other CLI builds pass --workers 0, the same bytes: test/build/search-fanout.test.ts): issue 12's
    // scenario as a user runs it. The default --verify-vectors too (the whole test split, 359): 0.7 CPU-s more in QEMU
    // than 10 vectors, and this build's report is also the one test/cli/build.test.ts checked with a build of its own
    // (the bundled CNN at half its instructions and 4.5 KiB: 44 CPU-s, the same checks).
    const r = await runCli(['build', model, '--target', 'stm32f405', '--data', DIGITS, '--max-instructions', '69875', '--ram-kb', '5', '--out', out], { timeout: 600_000 });
    expect(r.exitCode, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stderr).toMatch(/^precision: float32 \(the default: stm32f405's cortex-m4 has an FPU, [^)]+\)\nmeasuring the dense model on [\w-]+ \(qemu [\w-]+\): [^\n]+\nthe dense model measured [\d,]+ instructions, predicted [\d,]+ \([+-]\d+\.\d%\): the search aims at [^\n]+\nsearching under the budgets/);
    expect(r.stdout).toMatch(/ALL BUDGETS MET/);
    // The layers with weights, before → after, with the predicted instructions.
    expect(r.stdout).toMatch(/conv2\s+Conv\s+1,168 → [\d,]+\s+73,728 → [\d,]+\s+\d+%\s+[\d,]+ → [\d,]+/);
    expect(r.stdout).toContain(path.join(out, 'report.html'));
    const report = JSON.parse(fs.readFileSync(path.join(out, 'report.json'), 'utf8'));
    expect(report.passed).toBe(true);
    expect(report.target.name).toBe('stm32f405');
    expect(report.budgets.map((b: { name: string }) => b.name)).toEqual(['instructions', 'ramBytes']);
    expect(report.budgets.map((b: { limit: number }) => b.limit)).toEqual([69875, 5120]);
    for (const b of report.budgets) {
      expect(b.measured, b.name).toBeLessThanOrEqual(b.limit);
      expect(b.pass).toBe(true);
      // The cost model's estimate is within 10% of the emulator.
      expect(Math.abs(b.estimated - b.measured) / b.measured, b.name).toBeLessThan(0.1);
    }
    expect(report.accuracy.dropPoints).toBeLessThanOrEqual(1.5);
    expect(report.accuracy.dense - report.accuracy.final).toBeLessThanOrEqual(0.015);
    expect(report.stoppedBecause).toBeNull();
    // The dense model measured before the search is the one verify measured.
    expect(report.denseCheck.measured.instructions).toBe(d.instructions);
    expect(r.stdout).toMatch(/before the search, the dense model measured [\d,]+ instructions/);
    // The uncertainty of the figures: one validation sample in points, and the paired standard error of the test drop.
    const u = report.accuracy.uncertainty;
    expect(u.validationPointsPerSample).toBeCloseTo(100 / u.validationSamples, 9);
    expect(u.dropStandardError).toBeGreaterThan(0);
    expect(r.stdout).toMatch(/uncertainty: 1 validation sample = \d\.\d\d points \(\d+ samples decide the search\), 1 test sample = \d\.\d\d points; the test drop's standard error is \d\.\d\d points \(paired\)/);
    expect(report.verification).toMatchObject({ passed: true, hostBitIdentical: true, target: 'stm32f405' });
    expect(report.verification.instructions).toBe(report.budgets[0].measured);
    // The deployed model ran the whole test split (359 samples, under the 1,000 default) on the emulated board.
    expect(report.verification.vectors).toBe(359);
    expect(report.verification.accuracy).toMatchObject({ vectors: 359, agreement: 1 });
    expect(report.verification.accuracy.onTarget).toBe(report.verification.accuracy.interpreter);
    expect(Math.abs(report.verification.accuracy.interpreter - report.accuracy.final)).toBeLessThanOrEqual(1 / 359);
    expect(r.stdout).toMatch(/verified on qemu netduinoplus2 \(359 test vectors\): outputs match the interpreter/);
    expect(r.stdout).toMatch(/on-target accuracy: [\d.]+% on qemu netduinoplus2, interpreter [\d.]+% \(359 labelled vectors\) · top-1 agreement 100\.00%/);
    expect(report.steps.length).toBeGreaterThan(0);
    expect(report.steps.every((s: { chosen: string | null }) => typeof s.chosen === 'string')).toBe(true);
    const conv2 = report.layers.find((l: { name: string }) => l.name === 'conv2');
    expect(conv2.after.macs).toBeLessThan(conv2.before.macs);
    for (const l of report.layers) expect(l.before).toMatchObject({ params: expect.any(Number), macs: expect.any(Number), instructions: expect.any(Number) });

    const html = fs.readFileSync(path.join(out, 'report.html'), 'utf8');
    expect(html.match(/<svg/g)?.length).toBe(3); // a trajectory per budget (instructions, RAM) and the layers
    expect(html).toMatch(/On-target accuracy \(test split, 359 labelled vectors run on qemu netduinoplus2\): <b>[\d.]+%<\/b>/);
    expect(html).toContain((69875).toLocaleString('en-US'));
    expect(html).not.toMatch(/(src|href)="https?:/);
    for (const f of ['model.onnx', 'c/model.c', 'c/model.h', 'c/model_weights.c', 'c/Makefile', 'c/CMakeLists.txt', 'c/README.md', 'c/zephyr/module.yml', 'c/zephyr/CMakeLists.txt']) expect(fs.existsSync(path.join(out, f)), f).toBe(true);
    expect(report.files).toContain('c/model.c');

    // The pruned model is a valid ONNX model that verifies on its own: on the same test split (verify splits --data as
    // build does), the same largest instruction count (it varies with the data by a few instructions) and accuracy.
    const again = await runCli(['verify', path.join(out, 'model.onnx'), '--data', DIGITS, '--json'], { timeout: 120_000 });
    expect(again.exitCode, String(again.stderr)).toBe(0);
    const verified = JSON.parse(again.stdout);
    expect(verified.instructions).toBe(report.verification.instructions);
    expect(verified.accuracy).toEqual(report.verification.accuracy);
  }, 900_000);

  it('prune --structured 0.5 removes half the MACs (it stopped at 22.5% before the recovery policy)', async () => {
    const out = path.join(dir, 'half.onnx');
    const r = await runCli(['prune', model, '--data', DIGITS, '--structured', '0.5', '--out', out, '--json'], { timeout: 900_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(1 - j.final.macs / j.dense.macs).toBeGreaterThanOrEqual(0.499);
    expect(j.stoppedBecause).toBeNull();
    // Every accepted step kept the validation accuracy within the 1-point drop.
    for (const s of j.steps.filter((x: { accepted: boolean }) => x.accepted)) expect((j.dense.validation - s.validation) * 100).toBeLessThanOrEqual(1 + 1e-9);
  });
});
