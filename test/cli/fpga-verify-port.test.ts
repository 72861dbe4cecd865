// `edgeprune verify --target <fpga> --port <device>` without a board: the board top's Verilator simulation on a pty
// (hw-sim/verilator/uart-pty.ts) stands in for the board's serial port, and the CLI opens it by path as it would
// /dev/ttyUSB1. The int8 chain model passes bit-exact with the wrapper's cycles; a board serving another model is
// refused (exit 2, saying what it found and how to program the board); a core built from another model with the same
// name and sizes fails (exit 4, naming the vectors); a frozen board (SIGSTOP) times out with exit 2. No simulation
// outlives the test.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildUartSimulation } from '../../hw-sim/verilator/uart-session.js';
import { startUartPty, type UartPty } from '../../hw-sim/verilator/uart-pty.js';
import type { VerilatorHarness } from '../../hw-sim/verilator/harness.js';
import { fpgaProject } from '../../src/emit/verilog/fpga-project.js';
import { beatBytes } from '../../src/emit/verilog/rtl-layer.js';
import type { Graph } from '../../src/ir/graph.js';
import { exportOnnx } from '../../src/onnx/export.js';
import { findTarget, isFpgaTarget } from '../../src/targets/load-targets.js';
import type { FpgaTarget } from '../../src/targets/schema.js';
import { plainNames } from '../support/hostile-names.js';
import { runCli } from '../support/cli.js';
import { processesMentioning } from '../hw-sim/support.js';
import { int8ChainModel } from '../verilog/rtl-models.js';

const found = findTarget('ice40-up5k');
if (!isFpgaTarget(found)) throw new Error('ice40-up5k is not an FPGA target');
const TARGET: FpgaTarget = found;

