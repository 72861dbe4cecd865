// `edgeprune compile --target ice40-up5k` of the quantized digits CNN (conv2 and fc1 folded): the project's core
// takes the image as one vector (ep_scatter streams its pixels), the board top wraps it, and Verilator lints the
// whole project as the Makefile builds it; the summary's latency is the design's.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lintVerilog } from '../../hw-sim/verilator/lint.js';
import { designLatency } from '../../src/emit/verilog/emit-rtl.js';
import { lowerToRtl } from '../../src/emit/verilog/lower-rtl.js';
import { exportOnnx } from '../../src/onnx/export.js';
import { runCli } from '../support/cli.js';
import { digitsCnn } from '../verilog/digits-cnn.js';

describe('compile --target ice40-up5k of the digits CNN', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeprune-fpga-cnn-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes a project whose board top Verilator lints, conv2 and fc1 folded', async () => {
    const cnn = await digitsCnn(1);
    const model = path.join(dir, 'digits-cnn-q.onnx');
    fs.writeFileSync(model, exportOnnx(cnn.graph));
    const [, conv2] = cnn.nodes('Int8Conv');
    const [fc1] = cnn.nodes('Int8Gemm');
    // Both on 8 multipliers: R = products per output / 8.
    const size = (n: typeof fc1) => cnn.graph.initializers.get(n.inputs[3])!.size;
    const reuseFactors = { [conv2.name]: size(conv2) / 8, [fc1.name]: size(fc1) / 8 };
    const out = path.join(dir, 'up5k');
    const r = await runCli(['compile', model, '--target', 'ice40-up5k', '--out', out, '--json', '--reuse-factor', Object.entries(reuseFactors).map(([n, f]) => `${n}=${f}`).join(',')]);
    expect(r.stderr).toBe('');
    expect(r.exitCode, String(r.stderr)).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary.latencyCycles).toBe(designLatency(lowerToRtl(cnn.graph, { reuseFactors })));
    const lib = fs.readdirSync(path.join(out, 'rtl/lib'));
    expect(lib).toEqual(expect.arrayContaining(['ep_scatter.v', 'ep_conv_stream.v', 'ep_conv_folded.v', 'ep_window_stream.v', 'ep_maxpool_stream.v', 'ep_collect.v', 'ep_dense_folded.v', 'ep_uart_top.v']));
    const rtl = (f: string) => path.join(out, 'rtl', f);
    const sources = [rtl(`${summary.top}.v`), rtl(`${summary.top}_board.v`), ...lib.map((f) => rtl(`lib/${f}`))];
    const lint = await lintVerilog(`${summary.top}_board`, sources);
    expect(lint.messages).toEqual([]);
    expect(lint.clean).toBe(true);
  });
});
