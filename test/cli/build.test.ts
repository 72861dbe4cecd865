// `edgeprune build`: exit 3 with the report written when a budget is unmet (a digits MLP), and clear errors. (Budgets
// met as measured in QEMU on the digits CNN, with the report files: test/cli/build-recovery.test.ts.)
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
  // A build that meets half the dense instructions and a RAM budget below the dense arena, as measured in QEMU, its
  // output, report.json, report.html and files, and its pruned model verified on its own: test/cli/build-recovery.test.ts
  // ('build --max-instructions 69875 --ram-kb 5 ...'), issue 12's build of a digits CNN at half its dense instructions and
  // 5 KiB, which checks all of it; a second CNN build here cost 44 CPU-s for the same checks (the default target, which
  // that build names with --target: test/cli/tfjs-model.test.ts's build).

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
