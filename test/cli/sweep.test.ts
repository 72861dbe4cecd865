// `edgeprune sweep` end to end on a small digits MLP, 2 targets × 2 instruction budgets: a met build, a looser budget
// reusing it, a budget the search cannot reach (a result, met: false, with the smallest cost reached), one the dense
// model already meets (no search); --resume runs nothing; a Redis queue served by 2 `edgeprune worker` processes
// gives the bytes of 2 local workers (apart from the wall times; 1 against 2 local workers: bench/sweep.ts).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { startRedisServer, type RedisServer } from '../../hw-sim/redis/server.js';
import { findMcuTarget } from '../../src/targets/load-targets.js';
import { runCli } from '../support/cli.js';
import { skipWithoutTools } from '../support/toolchain.js';

const skip = await skipWithoutTools('test/cli/sweep.test.ts', ['arm-none-eabi-gcc', 'qemu-system-arm', 'redis-server']);
const DIGITS = path.resolve('examples/digits/digits.csv.gz');
const BIN = path.resolve('bin/edgeprune.js');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ep-sweep-'));
// A digits MLP (32 hidden, 10 epochs, seed 0), committed rather than trained here (test/fixtures/trained/README.md).
const model = path.resolve('test/fixtures/trained/digits-mlp32-10epochs-seed0.onnx');
let server: RedisServer | undefined;
const workers: ResultPromise[] = [];
afterAll(async () => {
  for (const w of workers) w.kill('SIGKILL');
  await Promise.allSettled(workers);
  await server?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

// stm32f405 (float32): the dense model measures about 6,450 instructions; lm3s6965 (int8): about 12,500. No fine-tuning
// (--proposal-epochs 0, --final-epochs 0): what a sweep adds to build is the combinations, not the search's training.
const SWEEP = ['--data', DIGITS, '--targets', 'stm32f405,lm3s6965', '--max-instructions', '6200,14000', '--max-iterations', '1', '--proposal-epochs', '0', '--final-epochs', '0', '--verify-vectors', '5'];
const sweep = (out: string, ...more: string[]) => runCli(['sweep', model, ...SWEEP, '--out', out, ...more], { timeout: 300_000 });
const read = (out: string) => fs.readFileSync(path.join(out, 'sweep.json'), 'utf8');
/** sweep.json without the wall times (the one field that differs between identical sweeps). */
const withoutWallTimes = (out: string) => {
  const r = JSON.parse(read(out));
  expect(Object.keys(r.wallSeconds).sort()).toEqual(['lm3s6965-int8-14000instr', 'lm3s6965-int8-6200instr', 'stm32f405-float32-6200instr']);
  delete r.wallSeconds;
  return JSON.stringify(r, null, 2);
};

describe.skipIf(skip)('edgeprune sweep', () => {
  it('builds every combination (met, reused, unreachable, dense), and resumes without running a job', async () => {
    const out = path.join(dir, 'two');
    const r = await sweep(out, '--workers', '2');
    expect(r.exitCode, r.stderr).toBe(0);
    const report = JSON.parse(read(out));
    const byName = Object.fromEntries(report.combinations.map((c: { name: string }) => [c.name, c]));
    expect(Object.keys(byName)).toEqual(['stm32f405-float32-6200instr', 'stm32f405-float32-14000instr', 'lm3s6965-int8-6200instr', 'lm3s6965-int8-14000instr']);
    const met = byName['stm32f405-float32-6200instr'];
    expect(met).toMatchObject({ status: 'built', met: true, search: 'searched', output: 'builds/stm32f405-float32-6200instr', error: null });
    expect(met.measured.instructions).toBeLessThanOrEqual(6200);
    const f405 = findMcuTarget('stm32f405');
    expect(met.measured.latencyMs).toBeCloseTo((met.measured.instructions * f405.cyclesPerInstruction * 1000) / f405.clockHz, 9);
    // The looser budget reuses the met build: its measured cost already meets 14,000.
    expect(byName['stm32f405-float32-14000instr']).toMatchObject({ status: 'reused', job: null, reusedFrom: 'stm32f405-float32-6200instr', met: true, measured: met.measured, accuracy: met.accuracy, output: met.output });
    expect(r.stderr).toContain('stm32f405-float32-14000instr: reuses stm32f405-float32-6200instr');
    // One search iteration cannot halve the int8 model's instructions: a result, not an error.
    const unmet = byName['lm3s6965-int8-6200instr'];
    expect(unmet).toMatchObject({ status: 'built', met: false, error: null });
    expect(unmet.failed[0]).toMatch(/^instructions per inference: [\d,]+ > 6,200/);
    expect(unmet.smallestReached[0]).toMatchObject({ budget: 'instructions', limit: 6200, cost: expect.any(Number), description: expect.any(String) });
    expect(byName['lm3s6965-int8-14000instr']).toMatchObject({ status: 'built', met: true, iterations: 0, search: expect.stringMatching(/^dense model meets the budget/) });
    for (const name of ['stm32f405-float32-6200instr', 'lm3s6965-int8-6200instr', 'lm3s6965-int8-14000instr']) {
      const report = JSON.parse(fs.readFileSync(path.join(out, 'builds', name, 'report.json'), 'utf8'));
      expect(report.verification.instructions, name).toBe(byName[name].measured.instructions);
    }
    // The cheapest board: lm3s6965 (320 KiB of flash + RAM) where it meets the budget, else stm32f405.
    expect(report.cheapest.map((c: { target: string | null }) => c.target)).toEqual(['stm32f405', 'lm3s6965']);
    expect(r.stdout).toContain('4 combinations: 3 met, 1 not met, 0 failed; 3 built, 1 reused from a tighter budget; jobs: 3 run, 0 already finished');
    expect(r.stdout).toMatch(/cheapest board meeting each budget \(smallest flash \+ RAM, then slowest clock; no price data\): 6200 instructions: stm32f405 \(float32, [\d.]+% test accuracy\); 14000 instructions: lm3s6965 \(int8/);
    const html = fs.readFileSync(path.join(out, 'sweep.html'), 'utf8');
    expect(html.match(/<svg/g)).toHaveLength(3);

    // --resume: every job is kept in jobs/; nothing runs, and the report is the same bytes (wall times included).
    const before = read(out);
    const again = await sweep(out, '--workers', '2', '--resume');
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stdout).toContain('jobs: 0 run, 3 already finished');
    expect(read(out)).toBe(before);
    // --json: sweep.json itself on stdout, in place of the summary.
    const json = await sweep(out, '--workers', '2', '--resume', '--json');
    expect(json.exitCode, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual(JSON.parse(before));
    // Without --resume or --force an earlier sweep's folder is refused.
    const refused = await sweep(out);
    expect(refused.exitCode, String(refused.stderr)).toBe(2);
    expect(refused.stderr).toMatch(/exists and is not empty.*--resume/s);

  }, 900_000);

  it('refuses bad flags and data with one clear line, exit 2, no output folder', async () => {
    const out = path.join(dir, 'bad');
    const cases: [string[], RegExp][] = [
      [['--data', DIGITS, '--targets', 'stm32f405'], /no budget given/],
      [['--data', DIGITS, '--targets', 'xc7a35t', '--latency-ms', '1,1'], /--latency-ms '1,1' lists a value twice/],
      // Found after the model is loaded: the output folder is made only once the inputs are checked.
      [['--data', path.join(dir, 'missing.csv'), '--targets', 'stm32f405', '--latency-ms', '1'], /missing\.csv/],
      // --input-shape reaches the model's loading: a name that is not an input is refused.
      [['--data', DIGITS, '--targets', 'stm32f405', '--latency-ms', '1', '--input-shape', 'pixels=1x64'], /--input-shape names 'pixels', which is not a model input/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(['sweep', model, ...args, '--out', out]);
      expect(r.exitCode, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(fs.existsSync(out), args.join(' ')).toBe(false);
    }
  });

  it('gives the same bytes through a Redis queue served by two edgeprune worker processes', async () => {
    server = await startRedisServer();
    for (let i = 0; i < 2; i++) workers.push(execa(process.execPath, [BIN, 'worker', '--queue', server.url], { reject: false, stdin: 'ignore', timeout: 900_000 }));
    const out = path.join(dir, 'redis');
    const r = await sweep(out, '--queue', server.url);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(withoutWallTimes(out)).toBe(withoutWallTimes(path.join(dir, 'two')));
  }, 900_000);
});
