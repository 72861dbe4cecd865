// The library `compile` writes, built as a user would: with CMake (host gcc) into a program whose main.c calls the
// model, with the generated Makefile (arm-none-eabi-gcc, then host gcc), and the Zephyr module's CMake read with
// stand-ins for Zephyr's functions (no Zephyr SDK here: the module itself is not built).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOnnx } from '../../src/onnx/load-onnx.js';
import { runCli } from '../support/cli.js';
import { skipWithoutTools } from '../support/toolchain.js';
import { ARM_OBJDUMP, CMAKE, expectCloseTo, expectedOutput, fillFixedInput, GCC, MAKE, mustRun, OBJDUMP, symbolSection } from '../support/c-library.js';

const MODEL = path.resolve('examples/models/mnist-like-cnn.onnx');
const skip = await skipWithoutTools('test/cli/c-library-build.test.ts', ['gcc', 'make', 'cmake', 'arm-none-eabi-gcc']);
const ARM_AR = { command: 'arm-none-eabi-ar', debianPackage: 'binutils-arm-none-eabi' };
let dir: string;
let lib: string;

/** main.c: runs the library once on the fixed input and prints the outputs. */
const MAIN = [
  '/* Runs the vision library once on a fixed input and prints the outputs. */',
  '#include <stdio.h>',
  '#include "vision.h"',
  'int main(void) {',
  '  static float x[VISION_INPUT0_ELEMENTS], y[VISION_OUTPUT0_ELEMENTS];',
  `  ${fillFixedInput('x', 'VISION_INPUT0_ELEMENTS')}`,
  '  if (vision_invoke(x, y) != 0) return 1;',
  '  for (int i = 0; i < VISION_OUTPUT0_ELEMENTS; i++) printf("%.9g\\n", y[i]);',
  '  return 0;',
  '}',
  '',
].join('\n');

async function runProgram(exe: string): Promise<number[]> {
  return (await mustRun({ command: exe, debianPackage: 'none (built by the test)' }, [])).trim().split('\n').map(Number);
}

