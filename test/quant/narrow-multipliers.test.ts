// Narrow multipliers for FPGA (quantizeModel's multiplierBits, `quantize --multiplier-bits`): every Int8Gemm/Int8Conv
// multiplier of the quantized digits models has its low 31 - N bits zero, accuracy stays with the 31-bit model, the
// nudged weight scales move by at most 2^-N, the .onnx file keeps the narrow multipliers, bad widths are refused.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSplit } from '../../src/cli/data-options.js';
import { evaluateModel } from '../../src/data/evaluate.js';
import { fitToModel } from '../../src/data/fit-model.js';
import { UserError } from '../../src/errors.js';
import { loadModel } from '../../src/import/load-model.js';
import type { Graph } from '../../src/ir/graph.js';
import { runGraph } from '../../src/ir/interpreter.js';
import { writeOnnx } from '../../src/onnx/export.js';
import { channelMultipliers, LAYER_INPUTS } from '../../src/ops/util/int8-params.js';
import { calibrationInputs } from '../../src/quant/calibration-data.js';
import { multiplierValue, quantizeMultiplier, requantizeBig, type FixedPointMultiplier } from '../../src/quant/fixed-point.js';
import { quantizeModel } from '../../src/quant/quantize.js';
import { Random } from '../../src/util/random.js';
import { runCli } from '../support/cli.js';

const DIGITS = path.resolve('examples/digits/digits.csv.gz');
const { X_SCALE, W, W_SCALE, Y_SCALE } = LAYER_INPUTS;

/** Every Int8Gemm/Int8Conv node with its channel multipliers and weight scales. */
function layers(g: Graph): { name: string; multipliers: FixedPointMultiplier[]; wScale: Float32Array; attrs: string[] }[] {
  return g.nodes
    .filter((n) => n.opType === 'Int8Gemm' || n.opType === 'Int8Conv')
    .map((n) => {
      const t = (i: number) => g.initializers.get(n.inputs[i])!;
      return { name: n.name, multipliers: channelMultipliers(t(X_SCALE), t(W_SCALE), t(Y_SCALE), t(W).shape[0], n), wScale: t(W_SCALE).data as Float32Array, attrs: Object.keys(n.attrs) };
    });
}

describe('quantizeMultiplier with fewer bits', () => {
  const r = new Random(77);
  const reals = Array.from({ length: 2000 }, () => 2 ** (-30 + 35 * r.next()) * (1 + r.next()));

  it('31 bits is the rule as it was; N bits rounds the mantissa to N bits once (low 31 - N bits zero, error ≤ 2^-N)', () => {
    for (const real of reals) {
      const full = quantizeMultiplier(real);
      expect(quantizeMultiplier(real, 'm', 31)).toEqual(full);
      for (const bits of [8, 12, 16, 18, 24]) {
        const m = quantizeMultiplier(real, 'm', bits);
        expect(m.multiplier % 2 ** (31 - bits), `${real} at ${bits} bits`).toBe(0);
        expect(m.multiplier >= 2 ** 30 && m.multiplier < 2 ** 31).toBe(true);
        expect(Math.abs(multiplierValue(m) / real - 1)).toBeLessThanOrEqual(2 ** -bits);
      }
    }
  });

  it('keeps the low bits zero below 2^-32 (shift capped at 62) and refuses multipliers of 2^(N-1) and more', () => {
    const tiny = quantizeMultiplier(3.3e-12, 'm', 16);
    expect(tiny.shift).toBe(62);
    expect(tiny.multiplier % 2 ** 15).toBe(0);
    expect(requantizeBig(2 ** 31 - 1, tiny)).toBe(requantizeBig(2 ** 31 - 1, { multiplier: tiny.multiplier, shift: 62 }));
    expect(quantizeMultiplier(2 ** 15 * 0.99, 'm', 16).shift).toBe(16);
    expect(() => quantizeMultiplier(2 ** 15, 'the multiplier', 16)).toThrow(/the multiplier is 32768; a 16-bit multiplier must be below 2\^15/);
    expect(() => quantizeMultiplier(0.5, 'm', 7)).toThrow(/outside \[8, 31\]/);
  });
});

