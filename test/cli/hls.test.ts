// The HLS C++ through the CLI: `verify --target <fpga> --hls` (g++ C simulation against the interpreter, the JSON
// report, a folded reuse factor, the refusals), and the hls/ folder `compile --target <fpga>` writes: its C++ builds
// clean with g++ -Wall -Wextra -Werror and its testbench passes its own vectors.txt, hostile model names stay in
// escaped comments and identifiers (no code of theirs runs), and the same bytes come out twice.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCsim, runCsim } from '../../hw-sim/hls/csim.js';
import { exportOnnx } from '../../src/onnx/export.js';
import { HOSTILE_MODEL_NAMES, PWNED_FILE, plainNames } from '../support/hostile-names.js';
import { runCli } from '../support/cli.js';
import { int8ChainModel } from '../verilog/rtl-models.js';

const read = (dir: string, f: string) => fs.readFileSync(path.join(dir, f), 'utf8');

/** Build the hls/ folder's C++ with g++ (the flags of hw-sim/hls/csim.ts) and run its testbench on its vectors.txt. */
async function csimFolder(hlsDir: string, top: string) {
  const files = new Map(fs.readdirSync(hlsDir).filter((f) => /\.(cpp|h)$/.test(f)).map((f) => [f, read(hlsDir, f)]));
  const exe = await buildCsim({ name: top, files });
  const lines = read(hlsDir, 'vectors.txt').trim().split('\n');
  const layers = read(hlsDir, `${top}_tb.cpp`).split('ep_print("t ').length - 1;
  return runCsim(exe, lines, layers);
}

