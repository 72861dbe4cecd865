// The C library `compile` writes, used as a firmware would: --prefix names files and symbols so that two models link
// into one program (host gcc), the arena's section macro and the alignment macro for other compilers, inputs left intact
// by run(), all checked by building and running them.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHostHarness, openHostSession } from '../../hw-sim/index.js';
import { runTool } from '../../hw-sim/build/tools.js';
import { checkPrefix } from '../../src/emit/c/c-literals.js';
import { loadOnnx } from '../../src/onnx/load-onnx.js';
import { runCli } from '../support/cli.js';
import { skipWithoutTools } from '../support/toolchain.js';
import { ARM_GCC, ARM_OBJDUMP, expectCloseTo, expectedOutput, fillFixedInput, fixedInput, GCC, mustRun, OBJDUMP, sectionAlignments, symbolSection } from '../support/c-library.js';

const DIGITS = path.resolve('examples/models/digits-cnn.onnx');
const MNIST = path.resolve('examples/models/mnist-like-cnn.onnx');
const skip = await skipWithoutTools('test/cli/c-library.test.ts', ['gcc', 'arm-none-eabi-gcc']);
const FLAGS = ['-std=c11', '-ffp-contract=off', '-O2', '-Wall', '-Werror'];
let dir: string;

const sources = (lib: string, prefix: string) => [path.join(lib, `${prefix}.c`), path.join(lib, `${prefix}_weights.c`)];

