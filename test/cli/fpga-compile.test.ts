// `edgeprune compile --target <fpga>`: the project it writes (core, board top, library, testbench, constraints,
// Makefile, README), linted by Verilator as the Makefile would (board top first: it names the core); same bytes twice; hostile model names confined to
// escaped comments, identifiers and Markdown; and the refusals (float model without calibration data, float32,
// a reuse factor naming no layer, FPGA flags on an MCU target).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lintVerilog } from '../../hw-sim/verilator/lint.js';
import { exportOnnx } from '../../src/onnx/export.js';
import { HOSTILE_MODEL_NAMES, PWNED_FILE, plainNames } from '../support/hostile-names.js';
import { runCli } from '../support/cli.js';
import { int8ChainModel } from '../verilog/rtl-models.js';

const read = (dir: string, f: string) => fs.readFileSync(path.join(dir, f), 'utf8');

function listFiles(dir: string, prefix = ''): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listFiles(path.join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`])).sort();
}

describe('compile --target <fpga>', () => {
  let dir: string;
  let hostileModel: string;
  let plainModel: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeprune-fpga-compile-'));
    hostileModel = path.join(dir, 'hostile.onnx');
    plainModel = path.join(dir, 'plain.onnx');
    fs.writeFileSync(hostileModel, exportOnnx(int8ChainModel(HOSTILE_MODEL_NAMES)));
    fs.writeFileSync(plainModel, exportOnnx(int8ChainModel(plainNames(3))));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes the Verilog project for ice40-up5k: Verilator lints the board top as the Makefile builds it', async () => {
    const out = path.join(dir, 'up5k');
    const r = await runCli(['compile', plainModel, '--target', 'ice40-up5k', '--out', out, '--json']);
    expect(r.stderr).toBe('');
    expect(r.exitCode, String(r.stderr)).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary.top).toBe('model');
    expect(summary.files).toEqual(listFiles(out).filter((f) => f !== '.edgeprune-output'));
    expect(summary.files).toEqual(expect.arrayContaining(['Makefile', 'README.md', 'board.pcf', 'rtl/model.v', 'rtl/model_board.v', 'rtl/lib/ep_dense_rf1.v', 'rtl/lib/ep_uart_top.v', 'sim/model_tb.cpp',
      'hls/model.cpp', 'hls/model.h', 'hls/model_tb.cpp', 'hls/vectors.txt', 'hls/build.tcl', 'hls/README.md']));
    // Three 4→4 layers at reuse factor 1 and an ArgMax: 3 + 3 + 3 + 1 cycles.
    expect(summary.latencyCycles).toBe(10);
    expect(summary.initiationInterval).toBe(1);
    const makefile = read(out, 'Makefile');
    expect(makefile).toMatch(/nextpnr-ice40 --up5k --package sg48 --pcf board.pcf/);
    expect(makefile).toMatch(/icepack/);
    expect(read(out, 'board.pcf')).toMatch(/set_io uart_tx /);
    const rtl = (f: string) => path.join(out, 'rtl', f);
    const sources = [rtl('model.v'), rtl('model_board.v'), ...fs.readdirSync(path.join(out, 'rtl/lib')).map((f) => rtl(`lib/${f}`))];
    const lint = await lintVerilog('model_board', sources);
    expect(lint.messages).toEqual([]);
    expect(lint.clean).toBe(true);
  });

  it('writes a synthesis-estimate Makefile for xc7 targets, with the board XDC', async () => {
    const out = path.join(dir, 'arty');
    const r = await runCli(['compile', plainModel, '--target', 'xc7a35t', '--out', out, '--prefix', 'jet']);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(r.stdout).toMatch(/synthesis estimate/);
    const makefile = read(out, 'Makefile');
    expect(makefile).toMatch(/synth_xilinx -family xc7 -top \$\(BOARD_TOP\)/);
    expect(makefile).not.toMatch(/^\tnextpnr/m);
    expect(read(out, 'board.xdc')).toMatch(/create_clock .*-period 10\.000/);
    expect(fs.existsSync(path.join(out, 'rtl/jet.v'))).toBe(true);
    // The Vitis HLS script for the board's part and clock.
    const tcl = read(out, 'hls/build.tcl');
    for (const line of ['set_top jet', 'add_files jet.cpp -cflags "-std=c++17"', 'set_part xc7a35ticsg324-1l', 'create_clock -period 10 -name default', 'csim_design -argv vectors.txt', 'csynth_design', 'export_design -format ip_catalog']) {
      expect(tcl.split('\n'), line).toContain(line);
    }
  });

  it('gives the same bytes twice', async () => {
    const a = path.join(dir, 'same-a');
    const b = path.join(dir, 'same-b');
    for (const out of [a, b]) expect((await runCli(['compile', hostileModel, '--target', 'ice40-hx8k', '--out', out])).exitCode).toBe(0);
    const files = listFiles(a).filter((f) => f !== '.edgeprune-output');
    expect(files).toEqual(listFiles(b).filter((f) => f !== '.edgeprune-output'));
    for (const f of files) expect(read(a, f), f).toBe(read(b, f));
  });

  it('keeps hostile names out of the code: Verilator lints the project, the Makefile runs nothing of the model\'s, the README escapes', async () => {
    const out = path.join(dir, 'hostile');
    const r = await runCli(['compile', hostileModel, '--target', 'ice40-up5k', '--out', out, '--prefix', 'core']);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    const sources = ['core.v', 'core_board.v', ...fs.readdirSync(path.join(out, 'rtl/lib')).map((f) => `lib/${f}`)].map((f) => path.join(out, 'rtl', f));
    expect((await lintVerilog('core_board', sources)).messages).toEqual([]);
    const makefile = read(out, 'Makefile');
    // The graph's name (newlines, $(shell ...), a rule) stays on one comment line.
    const nameLine = makefile.split('\n')[0];
    expect(nameLine.startsWith('# Makefile: the open FPGA flow for the model ')).toBe(true);
    expect(makefile.split('\n').filter((l) => l.includes(PWNED_FILE)).every((l) => l.startsWith('#'))).toBe(true);
    const readme = read(out, 'README.md');
    for (const line of readme.split('\n').filter((l) => l.startsWith('| ') && /^\| \d/.test(l))) {
      // Every layer row keeps its seven cells: a '|' in a node name is escaped.
      expect(line.split(/(?<!\\)\|/).length, line).toBe(9);
    }
    expect(readme).not.toMatch(/\u001b/);
  });

  it('refuses what it cannot build, in one line, exit 2', async () => {
    const cases: [string[], RegExp][] = [
      [['compile', 'examples/models/digits-mlp.onnx', '--target', 'ice40-up5k'], /float32 and ice40-up5k \(FPGA\) runs int8 only.*--calibration-data/],
      [['compile', plainModel, '--target', 'ice40-up5k', '--precision', 'float32'], /integer only/],
      [['compile', plainModel, '--target', 'ice40-up5k', '--reuse-factor', 'nope=4'], /'nope', which is not a layer with weights/],
      [['compile', plainModel, '--target', 'ice40-up5k', '--reuse-factor', '0'], /whole number ≥ 1/],
      [['compile', plainModel, '--target', 'stm32f405', '--reuse-factor', '1'], /--reuse-factor is for FPGA targets/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli([...args, '--out', path.join(dir, 'refused')]);
      expect(r.exitCode, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(fs.existsSync(path.join(dir, 'refused'))).toBe(false);
    }
  });
});
