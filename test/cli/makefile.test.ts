// The Makefile `compile` writes, run by make: libmodel.a for the target with arm-none-eabi-gcc, and for the host with
// CC=gcc AR=ar and host CFLAGS, whose model_invoke computes what the interpreter computes.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runGraph } from '../../src/ir/interpreter.js';
import { Tensor } from '../../src/ir/tensor.js';
import { loadOnnx } from '../../src/onnx/load-onnx.js';
import { runCli } from '../support/cli.js';
import { skipWithoutTools } from '../support/toolchain.js';

const CNN = path.resolve('examples/models/digits-cnn.onnx');
const skip = await skipWithoutTools('test/cli/makefile.test.ts', ['make', 'arm-none-eabi-gcc', 'gcc']);
let dir: string;
let lib: string;

const make = (args: string[]) => execa('make', ['-C', lib, ...args], { timeout: 300_000, reject: false, stdin: 'ignore', env: { LC_ALL: 'C' } });

describe.skipIf(skip)('the generated Makefile, run by make', () => {
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeprune-make-'));
    lib = path.join(dir, 'c');
    const r = await runCli(['compile', CNN, '--target', 'stm32f405', '--out', lib]);
    expect(r.exitCode, r.stderr).toBe(0);
  });

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('builds libmodel.a with arm-none-eabi-gcc, without warnings; a second make has nothing to do; clean removes it', async () => {
    const r = await make([]);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(String(r.stdout)).toMatch(/arm-none-eabi-gcc .*-mcpu=cortex-m4 .*-c model\.c -o model\.o/);
    expect(String(r.stderr)).not.toMatch(/warning/i);
    const archive = path.join(lib, 'libmodel.a');
    const members = await execa('arm-none-eabi-ar', ['t', archive], { timeout: 60_000 });
    expect(String(members.stdout).split('\n').sort()).toEqual(['model.o', 'model_weights.o']);
    const header = await execa('arm-none-eabi-objdump', ['-f', archive], { timeout: 60_000 });
    expect(String(header.stdout)).toMatch(/file format elf32-littlearm/);
    const symbols = await execa('arm-none-eabi-nm', ['--defined-only', archive], { timeout: 60_000 });
    expect(String(symbols.stdout)).toMatch(/ T model_invoke$/m);
    expect(String((await make([])).stdout)).toMatch(/'libmodel\.a' is up to date/);
    expect((await make(['clean'])).exitCode).toBe(0);
    expect(fs.readdirSync(lib).filter((f) => f.endsWith('.o') || f.endsWith('.a'))).toEqual([]);
  });

  it('builds a host libmodel.a with CC=gcc AR=ar and host CFLAGS, whose model_invoke matches the interpreter', async () => {
    const r = await make(['CC=gcc', 'AR=ar', 'CFLAGS=-std=c11 -ffp-contract=off -O2 -Wall']);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(String(r.stderr)).not.toMatch(/warning/i);
    const g = loadOnnx(CNN);
    const input = Tensor.fromNumbers('float32', g.inputs[0].shape as number[], Array.from({ length: 64 }, (_, i) => ((i * 37) % 17) / 16));
    const main = path.join(dir, 'main.c');
    fs.writeFileSync(main, [
      '/* Runs the model library once on a fixed input and prints the outputs. */',
      '#include <stdio.h>',
      '#include "model.h"',
      `static const float input[MODEL_INPUT0_ELEMENTS] = { ${Array.from(input.data as Float32Array, (v) => `${v.toPrecision(9)}f`).join(', ')} };`,
      'int main(void) {',
      '  float out[MODEL_OUTPUT0_ELEMENTS];',
      '  if (model_invoke(input, out) != 0) return 1;',
      '  for (int i = 0; i < MODEL_OUTPUT0_ELEMENTS; i++) printf("%.9g\\n", out[i]);',
      '  return 0;',
      '}',
      '',
    ].join('\n'));
    const exe = path.join(dir, 'main');
    await execa('gcc', ['-std=c11', '-I', lib, main, path.join(lib, 'libmodel.a'), '-lm', '-o', exe], { timeout: 120_000 });
    const got = String((await execa(exe, [], { timeout: 60_000 })).stdout).trim().split('\n').map(Number);
    const want = runGraph(g, { [g.inputs[0].name]: input }).get(g.outputs[0].name)!.toNumbers();
    expect(got).toHaveLength(want.length);
    got.forEach((v, i) => expect(Math.abs(v - want[i]), `output ${i}: ${v} vs ${want[i]}`).toBeLessThanOrEqual(1e-4 + 1e-4 * Math.abs(want[i])));
  });
});