describe.skipIf(skip)('compile --prefix', () => {
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeprune-clib-'));
    for (const [model, prefix] of [[DIGITS, 'kws'], [MNIST, 'vision']]) {
      const r = await runCli(['compile', model, '--target', 'stm32f405', '--prefix', prefix, '--out', path.join(dir, prefix)]);
      expect(r.exitCode, r.stderr).toBe(0);
    }
  });

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('names the files after the prefix', () => {
    const own = fs.readdirSync(path.join(dir, 'kws')).filter((f) => !f.startsWith('ep_')).sort();
    expect(own).toEqual(expect.arrayContaining(['Makefile', 'kws.c', 'kws.h', 'kws_weights.c']));
    expect(own.filter((f) => f.startsWith('model'))).toEqual([]);
    expect(fs.readFileSync(path.join(dir, 'kws', 'Makefile'), 'utf8')).toMatch(/^OBJS = kws\.o kws_weights\.o$/m);
  });

  it('links two models into one program that runs both', async () => {
    const main = path.join(dir, 'two.c');
    fs.writeFileSync(main, [
      '/* Runs two generated libraries in one program on fixed inputs and prints both outputs. */',
      '#include <stdio.h>',
      '#include "kws.h"',
      '#include "vision.h"',
      'int main(void) {',
      '  static float a[KWS_INPUT0_ELEMENTS], b[VISION_INPUT0_ELEMENTS], ya[KWS_OUTPUT0_ELEMENTS], yb[VISION_OUTPUT0_ELEMENTS];',
      `  ${fillFixedInput('a', 'KWS_INPUT0_ELEMENTS')}`,
      `  ${fillFixedInput('b', 'VISION_INPUT0_ELEMENTS')}`,
      '  if (kws_invoke(a, ya) != 0 || vision_invoke(b, yb) != 0) return 1;',
      '  for (int i = 0; i < KWS_OUTPUT0_ELEMENTS; i++) printf("kws %.9g\\n", ya[i]);',
      '  for (int i = 0; i < VISION_OUTPUT0_ELEMENTS; i++) printf("vision %.9g\\n", yb[i]);',
      '  return 0;',
      '}',
      '',
    ].join('\n'));
    const exe = path.join(dir, 'two');
    await mustRun(GCC, [...FLAGS, '-I', path.join(dir, 'kws'), '-I', path.join(dir, 'vision'), main, ...sources(path.join(dir, 'kws'), 'kws'), ...sources(path.join(dir, 'vision'), 'vision'), '-lm', '-o', exe]);
    const lines = (await mustRun({ command: exe, debianPackage: 'none (built by the test)' }, [])).trim().split('\n');
    const of = (tag: string) => lines.filter((l) => l.startsWith(`${tag} `)).map((l) => Number(l.slice(tag.length + 1)));
    expectCloseTo(of('kws'), expectedOutput(loadOnnx(DIGITS)), 'kws');
    expectCloseTo(of('vision'), expectedOutput(loadOnnx(MNIST)), 'vision');
  });

  it('is found by the test firmware (hw-sim) under its own header name, next to a default-prefix library', async () => {
    const r = await runCli(['compile', MNIST, '--target', 'stm32f405', '--out', path.join(dir, 'plain')]);
    expect(r.exitCode, r.stderr).toBe(0);
    const models = [{ name: 'kws', prefix: 'kws', dir: path.join(dir, 'kws') }, { name: 'plain', prefix: 'model', dir: path.join(dir, 'plain') }];
    const host = await buildHostHarness({ workDir: path.join(dir, 'harness'), models });
    const session = await openHostSession(host.exe);
    try {
      for (const [name, model] of [['kws', DIGITS], ['plain', MNIST]]) {
        const g = loadOnnx(model);
        const x = fixedInput(g).data as Float32Array;
        const run = await session.run(name, [new Uint8Array(x.buffer, x.byteOffset, x.byteLength)]);
        const out = run.outputs[0];
        expectCloseTo(Array.from(new Float32Array(out.buffer, out.byteOffset, out.byteLength / 4)), expectedOutput(g), name);
      }
    } finally {
      await session.close();
    }
  });

  it('refuses --keep-inputs for an FPGA target (exit 2, naming the flag)', async () => {
    const out = path.join(dir, 'fpga');
    const r = await runCli(['compile', DIGITS, '--target', 'ice40-up5k', '--keep-inputs', '--out', out]);
    expect(r.exitCode, String(r.stderr)).toBe(2);
    expect(r.stderr).toMatch(/--keep-inputs is for MCU targets; ice40-up5k is an FPGA target/);
    expect(fs.existsSync(out)).toBe(false);
  });

  it('refuses a prefix that is not a C identifier (exit 2, naming --prefix) before writing anything', async () => {
    // Each kind of bad prefix by the check itself; the command's refusal once.
    for (const bad of ['9lives', 'kws-net', 'int', 'k w s', 'ep_x', 'Kws']) expect(() => checkPrefix(bad), bad).toThrow(new RegExp(`^--prefix '${bad}' is not usable as a C symbol prefix$`));
    expect(checkPrefix('kws_2')).toBe('kws_2');
    const out = path.join(dir, 'bad-prefix');
    const r = await runCli(['compile', DIGITS, '--target', 'stm32f405', '--prefix', 'kws-net', '--out', out]);
    expect(r.exitCode, String(r.stderr)).toBe(2);
    expect(r.stderr).toMatch(/--prefix 'kws-net' is not usable as a C symbol prefix; use lower-case letters/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(fs.existsSync(out)).toBe(false);
  });

  it('puts the arena in the section <PREFIX>_ARENA_SECTION names, in .bss without it', async () => {
    const kws = path.join(dir, 'kws');
    const plain = path.join(dir, 'arena-bss.o');
    const placed = path.join(dir, 'arena-placed.o');
    await mustRun(GCC, [...FLAGS, '-c', path.join(kws, 'kws.c'), '-o', plain]);
    await mustRun(GCC, [...FLAGS, '-DKWS_ARENA_SECTION=".ccmram"', '-c', path.join(kws, 'kws.c'), '-o', placed]);
    expect(await symbolSection(OBJDUMP, plain, 'kws_arena')).toBe('.bss');
    expect(await symbolSection(OBJDUMP, placed, 'kws_arena')).toBe('.ccmram');
    expect((await sectionAlignments(OBJDUMP, placed)).get('.ccmram')).toBe(8);
  });

  it('aligns the arena and the weights without GNU attributes (C11 _Alignas) on a compiler without them', async () => {
    const kws = path.join(dir, 'kws');
    // arm-none-eabi-gcc playing a non-GNU C11 compiler: no __GNUC__, and __attribute__(...) expands to nothing.
    const flags = ['-mcpu=cortex-m4', '-mthumb', '-std=c11', '-ffp-contract=off', '-O2', '-U__GNUC__', '-D__attribute__(x)='];
    const objects = { code: path.join(dir, 'nognu.o'), weights: path.join(dir, 'nognu_weights.o') };
    await mustRun(ARM_GCC, [...flags, '-c', path.join(kws, 'kws.c'), '-o', objects.code]);
    await mustRun(ARM_GCC, [...flags, '-c', path.join(kws, 'kws_weights.c'), '-o', objects.weights]);
    expect((await sectionAlignments(ARM_OBJDUMP, objects.code)).get('.bss')).toBe(8);
    expect((await sectionAlignments(ARM_OBJDUMP, objects.weights)).get('.rodata')).toBe(8);
    // The section macro needs the GNU attribute: refused at compile time, naming the macro.
    const r = await runTool(ARM_GCC, [...flags, '-DKWS_ARENA_SECTION=".ccmram"', '-c', path.join(kws, 'kws.c'), '-o', path.join(dir, 'refused.o')], { timeoutMs: 300_000, what: 'compiling' });
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toMatch(/#error "KWS_ARENA_SECTION needs GCC or Clang/);
  });

  /**
   * A program that writes the fixed input through <prefix>_input(0), runs twice and prints whether the input bytes and
   * the outputs stayed the same, then the outputs. With `dirty`, it first fills the arena (in section `<prefix>_ram`,
   * whose bounds GNU ld gives as __start_/__stop_ symbols) with 0xA5: the model must not read bytes it did not write.
   */
  function runTwiceProgram(prefix: string, dirty: boolean): string {
    const P = prefix.toUpperCase();
    return [
      '/* Runs a generated library twice on one input buffer; prints whether the input and the outputs held. */',
      '#include <stdio.h>',
      '#include <string.h>',
      `#include "${prefix}.h"`,
      ...(dirty ? [`extern unsigned char __start_${prefix}_ram[], __stop_${prefix}_ram[];`] : []),
      'int main(void) {',
      `  static unsigned char input[${P}_INPUT0_ELEMENTS * 4], first[${P}_OUTPUT0_ELEMENTS * 4];`,
      ...(dirty ? [`  memset(__start_${prefix}_ram, 0xA5, (size_t)(__stop_${prefix}_ram - __start_${prefix}_ram));`] : []),
      `  float *x = (float *)${prefix}_input(0);`,
      `  ${fillFixedInput('x', `${P}_INPUT0_ELEMENTS`)}`,
      '  memcpy(input, x, sizeof input);',
      `  if (${prefix}_run() != 0) return 1;`,
      `  memcpy(first, ${prefix}_output(0), sizeof first);`,
      '  printf("input intact %d\\n", memcmp(input, x, sizeof input) == 0);',
      `  if (${prefix}_run() != 0) return 1;`,
      `  printf("same outputs %d\\n", memcmp(first, ${prefix}_output(0), sizeof first) == 0);`,
      `  printf("kept macro %d\\n", ${P}_INPUTS_KEPT);`,
      `  for (int i = 0; i < ${P}_OUTPUT0_ELEMENTS; i++) printf("y %.9g\\n", ((const float *)${prefix}_output(0))[i]);`,
      '  return 0;',
      '}',
      '',
    ].join('\n');
  }

  async function runTwice(model: string, prefix: string, extra: string[], dirty: boolean) {
    const lib = path.join(dir, prefix);
    if (!fs.existsSync(lib)) {
      const r = await runCli(['compile', model, '--target', 'stm32f405', '--prefix', prefix, '--out', lib, ...extra]);
      expect(r.exitCode, r.stderr).toBe(0);
    }
    const main = path.join(dir, `${prefix}-twice.c`);
    fs.writeFileSync(main, runTwiceProgram(prefix, dirty));
    const exe = path.join(dir, `${prefix}-twice${dirty ? '-dirty' : ''}`);
    const section = dirty ? [`-D${prefix.toUpperCase()}_ARENA_SECTION="${prefix}_ram"`] : [];
    await mustRun(GCC, [...FLAGS, ...section, '-I', lib, main, ...sources(lib, prefix), '-lm', '-o', exe]);
    const lines = (await mustRun({ command: exe, debianPackage: 'none (built by the test)' }, [])).trim().split('\n');
    const flag = (name: string) => Number(lines.find((l) => l.startsWith(name))?.slice(name.length + 1));
    return { intact: flag('input intact'), same: flag('same outputs'), kept: flag('kept macro'), y: lines.filter((l) => l.startsWith('y ')).map((l) => Number(l.slice(2))) };
  }

  it('--keep-inputs: run() twice on one input buffer leaves the input intact and gives the same outputs, on a dirty arena', async () => {
    for (const [model, prefix] of [[MNIST, 'keptcnn'], [DIGITS, 'keptdigits']]) {
      const r = await runTwice(model, prefix, ['--keep-inputs'], true);
      expect({ intact: r.intact, same: r.same, kept: r.kept }, prefix).toEqual({ intact: 1, same: 1, kept: 1 });
      expectCloseTo(r.y, expectedOutput(loadOnnx(model)), prefix);
    }
  });

  it('by default run() reuses the input bytes (a smaller arena), and the header says so', async () => {
    // The library beforeAll compiled without --keep-inputs (prefix vision).
    const r = await runTwice(MNIST, 'vision', [], false);
    expect({ intact: r.intact, kept: r.kept }).toEqual({ intact: 0, kept: 0 });
    const header = fs.readFileSync(path.join(dir, 'vision', 'vision.h'), 'utf8');
    expect(header).toMatch(/It overwrites the input buffers .* compile with --keep-inputs/s);
    const arena = (prefix: string) => Number(/#define \w+_ARENA_BYTES (\d+)/.exec(fs.readFileSync(path.join(dir, prefix, `${prefix}.h`), 'utf8'))![1]);
    expect(arena('keptcnn')).toBe(arena('vision') + 28 * 28 * 4);
  });
});
