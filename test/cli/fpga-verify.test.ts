// `edgeprune verify --target <fpga>`: the model's RTL in Verilator against the interpreter (every output and every
// layer's, with and without stalls), the measured latency and II, and with --synth the Yosys figures (on iCE40,
// nextpnr's: test/cli/build-fpga.test.ts verifies the model its build wrote, a design it has placed already); --json
// carries what the issue lists. MCU-only flags are refused on an FPGA target.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportOnnx } from '../../src/onnx/export.js';
import { plainNames } from '../support/hostile-names.js';
import { runCli } from '../support/cli.js';
import { int8ChainModel } from '../verilog/rtl-models.js';

describe('verify --target <fpga>', () => {
  let dir: string;
  let model: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeprune-fpga-verify-'));
    model = path.join(dir, 'chain.onnx');
    fs.writeFileSync(model, exportOnnx(int8ChainModel(plainNames(3))));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('is bit-exact with the interpreter on every vector and layer, and reports cycles (xc7)', async () => {
    const r = await runCli(['verify', model, '--target', 'xc7a35t', '--vectors', '12', '--json'], { timeout: 600_000 });
    expect(r.stderr).toBe('');
    expect(r.exitCode, String(r.stderr)).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ passed: true, vectors: 12, comparison: 'bit-exact', mismatchCount: 0, firstDivergingLayer: null, target: 'xc7a35t' });
    expect(report.latencyCycles).toBe(10);
    expect(report.initiationInterval).toBe(1);
    expect(report.latencyUs).toBeCloseTo(10 / 100, 9);
    // Without --synth nothing is measured.
    expect(report).toMatchObject({ luts: null, ffs: null, dsps: null, brams: null, fmaxMHz: null, implementation: null, resourcesSource: null });
    expect(report.perLayer.map((l: { node: string; reuseFactor: number; mismatches: number }) => [l.node, l.reuseFactor, l.mismatches])).toEqual([
      ['layer_0', 1, 0], ['layer_1', 1, 0], ['layer_2', 1, 0], ['argmax_6', 1, 0],
    ]);
  });

  // (The chain folded: its synthesis takes a fraction of the reuse-factor-1 design's, 120 s of synth_xilinx on the
  // loaded machine; fpga-cost-xc7 and dense-rf1-synthesis put reuse-factor-1 layers through synth_xilinx. Folded as
  // fpga-cost-xc7 compares its prediction with Yosys: the run's FPGA result cache synthesizes the design once for both.)
  it('reports the Yosys figures with --synth on xc7 (no place and route: the board clock)', async () => {
    // Ten vectors: the serial layers' two-vector input buffer hides their interval (16) behind layer_0's (8) for the first few.
    const r = await runCli(['verify', model, '--target', 'xc7a35t', '--vectors', '10', '--reuse-factor', '16,layer_0=8', '--synth', '--json'], { timeout: 600_000 });
    expect(r.stderr).toBe('');
    expect(r.exitCode, String(r.stderr)).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ passed: true, vectors: 10, mismatchCount: 0, initiationInterval: 16 });
    for (const key of ['luts', 'ffs', 'dsps', 'brams']) expect(typeof report[key], key).toBe('number');
    expect(report.luts).toBeGreaterThan(0);
    expect(report.fmaxMHz).toBeNull();
    expect(report.clockSource).toMatch(/^the board clock/);
    expect(report.latencyUs).toBeCloseTo(report.latencyCycles / 100, 9);
    expect(report.implementation.logicTiming.logicDelayNs).toBeGreaterThan(0);
    expect(report.resourcesSource).toMatch(/synthesis estimate \(Yosys synth_xilinx -family xc7\)/);
  });

  it('folds layers at the reuse factors asked: bit-exact, serial streams between folded layers, a new input every RF cycles', async () => {
    const r = await runCli(['verify', model, '--target', 'ice40-up5k', '--vectors', '6', '--reuse-factor', '16,layer_1=8', '--json'], { timeout: 600_000 });
    expect(r.stderr).toBe('');
    expect(r.exitCode, String(r.stderr)).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.passed).toBe(true);
    // layer_1 at two multipliers takes the whole vector (a collector before it); layer_2 at one reads layer_1's serial
    // output from block RAM; the ArgMax takes the whole vector.
    expect(report.perLayer.map((l: { module: string; reuseFactor: number }) => [l.module, l.reuseFactor])).toEqual([
      ['ep_dense_folded', 16], ['ep_collect', 1], ['ep_dense_folded', 8], ['ep_dense_folded', 16], ['ep_collect', 1], ['ep_argmax', 1],
    ]);
    // y[o] leaves a folded layer (o + 1)·K + 6 cycles after its first read: layer_0's last output at 4·4 + 6 = 22, collected
    // at 23; layer_1 (K 2) reads from 23, its outputs at 31, 33, 35, 37; layer_2 reads from 38 (the cycle after its last
    // element), its last output at 38 + 22 = 60, collected at 61; the ArgMax 1 more.
    expect(report.latencyCycles).toBe(62);
    expect(report.initiationInterval).toBe(16);
    // The board clock (12 MHz) without --synth.
    expect(report.latencyUs).toBeCloseTo(62 / 12, 9);
  });

  it('refuses a reuse factor a layer cannot fold to, naming the legal ones', async () => {
    const r = await runCli(['verify', model, '--target', 'ice40-up5k', '--reuse-factor', 'layer_2=6']);
    expect(r.exitCode, String(r.stderr)).toBe(2);
    expect(r.stderr).toMatch(/layer_2.*reuse factor 6 cannot fold a 4→4 layer; its reuse factors: 1, 4, 8, 16/);
  });

  it('prints a table and the verdict without --json', async () => {
    const r = await runCli(['verify', model, '--target', 'ice40-hx8k', '--vectors', '3'], { timeout: 600_000 });
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(r.stdout).toMatch(/PASSED: 3\/3 vectors bit-exact with the interpreter/);
    expect(r.stdout).toMatch(/latency: 10 cycles, a new input every 1 cycle\(s\)/);
    expect(r.stdout).toMatch(/resources: not measured \(add --synth/);
  });

  it('refuses MCU-only flags on an FPGA target and FPGA flags on an MCU', async () => {
    for (const [args, message] of [
      [['--target', 'ice40-up5k', '--trace'], /--trace is for MCU targets/],
      [['--target', 'ice40-up5k', '--port', '/dev/null', '--synth'], /--synth and --port: the board runs a bitstream built already/],
      [['--target', 'stm32f405', '--synth'], /--synth is for FPGA targets/],
    ] as const) {
      const r = await runCli(['verify', model, ...args]);
      expect(r.exitCode, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  });
});