describe.skipIf(skip)('the compiled library, built as a user would', () => {
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeprune-clib-build-'));
    lib = path.join(dir, 'vision');
    const r = await runCli(['compile', MODEL, '--target', 'stm32f405', '--prefix', 'vision', '--out', lib]);
    expect(r.exitCode, r.stderr).toBe(0);
  });

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('builds with CMake into a program that calls the model, with the flags and the arena section it documents', async () => {
    const app = path.join(dir, 'app');
    fs.mkdirSync(app);
    fs.writeFileSync(path.join(app, 'main.c'), MAIN);
    fs.writeFileSync(path.join(app, 'CMakeLists.txt'), [
      '# A firmware-like project that takes the generated library with add_subdirectory.',
      'cmake_minimum_required(VERSION 3.13)',
      'project(app C)',
      `add_subdirectory(${lib} vision)`,
      'add_executable(app main.c)',
      'target_link_libraries(app PRIVATE vision)',
      '',
    ].join('\n'));
    const build = path.join(dir, 'build');
    // A Debug build: the library keeps -O2 (VISION_OPTIMIZE); the arena goes to the section the option names.
    await mustRun(CMAKE, ['-S', app, '-B', build, '-DCMAKE_C_COMPILER=gcc', '-DCMAKE_BUILD_TYPE=Debug', '-DCMAKE_EXPORT_COMPILE_COMMANDS=ON', '-DVISION_ARENA_SECTION=vision_ram']);
    await mustRun(CMAKE, ['--build', build]);
    expectCloseTo(await runProgram(path.join(build, 'app')), expectedOutput(loadOnnx(MODEL)), 'cmake');
    const commands = JSON.parse(fs.readFileSync(path.join(build, 'compile_commands.json'), 'utf8')) as { file: string; command: string }[];
    const own = commands.find((c) => c.file.endsWith('vision.c'))!;
    expect(own.command).toMatch(/-ffp-contract=off/);
    expect(own.command).toMatch(/-O0 .*-O2|-O2(?!.*-O0)/);
    expect(await symbolSection(OBJDUMP, path.join(build, 'vision', 'libvision.a'), 'vision_arena')).toBe('vision_ram');
  });

  it('builds lib<prefix>.a with the generated Makefile for the target (arena in .ccmram), and for the host into a program that runs', async () => {
    const arm = path.join(dir, 'make-arm');
    fs.cpSync(lib, arm, { recursive: true });
    await mustRun(MAKE, ['-C', arm, 'ARENA_SECTION=.ccmram']);
    expect((await mustRun(ARM_AR, ['t', path.join(arm, 'libvision.a')])).trim().split('\n').sort()).toEqual(['vision.o', 'vision_weights.o']);
    expect(await symbolSection(ARM_OBJDUMP, path.join(arm, 'libvision.a'), 'vision_arena')).toBe('.ccmram');
    const host = path.join(dir, 'make-host');
    fs.cpSync(lib, host, { recursive: true });
    await mustRun(MAKE, ['-C', host, 'CC=gcc', 'AR=ar', 'CFLAGS=-std=c11 -ffp-contract=off -O2 -Wall -Werror']);
    const main = path.join(dir, 'main.c');
    fs.writeFileSync(main, MAIN);
    const exe = path.join(dir, 'make-app');
    await mustRun(GCC, ['-std=c11', '-I', host, main, path.join(host, 'libvision.a'), '-lm', '-o', exe]);
    expectCloseTo(await runProgram(exe), expectedOutput(loadOnnx(MODEL)), 'make');
  });

  it('writes a Zephyr module whose CMake names the library and its existing sources (read with stand-ins, not built)', async () => {
    expect(fs.readFileSync(path.join(lib, 'zephyr', 'module.yml'), 'utf8')).toMatch(/^name: vision\nbuild:\n {2}cmake: zephyr\n/m);
    const script = path.join(dir, 'zephyr-stand-ins.cmake');
    fs.writeFileSync(script, [
      '# Stand-ins for the Zephyr functions the module calls: they print what they get and check the files exist.',
      'function(zephyr_library_named name)\n  message(STATUS "library ${name}")\nendfunction()',
      'function(zephyr_library_sources)\n  foreach(f ${ARGN})\n    if(NOT EXISTS ${f})\n      message(FATAL_ERROR "missing ${f}")\n    endif()\n    get_filename_component(n ${f} NAME)\n    message(STATUS "source ${n}")\n  endforeach()\nendfunction()',
      'function(zephyr_include_directories d)\n  if(NOT EXISTS ${d}/vision.h)\n    message(FATAL_ERROR "no vision.h in ${d}")\n  endif()\n  message(STATUS "include ok")\nendfunction()',
      'function(zephyr_library_compile_options)\n  message(STATUS "options ${ARGN}")\nendfunction()',
      `include(${path.join(lib, 'zephyr', 'CMakeLists.txt')})`,
      '',
    ].join('\n'));
    const r = await mustRun(CMAKE, ['-P', script]);
    const all = r + '';
    expect(all).toMatch(/library vision/);
    expect(all).toMatch(/source vision\.c/);
    expect(all).toMatch(/source vision_weights\.c/);
    expect(all).toMatch(/include ok/);
    expect(all).toMatch(/options -ffp-contract=off;-O2/);
  });

  it('README.md gives the API, the layout, the flags, the memory and the integrations of this library', () => {
    const readme = fs.readFileSync(path.join(lib, 'README.md'), 'utf8');
    const header = fs.readFileSync(path.join(lib, 'vision.h'), 'utf8');
    const arena = /#define VISION_ARENA_BYTES (\d+)/.exec(header)![1];
    expect(readme).toContain('int vision_invoke(const float *input0, float *output0);');
    expect(readme).toMatch(/\| input \| 0 \| input \| `float` \| 1x1x28x28 \| NCHW \(channels first\) \| 784 \(`VISION_INPUT0_ELEMENTS`\) \| 3136 \|/);
    expect(readme).toContain('-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16 -std=c11 -ffp-contract=off');
    expect(readme).toMatch(/At `-O0`/);
    expect(readme).toContain(`| arena | ${arena} |`);
    expect(readme).toMatch(/\| stack \| about \d+ \|/);
    expect(readme).toContain(`for an arena of ${Number(arena) + 3136} bytes instead of ${arena}`);
    expect(readme).toContain(`-DVISION_ARENA_SECTION='".ccmram"'`);
    expect(readme).toContain('add_subdirectory(path/to/this/folder vision)');
    expect(readme).toContain('-DZEPHYR_EXTRA_MODULES=');
    expect(readme).toMatch(/the Zephyr module was not\nbuilt/);
  });
});
