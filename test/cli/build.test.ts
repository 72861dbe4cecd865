// `edgeprune build`: budgets met as measured in QEMU on the digits CNN, the report files, exit 3 when unmet (a digits MLP),
// clear errors.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

const CNN = path.resolve('examples/models/digits-cnn.onnx');
// A trained digits MLP (test/fixtures/trained/README.md): the unmet budget's build needs no CNN, and the MLP's dense
// measurement, search step and verification take about a quarter less CPU (10.7 against 14.6 s).
const MLP = path.resolve('test/fixtures/trained/digits-mlp32-10epochs-seed0.onnx');
const DIGITS = path.resolve('examples/digits/digits.csv.gz');

const made: string[] = [];
const tmp = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeprune-build-'));
  made.push(dir);
  return dir;
};
afterAll(() => made.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

describe('edgeprune build', () => {
  it('meets half the dense instructions and a RAM budget below the dense arena, as measured in QEMU (default target)', async () => {
    // The dense model, measured on the default target (stm32f405) the same way the build measures its result.
    // (verify --data splits the data as build does: its first 10 test vectors are the ones the build's dense check runs)
    const dense = await runCli(['verify', CNN, '--data', DIGITS, '--vectors', '10', '--json'], { timeout: 120_000 });
    expect(dense.exitCode, String(dense.stderr)).toBe(0);
    const d = JSON.parse(dense.stdout);
    expect(d.target).toBe('stm32f405');
    const maxInstructions = Math.floor(d.instructions / 2);
    const ramKb = (d.arenaBytes - 1024) / 1024;
    expect(ramKb * 1024).toBeLessThan(d.arenaBytes);

    const out = path.join(tmp(), 'build');
    // (--no-uniform-contender: the contender's fine-tune beside the final one is build-recovery's to run
    // end to end, and test/build/uniform-contender.test.ts's to check; --workers 0: the fine-tunes in this process, the
    // same bytes as the side-by-side default (test/build/search-fanout.test.ts), which build-recovery runs end to end)
    const r = await runCli(['build', CNN, '--data', DIGITS, '--max-instructions', String(maxInstructions), '--ram-kb', String(ramKb), '--no-uniform-contender', '--workers', '0', '--out', out], { timeout: 300_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^precision: float32 \(the default: stm32f405's cortex-m4 has an FPU, [^)]+\)\nmeasuring the dense model on [\w-]+ \(qemu [\w-]+\): [^\n]+\nthe dense model measured [\d,]+ instructions, predicted [\d,]+ \([+-]\d+\.\d%\): the search aims at [^\n]+\nsearching under the budgets/);
    expect(r.stdout).toMatch(/ALL BUDGETS MET/);
    // The layers with weights, before → after, with the predicted instructions.
    expect(r.stdout).toMatch(/conv2\s+Conv\s+1,168 → [\d,]+\s+73,728 → [\d,]+\s+\d+%\s+[\d,]+ → [\d,]+/);
    expect(r.stdout).toContain(path.join(out, 'report.html'));

    const report = JSON.parse(fs.readFileSync(path.join(out, 'report.json'), 'utf8'));
    expect(report.passed).toBe(true);
    expect(report.target.name).toBe('stm32f405');
    expect(report.budgets.map((b: { name: string }) => b.name)).toEqual(['instructions', 'ramBytes']);
    for (const b of report.budgets) {
      expect(b.measured, b.name).toBeLessThanOrEqual(b.limit);
      expect(b.pass).toBe(true);
      // The cost model's estimate is within 10% of the emulator.
      expect(Math.abs(b.estimated - b.measured) / b.measured, b.name).toBeLessThan(0.1);
    }
    expect(report.budgets[0].limit).toBe(maxInstructions);
    // The dense model measured before the search is the one verify measured.
    expect(report.denseCheck.measured.instructions).toBe(d.instructions);
    expect(r.stdout).toMatch(/before the search, the dense model measured [\d,]+ instructions/);
    expect(report.accuracy.dense - report.accuracy.final).toBeLessThanOrEqual(0.015);
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
    expect(html).toContain(maxInstructions.toLocaleString('en-US'));
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
  }, 420_000);

  it('exits 3 with the report written when a budget cannot be met, naming the budget and the cost reached', async () => {
    const out = path.join(tmp(), 'unmet');
    // (--workers 0 as above)
    const r = await runCli(['build', MLP, '--data', DIGITS, '--target', 'mps2-an386', '--max-instructions', '2000', '--max-iterations', '1', '--proposal-epochs', '0', '--final-epochs', '0', '--verify-vectors', '2', '--workers', '0', '--out', out], { timeout: 300_000 });
    expect(r.exitCode, String(r.stderr)).toBe(3);
    expect(r.stdout).toMatch(/NOT MET: instructions per inference: [\d,]+ > 2,000/);
    expect(r.stdout).toMatch(/search stopped: /);
    expect(r.stdout).toMatch(/smallest instructions per inference any candidate reached: [\d,]+ predicted \(.+, validation [\d.]+%\)/);
    const report = JSON.parse(fs.readFileSync(path.join(out, 'report.json'), 'utf8'));
    expect(report.passed).toBe(false);
    expect(report.failed[0]).toMatch(/^instructions per inference/);
    expect(report.budgets[0]).toMatchObject({ limit: 2000, pass: false });
    expect(report.budgets[0].measured).toBeGreaterThan(2000);
    expect(report.budgets[0].smallestSeen.cost).toBeLessThanOrEqual(report.budgets[0].estimated);
    expect(report.stoppedBecause).toMatch(/used its 1 iteration/);
    expect(report.verification.passed).toBe(true);
    expect(fs.existsSync(path.join(out, 'report.html'))).toBe(true);
  }, 300_000);

  it('refuses bad budgets, targets and output folders with one clear line, exit 2, nothing written', async () => {
    const dir = tmp();
    const out = path.join(dir, 'x');
    // (no budget, both --latency-ms and --max-instructions: parseBudgets in test/build/budgets.test.ts; a number out of
    // range: test/cli/command-line-errors.test.ts, through build)
    const cases: [string[], RegExp][] = [
      [['--ram-kb', '4', '--target', 'stm32f999'], /stm32f999/],
      [['--ram-kb', '4', '--criterion', 'taylor'], /--criterion must be l1, l2, redundancy; got 'taylor'/],
      [['--ram-kb', '4', '--anneal', 'always'], /--anneal must be none, long, all; got 'always'/],
      [['--ram-kb', '4', '--average-epochs', '-1'], /--average-epochs/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(['build', CNN, '--data', DIGITS, '--out', out, ...args]);
      expect(r.exitCode, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(fs.existsSync(out)).toBe(false);
    }
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, 'keep.txt'), 'mine');
    const r = await runCli(['build', CNN, '--data', DIGITS, '--out', out, '--ram-kb', '4']);
    expect(r.exitCode, String(r.stderr)).toBe(2);
    expect(r.stderr).toMatch(/--force/);
    expect(fs.readdirSync(out)).toEqual(['keep.txt']);
  });
});
