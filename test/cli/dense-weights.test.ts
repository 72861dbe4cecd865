// --dense-weights per-channel|per-tensor on quantize, compile and build: the per-tensor scheme reaches the written
// model and the C library (ep_dense_s8_pt), and misuse is one line on stderr, exit 2, nothing written.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../src/import/load-model.js';
import { runCli } from '../support/cli.js';

const MLP = path.resolve('examples/models/digits-mlp.onnx');
const DIGITS = path.resolve('examples/digits/digits.csv.gz');

const made: string[] = [];
const tmp = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeprune-dense-weights-'));
  made.push(dir);
  return dir;
};
afterAll(() => made.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function expectUserError(r: { exitCode: number; stdout: string; stderr: string }, pattern: RegExp, what: string): void {
  expect(r.exitCode, `${what}: ${r.stderr}`).toBe(2);
  expect(r.stdout, what).toBe('');
  expect(r.stderr.trimEnd().split('\n'), what).toHaveLength(1);
  expect(r.stderr, what).toMatch(pattern);
}

describe('--dense-weights', () => {
  it('quantize writes one weight scale per dense layer with per-tensor, and reports it and the smaller constants', async () => {
    const dir = tmp();
    const run = async (scheme: string) => {
      const out = path.join(dir, `${scheme}.onnx`);
      const r = await runCli(['quantize', MLP, '--data', DIGITS, '--out', out, '--samples', '100', '--dense-weights', scheme, '--json'], { timeout: 120_000 });
      expect(r.exitCode, r.stderr).toBe(0);
      return { report: JSON.parse(r.stdout), graph: await loadModel(out) };
    };
    const pt = await run('per-tensor');
    const pc = await run('per-channel');
    expect([pt.report.denseWeights, pc.report.denseWeights]).toEqual(['per-tensor', 'per-channel']);
    const scales = (g: Awaited<ReturnType<typeof loadModel>>) => g.nodes.filter((n) => n.opType === 'Int8Gemm').map((n) => g.initializers.get(n.inputs[4])!.size);
    expect(scales(pt.graph)).toEqual([1, 1, 1]);
    expect(scales(pc.graph)).toEqual([64, 32, 10]);
    // 103 float32 scales fewer in the int8 model's constants.
    expect(pc.report.weightBytes.int8 - pt.report.weightBytes.int8).toBe(103 * 4);
  }, 300_000);

  it('compile --precision int8 --dense-weights per-tensor calls the per-tensor dense kernel', async () => {
    const out = path.join(tmp(), 'c');
    const r = await runCli(['compile', MLP, '--target', 'lm3s6965', '--calibration-data', DIGITS, '--dense-weights', 'per-tensor', '--out', out], { timeout: 120_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    const c = fs.readFileSync(path.join(out, 'model.c'), 'utf8');
    expect(c.match(/ep_dense_s8_pt\(/g)).toHaveLength(3);
    expect(c).not.toMatch(/ep_dense_s8\(/);
  }, 120_000);

  it('refuses a scheme it does not know, and the flag where nothing is quantized', async () => {
    const dir = tmp();
    expectUserError(await runCli(['quantize', MLP, '--data', DIGITS, '--out', path.join(dir, 'q.onnx'), '--dense-weights', 'per-row']), /--dense-weights 'per-row' is not a weight granularity; known: per-channel, per-tensor/, 'quantize');
    expectUserError(await runCli(['compile', MLP, '--target', 'stm32f405', '--dense-weights', 'per-tensor', '--out', path.join(dir, 'c')]), /--dense-weights sets how compile quantizes a float model, and here no model is quantized/, 'compile float32');
    expectUserError(
      await runCli(['build', MLP, '--data', DIGITS, '--max-instructions', '1000', '--precision', 'float32', '--dense-weights', 'per-tensor', '--out', path.join(dir, 'b')]),
      /--dense-weights sets the int8 quantization of the pruned model, and this build is float32/,
      'build float32',
    );
    expect(fs.readdirSync(dir)).toEqual([]);
  }, 120_000);
});