describe('HLS C++ from the CLI', () => {
  let dir: string;
  let plainModel: string;
  let hostileModel: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeprune-hls-cli-'));
    plainModel = path.join(dir, 'plain.onnx');
    hostileModel = path.join(dir, 'hostile.onnx');
    fs.writeFileSync(plainModel, exportOnnx(int8ChainModel(plainNames(3))));
    fs.writeFileSync(hostileModel, exportOnnx(int8ChainModel(HOSTILE_MODEL_NAMES)));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('verify --hls --json: every vector and layer bit-exact in g++ C simulation, what ran and what did not', async () => {
    const r = await runCli(['verify', plainModel, '--target', 'xc7a35t', '--hls', '--vectors', '25', '--reuse-factor', 'layer_1=8', '--json'], { timeout: 300_000 });
    expect(r.stderr).toBe('');
    expect(r.exitCode, String(r.stderr)).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ passed: true, vectors: 25, mismatchCount: 0, firstDivergingLayer: null, comparison: 'bit-exact', target: 'xc7a35t' });
    expect(report.runOn).toMatch(/^g\+\+ C simulation/);
    expect(report.vendorSynthesis).toMatch(/Vitis HLS was not run/);
    expect(report.perLayer.map((l: { node: string; reuseFactor: number; mismatches: number }) => [l.node, l.reuseFactor, l.mismatches])).toEqual([
      ['layer_0', 1, 0], ['layer_1', 8, 0], ['layer_2', 1, 0], ['argmax_6', 1, 0],
    ]);
  });

  it('verify --hls prints a table and the verdict', async () => {
    const r = await runCli(['verify', plainModel, '--target', 'ice40-up5k', '--hls', '--vectors', '5'], { timeout: 300_000 });
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(r.stdout).toMatch(/PASSED: 5\/5 vectors bit-exact with the interpreter, every layer's output too/);
    expect(r.stdout).toMatch(/^Vitis HLS was not run: no C synthesis/m);
  });

  it('refuses --hls with --synth, --port or --multipliers, and on an MCU target, in one line, exit 2', async () => {
    const cases: [string[], RegExp][] = [
      [['--target', 'xc7a35t', '--hls', '--synth'], /--hls and --synth: --hls runs the HLS C\+\+ in g\+\+ C simulation only/],
      [['--target', 'ice40-up5k', '--hls', '--port', '/dev/null'], /--hls and --port/],
      [['--target', 'xc7a35t', '--hls', '--multipliers', 'lut'], /--hls and --multipliers/],
      [['--target', 'stm32f405', '--hls'], /--hls is for FPGA targets; stm32f405 is an MCU/],
      [['--target', 'xc7a35t', '--hls', '--reuse-factor', 'layer_1=3'], /reuse factor 3 cannot fold/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(['verify', plainModel, ...args]);
      expect(r.exitCode, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  it('compile writes hls/: g++ builds it clean (-Wall -Wextra -Werror) and its testbench passes vectors.txt; the README says what was not run', async () => {
    const out = path.join(dir, 'plain');
    const r = await runCli(['compile', plainModel, '--target', 'xc7a35t', '--out', out, '--reuse-factor', 'layer_0=8']);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(r.stdout).toMatch(/HLS C\+\+ in hls\/ \(top model\)/);
    const run = await csimFolder(path.join(out, 'hls'), 'model');
    expect(run.failures).toBe(0);
    expect(run.outputs).toHaveLength(10);
    expect(read(out, 'hls/README.md')).toMatch(/\*\*Vitis HLS was NOT run\*\*/);
    const cpp = read(out, 'hls/model.cpp');
    expect(cpp).toMatch(/#pragma HLS INTERFACE mode=axis port=in_data/);
    expect(cpp).toMatch(/#pragma HLS UNROLL factor=2\n/); // layer_0: 4·4 products over RF 8
    expect(cpp).toMatch(/#pragma HLS ARRAY_PARTITION variable=w cyclic factor=2 dim=2/);
    expect(cpp).not.toMatch(/malloc|new |#include <ap_/);
  });

  it('its testbench fails on a wrong expected output', async () => {
    const out = path.join(dir, 'wrong');
    expect((await runCli(['compile', plainModel, '--target', 'ice40-up5k', '--out', out])).exitCode).toBe(0);
    const vectors = read(out, 'hls/vectors.txt').split('\n');
    const [input, expected] = vectors[0].split(' | ');
    vectors[0] = `${input} | ${(Number(expected) + 1) % 4}`;
    fs.writeFileSync(path.join(out, 'hls/vectors.txt'), vectors.join('\n'));
    expect((await csimFolder(path.join(out, 'hls'), 'model')).failures).toBe(1);
    // Vitis synthesizes AMD parts only: the iCE40 script C-simulates.
    const tcl = read(out, 'hls/build.tcl');
    expect(tcl).toMatch(/^csim_design -argv vectors.txt$/m);
    expect(tcl).not.toMatch(/^(set_part|csynth_design|export_design)/m);
  });

  it('keeps hostile names in escaped comments: g++ -Werror builds it, the testbench passes, nothing of the names runs; same bytes twice', async () => {
    const a = path.join(dir, 'hostile-a');
    const b = path.join(dir, 'hostile-b');
    for (const out of [a, b]) expect((await runCli(['compile', hostileModel, '--target', 'xc7a35t', '--out', out])).exitCode).toBe(0);
    for (const f of fs.readdirSync(path.join(a, 'hls'))) expect(read(b, `hls/${f}`), f).toBe(read(a, `hls/${f}`));
    const hlsDir = path.join(a, 'hls');
    const top = fs.readdirSync(hlsDir).find((f) => f.endsWith('_tb.cpp'))!.replace(/_tb\.cpp$/, '');
    expect(top).toMatch(/^[A-Za-z_][A-Za-z0-9_]*$/);
    const cwd = process.cwd();
    const run = await csimFolder(hlsDir, top);
    expect(run.failures).toBe(0);
    expect(fs.existsSync(path.join(cwd, PWNED_FILE))).toBe(false);
    expect(fs.existsSync(path.join(hlsDir, PWNED_FILE))).toBe(false);
    const cpp = read(hlsDir, `${top}.cpp`);
    expect(cpp).toMatch(/pwned_used/); // the names are there, in comments
    for (const f of [`${top}.cpp`, `${top}.h`, `${top}_tb.cpp`]) {
      // Outside its line comments the C++ holds nothing of the names (a newline or a trailing backslash in a comment would let them out).
      const code = read(hlsDir, f).split('\n').map((l) => l.replace(/\/\/.*$/, '')).join('\n');
      expect(code, f).not.toMatch(/pwned|#define [^E]|#include "\/etc|PWNED|\/\*/);
      expect(read(hlsDir, f), f).not.toMatch(/\u001b|\u202e/);
    }
    // The Tcl: every line a comment or one of the script's commands.
    for (const line of read(hlsDir, 'build.tcl').split('\n').filter((l) => l !== '')) {
      expect(line, line).toMatch(/^(#|open_project|set_top|add_files|open_solution|set_part|create_clock|csim_design|csynth_design|export_design|exit$)/);
    }
    const readme = read(hlsDir, 'README.md');
    expect(readme).not.toMatch(/\u001b/);
    // Every layer row keeps its six cells: a '|' in a node name is escaped.
    const layerRows = readme.split('\n').filter((l) => /^\| \d+ \|/.test(l));
    expect(layerRows.length).toBeGreaterThan(3);
    for (const line of layerRows) expect(line.split(/(?<!\\)\|/).length, line).toBe(8);
  });
});
