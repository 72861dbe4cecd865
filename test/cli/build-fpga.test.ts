// `edgeprune build --target <fpga>`: a digits MLP whose dense design misses a cycle and LUT budget on ice40-up5k at
// every reuse factor is pruned until it meets them, as Verilator, Yosys and nextpnr measure (bit-exact, placed,
// bitstream written), and `verify --synth` of the model it wrote reports the same placement; exit 3 with the report
// when a budget cannot be met (xc7a35t, Yosys); the other kind's budgets, int8 models and layers the cost model cannot
// price refused by name.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

/** A parsed JSON report. */
type Json = ReturnType<typeof JSON.parse>;

const DIGITS = path.resolve('examples/digits/digits.csv.gz');
const RANDOM_MLP = path.resolve('examples/models/digits-mlp.onnx');

describe('build --target <fpga>', () => {
  let dir: string;
  let mlp: string;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeprune-build-fpga-'));
    // A digits MLP with 16 hidden units (seed 0), committed rather than trained here (test/fixtures/trained/README.md).
    mlp = path.resolve('test/fixtures/trained/digits-mlp16-seed0.onnx');
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** The build that meets its budgets on ice40-up5k (its output folder and report), run once for the tests that read it. */
  // Why this design (2,582 LUTs placed; Yosys and nextpnr are ~42 of its ~49 CPU-s): it is the smallest with the DSP
  // split the verify test checks: fc1 at 4 products and logits at 1, in LUT logic, beside the requantizers' 4 SB_MAC16
  // (all on DSP blocks: 9 > 8). A looser latency budget folds fc1 further (its next reuse factor, 448: 2 products; 3
  // with logits', 7 blocks: all on DSP; reasoned, not run); a tighter LUT or latency budget is not met (the search
  // prefers the 9-DSP mapping, or prunes past the accuracy limit); --final-epochs 1 changes the weights and Yosys puts
  // a fifth multiply on an SB_MAC16 (fpga2, session 15).
  async function metBuild(): Promise<{ out: string; report: Json }> {
    const out = path.join(dir, 'met');
    const r = await runCli(['build', mlp, '--target', 'ice40-up5k', '--data', DIGITS, '--latency-cycles', '400', '--max-luts', '2600', '--final-epochs', '3', '--verify-vectors', '6', '--out', out], { timeout: 900_000 });
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('ALL BUDGETS MET');
    expect(r.stderr).toMatch(/^precision: int8 \(FPGA target; 15-bit requantization multipliers for SB_MAC16\)\nsearching under the budgets/);
    return { out, report: JSON.parse(fs.readFileSync(path.join(out, 'report.json'), 'utf8')) };
  }
  let met: Promise<{ out: string; report: Json }> | undefined;

  it('prunes until the cycles and LUTs the dense design misses are met, measured in Verilator, Yosys and nextpnr', async () => {
    met ??= metBuild();
    const { out, report } = await met;
    expect(report).toMatchObject({ kind: 'fpga', passed: true, failed: [], precision: 'int8', target: { name: 'ice40-up5k', family: 'ice40' } });
    expect(report.budgets.map((b: { name: string }) => b.name)).toEqual(['latencyCycles', 'luts', 'logicCells', 'dsps', 'brams']);
    for (const b of report.budgets) expect(b.measured, b.name).toBeLessThanOrEqual(b.limit);
    // The dense model's best design missed a budget; pruning removed neurons of fc1.
    expect(report.estimatedCosts.dense.latencyCycles > 400 || report.estimatedCosts.dense.luts > 2600).toBe(true);
    expect(report.steps.filter((s: { chosen: string | null }) => s.chosen).length).toBeGreaterThan(0);
    const fc1 = report.layers.find((l: { name: string }) => l.name === 'fc1');
    expect(fc1.after.params).toBeLessThan(fc1.before.params);
    expect(fc1.hardware).toMatchObject({ module: expect.stringMatching(/^ep_dense_/), reuseFactor: report.design.reuseFactors.fc1 });
    // Cycles exact; LUTs within 15% of Yosys, logic cells within 10% of nextpnr.
    const by = (name: string) => report.budgets.find((b: { name: string }) => b.name === name);
    expect(by('latencyCycles').estimated).toBe(by('latencyCycles').measured);
    expect(Math.abs(by('luts').estimated - by('luts').measured) / by('luts').measured).toBeLessThan(0.15);
    expect(Math.abs(by('logicCells').estimated - by('logicCells').measured) / by('logicCells').measured).toBeLessThan(0.1);
    expect(report.verification).toMatchObject({ passed: true, vectors: 6, mismatchCount: 0, overflow: null, logicCellsSource: 'nextpnr' });
    expect(report.verification.placement.logicCells.used).toBe(by('logicCells').measured);
    expect(report.design.clock.fmaxMHz).toBeGreaterThan(12);
    expect(report.design.bitstreamBytes).toBeGreaterThan(100_000);
    expect(report.accuracy.dropPoints).toBeLessThanOrEqual(1.5);
    expect(report.quantization).toMatchObject({ scheme: 'qat', qatEpochs: 5 });
    // The output folder: the RTL project, the HLS C++ of the same design, the int8 model, the reports.
    const files: string[] = report.files;
    for (const f of ['model.onnx', 'report.json', 'report.html', 'fpga/Makefile', 'fpga/README.md', 'fpga/rtl/mlp.v', 'fpga/rtl/mlp_board.v', 'fpga/board.pcf', 'hls/mlp.cpp', 'hls/build.tcl']) {
      expect(files, f).toContain(f);
      expect(fs.existsSync(path.join(out, f)), f).toBe(true);
    }
    const html = fs.readFileSync(path.join(out, 'report.html'), 'utf8');
    expect(html).toContain('all budgets met');
    expect(html.match(/<svg/g)?.length).toBe(2);
  });

  // The model the build wrote, verified with --synth at its reuse factors and top name: the same RTL as the build's,
  // so the same placement (the run's FPGA result cache places it once: this checks verify's report of it).
  it('verify --synth of the built model on ice40-up5k: nextpnr Fmax, the bitstream, the µs at that Fmax, the DSP split', async () => {
    met ??= metBuild();
    const { out, report } = await met;
    const reuse = Object.entries(report.design.reuseFactors).map(([n, f]) => `${n}=${f}`).join(',');
    const r = await runCli(['verify', path.join(out, 'model.onnx'), '--target', 'ice40-up5k', '--vectors', '4', '--reuse-factor', reuse, '--prefix', 'mlp', '--synth', '--json'], { timeout: 900_000 });
    expect(r.stderr).toBe('');
    expect(r.exitCode, String(r.stderr)).toBe(0);
    const v = JSON.parse(r.stdout);
    expect(v).toMatchObject({ passed: true, vectors: 4, mismatchCount: 0, latencyCycles: report.verification.latencyCycles });
    expect(v.implementation.scope).toBe('board top (core + UART)');
    expect(v.fmaxMHz).toBeGreaterThan(12);
    expect(v.fmaxMHz).toBe(report.design.clock.fmaxMHz);
    expect(v.clockSource).toBe('nextpnr Fmax');
    expect(v.latencyUs).toBeCloseTo(v.latencyCycles / v.fmaxMHz, 9);
    expect(v.implementation.bitstreamBytes).toBeGreaterThan(10_000);
    expect(v.implementation.bitstreamBytes).toBe(report.design.bitstreamBytes);
    expect(v.implementation.placement).toEqual(report.verification.placement);
    expect(v.implementation.placement.logicCells.available).toBe(5280);
    // The auto mapping: the requantizers' multiplies on DSP blocks, the int8 products in LUT logic (all on DSP blocks
    // would take more than the 8 SB_MAC16 there are), as the build chose.
    expect(v.multipliers).toMatchObject({ count: report.design.multipliers.count, mapping: 'dsp', productsInLogic: true });
    const [, requant, all] = /requantizers' multiplies on about (\d+) SB_MAC16 of 8, the int8 products in LUT logic \(all of them would take about (\d+)\)/.exec(v.multipliers.reason) ?? [];
    expect(Number(all)).toBeGreaterThan(8);
    expect(v.dsps).toBeGreaterThan(0);
    expect(v.dsps).toBeLessThanOrEqual(Number(requant));
    expect(v.brams).toBeGreaterThanOrEqual(1);
  });

  it('exits 3 with the report when no design can meet a budget (xc7a35t: products on DSP blocks, one DSP48E1 allowed)', async () => {
    const out = path.join(dir, 'unmet');
    const r = await runCli(['build', mlp, '--target', 'xc7a35t', '--data', DIGITS, '--multipliers', 'dsp', '--max-dsps', '1', '--max-iterations', '2', '--final-epochs', '0', '--qat-epochs', '1', '--verify-vectors', '2', '--out', out], { timeout: 900_000 });
    expect(r.exitCode, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/^precision: int8 \(FPGA target; 16-bit requantization multipliers for DSP48E1\)/);
    expect(r.stdout).toMatch(/NOT MET: DSP blocks: \d+ > 1 \(--max-dsps 1\)/);
    const report = JSON.parse(fs.readFileSync(path.join(out, 'report.json'), 'utf8'));
    expect(report).toMatchObject({ passed: false, resourceScope: expect.stringMatching(/^the core/), design: { multipliers: { mapping: 'dsp', productsInLogic: false }, clock: { fmaxMHz: null } } });
    expect(report.stoppedBecause).toEqual(expect.any(String));
    // Measured by Yosys (synth_xilinx): the DSP blocks are structural, predicted exactly.
    const dsps = report.budgets.find((b: { name: string }) => b.name === 'dsps');
    expect(dsps.measured).toBe(dsps.estimated);
    expect(report.verification).toMatchObject({ passed: true, vectors: 2, placement: null, logicCellsSource: expect.stringMatching(/^estimated/) });
    expect(report.verification.resourcesSource).toMatch(/synth_xilinx/);
    expect(fs.existsSync(path.join(out, 'fpga', 'board.xdc'))).toBe(true);
  });

  it('refuses the other kind of budget, two latency budgets, no budget, an int8 model, float32 and a layer the cost model cannot price, writing nothing', async () => {
    const q = path.join(dir, 'q.onnx');
    expect((await runCli(['quantize', RANDOM_MLP, '--data', DIGITS, '--out', q], { timeout: 120_000 })).exitCode).toBe(0);
    const out = path.join(dir, 'refused');
    const cases: [string[], RegExp][] = [
      [[RANDOM_MLP, '--target', 'ice40-up5k', '--ram-kb', '4'], /--ram-kb is for MCU targets; ice40-up5k is an FPGA target/],
      [[RANDOM_MLP, '--target', 'stm32f405', '--max-luts', '100'], /--max-luts is for FPGA targets; stm32f405 is an MCU/],
      [[RANDOM_MLP, '--target', 'xc7a35t', '--latency-cycles', '10', '--latency-us', '1'], /give either --latency-cycles or --latency-us, not both/],
      [[RANDOM_MLP, '--target', 'xc7a35t'], /no budget given/],
      [[q, '--target', 'ice40-up5k', '--max-dsps', '2'], /already quantized \(int8\); build prunes and fine-tunes a float model/],
      [[RANDOM_MLP, '--target', 'ice40-up5k', '--max-dsps', '2', '--precision', 'float32'], /--precision float32: ice40-up5k is an FPGA target/],
      [[path.resolve('examples/models/digits-cnn.onnx'), '--target', 'ice40-up5k', '--max-dsps', '8'], /prices every candidate design with the FPGA cost model, and it has no formula for ep_\w+ \(layer '[^']+'\) on ice40-up5k/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(['build', ...args, '--data', DIGITS, '--out', out]);
      expect(r.exitCode, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(fs.existsSync(out)).toBe(false);
    }
  });
});