describe('verify --target <fpga> --port: a board top simulated behind a pty', () => {
  let dir: string;
  let model: string;
  const harnesses: VerilatorHarness[] = [];
  const ptys: UartPty[] = [];

  /** The board top `compile --prefix <name>` writes for `graph` (the core `name` behind the UART), simulated on a pty. */
  async function board(graph: Graph, name: string): Promise<UartPty> {
    const project = fpgaProject(graph, TARGET, { top: name });
    const where = fs.mkdtempSync(path.join(dir, 'core-'));
    const core = [`rtl/${project.design.top}.v`, ...project.coreLibrary.map((f) => `rtl/lib/${f}`)].map((rel) => {
      const file = path.join(where, path.basename(rel));
      fs.writeFileSync(file, project.files.get(rel)!);
      return file;
    });
    const harness = await buildUartSimulation({
      core, coreTop: project.design.top, name,
      inBytes: beatBytes(project.design.input.format), outBytes: beatBytes(project.design.output.format),
    });
    harnesses.push(harness);
    const pty = await startUartPty(harness);
    ptys.push(pty);
    return pty;
  }

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeprune-fpga-port-'));
    model = path.join(dir, 'chain.onnx');
    fs.writeFileSync(model, exportOnnx(int8ChainModel(plainNames(3))));
  });
  afterAll(async () => {
    for (const p of ptys) await p.close();
    fs.rmSync(dir, { recursive: true, force: true });
    for (const h of harnesses) expect(processesMentioning(h.executable)).toEqual([]);
  });

  it('is bit-exact with the interpreter on every vector and reports the cycles the wrapper counted', async () => {
    const pty = await board(int8ChainModel(plainNames(3)), 'model');
    const r = await runCli(['verify', model, '--target', 'ice40-up5k', '--port', pty.path, '--vectors', '8', '--json'], { timeout: 300_000 });
    expect(r.stderr).toBe('');
    expect(r.exitCode, String(r.stderr)).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ passed: true, vectors: 8, comparison: 'bit-exact', mismatchCount: 0, mismatches: [], target: 'ice40-up5k', implementation: null });
    expect(report.runOn).toContain(`board on ${pty.path}`);
    expect(report.runOn).toContain('not simulated');
    // The chain's latency in Verilator (test/cli/fpga-verify.test.ts) is 10 cycles: the wrapper counts the same.
    expect(report.board).toMatchObject({ port: pty.path, baudRate: 115200, cycles: Array(8).fill(10) });
    expect(report.latencyCycles).toBe(10);
    expect(report.latencyUs).toBeCloseTo(10 / 12, 9);
    expect(report.perLayer.map((l: { node: string; mismatches: number | null }) => [l.node, l.mismatches])).toEqual([
      ['layer_0', null], ['layer_1', null], ['layer_2', null], ['argmax_6', null],
    ]);
    // The table and the verdict.
    const text = await runCli(['verify', model, '--target', 'ice40-up5k', '--port', pty.path, '--vectors', '3'], { timeout: 300_000 });
    expect(text.exitCode, String(text.stderr)).toBe(0);
    expect(text.stdout).toMatch(/PASSED: 3\/3 vectors bit-exact with the interpreter \(the core's output; layers are not traced over the port\)/);
    expect(text.stdout).toMatch(/latency: 10 cycles measured on the board → 0\.833 µs at 12\.0 MHz/);
  });

  it('refuses a board that serves another model, saying what it found and how to program it', async () => {
    const pty = await board(int8ChainModel(plainNames(3)), 'other');
    const r = await runCli(['verify', model, '--target', 'ice40-up5k', '--port', pty.path, '--vectors', '2'], { timeout: 300_000 });
    expect(r.exitCode, String(r.stderr)).toBe(2);
    expect(r.stderr).toMatch(/the board on \S+ serves 'other' \(4 input bytes, 1 output bytes\), not this model's core 'model' \(4 input bytes, 1 output bytes\)/);
    expect(r.stderr).toMatch(/make -C <dir> prog/);
    // --prefix names the core: the same board is then the one expected.
    const renamed = await runCli(['verify', model, '--target', 'ice40-up5k', '--port', pty.path, '--vectors', '2', '--prefix', 'other', '--json'], { timeout: 300_000 });
    expect(renamed.exitCode, String(renamed.stderr)).toBe(0);
    expect(JSON.parse(renamed.stdout).passed).toBe(true);
  });

  it('fails with exit 4 naming the vectors when the board computes another model', async () => {
    // Two layers instead of three: the same name and sizes, other outputs.
    const pty = await board(int8ChainModel(plainNames(2)), 'model');
    const r = await runCli(['verify', model, '--target', 'ice40-up5k', '--port', pty.path, '--vectors', '16', '--json'], { timeout: 300_000 });
    expect(r.exitCode, String(r.stderr)).toBe(4);
    const report = JSON.parse(r.stdout);
    expect(report.passed).toBe(false);
    expect(report.mismatchCount).toBeGreaterThan(0);
    expect(report.mismatches.length).toBe(report.mismatchCount);
    const first = report.mismatches[0];
    expect(first.run).toBe('board');
    expect(first.got).not.toEqual(first.want);
    const text = await runCli(['verify', model, '--target', 'ice40-up5k', '--port', pty.path, '--vectors', '16'], { timeout: 300_000 });
    expect(text.exitCode, String(text.stderr)).toBe(4);
    expect(text.stdout).toMatch(new RegExp(`FAILED: ${report.mismatchCount} output mismatches over 16 vectors, first on vector ${first.vector}`));
    expect(text.stdout).toMatch(new RegExp(`\\n\\s*${first.vector}\\s+\\S+\\s+FAIL: got \\[${first.got.join(' ')}\\], want \\[${first.want.join(' ')}\\]`));
  });

  it('gives exit 2 with what to check when the board does not answer', async () => {
    const pty = await board(int8ChainModel(plainNames(3)), 'model');
    process.kill(pty.pid, 'SIGSTOP'); // the pty stays, nothing reads it
    try {
      const r = await runCli(['verify', model, '--target', 'ice40-up5k', '--port', pty.path, '--vectors', '2'], { timeout: 300_000 });
      expect(r.exitCode, String(r.stderr)).toBe(2);
      expect(r.stderr).toMatch(/no answer from the board on \S+: board on \S+: the firmware did not answer a ping within \d+ ms/);
      expect(r.stderr).toMatch(/the FPGA board's UART \(115200 baud\).*make -C <dir> prog/s);
    } finally {
      process.kill(pty.pid, 'SIGCONT');
    }
  });
});