describe.each(['digits-mlp', 'digits-cnn'])('%s quantized with 16-bit multipliers', (model) => {
  let float: Graph;
  let full: Graph;
  let narrow: Graph;
  let test: ReturnType<typeof fitToModel>;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeprune-narrow-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  beforeAll(async () => {
    float = await loadModel(path.resolve(`examples/models/${model}.onnx`));
    const split = loadSplit(DIGITS, { seed: 0, validation: 0.15, test: 0.2 });
    const calibration = calibrationInputs(float, split.train, 200);
    full = quantizeModel(float, calibration).graph;
    narrow = quantizeModel(float, calibration, { multiplierBits: 16 }).graph;
    test = fitToModel(split.test, float);
  });

  it('every channel multiplier has its low 15 bits zero; the weight scales moved by at most 2^-16', () => {
    const before = layers(full);
    const after = layers(narrow);
    expect(after.length).toBeGreaterThanOrEqual(3);
    expect(after.flatMap((l) => l.multipliers).length).toBeGreaterThan(60);
    after.forEach((l, i) => {
      expect(l.attrs).toContain('multiplier_bits');
      expect(before[i].attrs).not.toContain('multiplier_bits');
      for (const m of l.multipliers) expect(m.multiplier % 2 ** 15, l.name).toBe(0);
      // The 31-bit model's multipliers are not narrow: the test would see a quantizer that ignores the option.
      expect(before[i].multipliers.some((m) => m.multiplier % 2 ** 15 !== 0)).toBe(true);
      l.wScale.forEach((s, c) => expect(Math.abs(s / before[i].wScale[c] - 1), `${l.name} channel ${c}`).toBeLessThanOrEqual(2 ** -16 + 2 ** -24));
    });
  });

  it('test accuracy within 0.2 points of the 31-bit model', () => {
    const a31 = evaluateModel(full, test).accuracy!;
    const a16 = evaluateModel(narrow, test).accuracy!;
    expect(Math.abs(a16 - a31)).toBeLessThanOrEqual(0.002);
  });

  it('the .onnx file keeps the narrow multipliers (edgeprune int8 ops, not QDQ): the same outputs after loading', async () => {
    const file = path.join(dir, 'narrow.onnx');
    writeOnnx(narrow, file);
    const back = await loadModel(file);
    expect(layers(back).map((l) => l.multipliers)).toEqual(layers(narrow).map((l) => l.multipliers));
    const feeds = calibrationInputs(float, loadSplit(DIGITS, { seed: 0, validation: 0.15, test: 0.2 }).test, 20);
    const outputs = (g: Graph) => feeds.map((feed) => Array.from(runGraph(g, feed).get(g.outputs[0].name)!.data as Float32Array));
    expect(outputs(back)).toEqual(outputs(narrow));
  });
});

describe('the option and the flag', () => {
  it('quantizeModel refuses multiplierBits outside [8, 31]', async () => {
    const float = await loadModel(path.resolve('examples/models/digits-mlp.onnx'));
    for (const bits of [7, 32, 12.5]) {
      expect(() => quantizeModel(float, [], { multiplierBits: bits })).toThrow(UserError);
      expect(() => quantizeModel(float, [], { multiplierBits: bits })).toThrow(/multiplierBits is .*; it must be an integer from 8 to 31/);
    }
  });

  it('quantize --multiplier-bits 12 writes a model whose multipliers are narrow, and says so', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeprune-narrow-cli-'));
    try {
      const out = path.join(dir, 'q.onnx');
      const args = ['quantize', path.resolve('examples/models/digits-mlp.onnx'), '--data', DIGITS, '--samples', '50', '--multiplier-bits', '12'];
      const r = await runCli([...args, '--out', out], { timeout: 120_000 });
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/narrow multipliers: Int8Gemm\/Int8Conv requantization multipliers rounded to 12 significant bits/);
      const back = layers(await loadModel(out));
      expect(back).toHaveLength(3);
      for (const l of back) for (const m of l.multipliers) expect(m.multiplier % 2 ** 19).toBe(0);
      const json = await runCli([...args, '--out', path.join(dir, 'j.onnx'), '--json'], { timeout: 120_000 });
      expect(JSON.parse(json.stdout).multiplierBits).toBe(12);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('quantize --multiplier-bits refuses a width outside [8, 31] with exit code 2 and one line', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeprune-narrow-cli-'));
    try {
      const out = path.join(dir, 'q.onnx');
      for (const bits of ['7', '32', 'x']) {
        const r = await runCli(['quantize', path.resolve('examples/models/digits-mlp.onnx'), '--data', DIGITS, '--out', out, '--multiplier-bits', bits]);
        expect(r.exitCode, bits).toBe(2);
        expect(r.stderr).toMatch(/--multiplier-bits must be an integer from 8 to 31/);
        expect(r.stderr.trim().split('\n')).toHaveLength(1);
      }
      expect(fs.existsSync(out)).toBe(false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
