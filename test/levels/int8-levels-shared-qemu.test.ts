// int8 levels of the digits CNN in one library under QEMU, on the Cortex-M3 (lm3s6965: the portable path's assembly
// tiles in channel pairs) and the Cortex-M4F (stm32f405: the DSP path's): the narrowed layers read level 0's int8 rows
// through a row stride (nothing of their weights copied), the levels' calls share out-of-line kernels (a run-time C, M,
// K and N), and every level, run through <prefix>_run_level, gives the int8 interpreter's output bits on its graph in
// both kernel modes (inline, shared) in one firmware; shared costs at most 1.5% more instructions than inline.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildFirmware, levelAdapterLibraries, openQemuSession } from '../../hw-sim/index.js';
import { missingTools } from '../../bench/kernels/bench-lib.js';
import { loadModel } from '../../src/import/load-model.js';
import { runGraph } from '../../src/ir/interpreter.js';
import { compileInt8LevelsToC, type LevelsLibrary } from '../../src/levels/compile-levels.js';
import { levelSharing } from '../../src/levels/level-sharing.js';
import { levelGraph } from '../../src/levels/nested-levels.js';
import { prefixLevels } from '../../src/levels/prefix-levels.js';
import { quantizeLevels } from '../../src/levels/quantize-levels.js';
import { findMcuTarget } from '../../src/targets/load-targets.js';
import { kernelDefines } from '../../src/targets/flags.js';
import { firstBitDifference, tensorBytes, tensorFromBytes } from '../../src/verify/output-bits.js';
import { loadVectors } from '../../src/verify/vectors.js';
import { removeTempDirs, tempDir } from '../hw-sim/support.js';
import { skipForMissingTools } from '../support/toolchain.js';

const skip = skipForMissingTools('test/levels/int8-levels-shared-qemu.test.ts', await missingTools());

afterAll(removeTempDirs);

const g = await loadModel(path.resolve('examples/models/digits-cnn.onnx'));
// conv1 keeps 6 and 4 of 8 channels, conv2 11 and 7 of 16 (odd: a pair and a single on the Cortex-M3).
const levels = prefixLevels(g, [1, 0.7, 0.45]);
const calibration = loadVectors(g, { count: 16, seed: 3 }).inputs.map((list) => ({ [g.inputs[0].name]: list[0] }));
const graphs = quantizeLevels(levels.keep.map((_, k) => levelGraph(levels, k)), { method: 'minmax', denseWeights: 'per-channel', calibration }).graphs;

function write(lib: LevelsLibrary, dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, text] of lib.files) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

describe('int8 levels library of the digits CNN', () => {
  it('reads every narrowed layer\'s int8 weights from level 0\'s arrays and shares one kernel function per layer', () => {
    const lib = compileInt8LevelsToC(graphs, { prefix: 'lv' });
    const sharing = levelSharing(lib);
    for (const k of [1, 2]) {
      expect(sharing[k].ownWeightBytes, `level ${k}`).toBe(0);
      expect(sharing[k].sharedBytes, `level ${k}`).toBeGreaterThan(0);
      const kinds = Object.fromEntries(lib.levels[k].weights.map((w) => [w.key, w.kind]));
      expect(kinds['conv2.weight_quantized'], `level ${k}`).toBe('strided');
      expect(kinds['fc1.weight_quantized'], `level ${k}`).toBe('strided');
    }
    expect(lib.copiedBytes).toBe(sharing.reduce((s, l) => s + (l.level > 0 ? l.ownParameterBytes : 0), 0));
    // conv1, conv2, fc1, fc2: one function each, called by the three levels (conv2's input channels differ: 8, 6, 4).
    expect(lib.kernels).toBe('shared');
    expect(lib.sharedKernels.map((k) => [k.kernel, k.calls])).toEqual([['ep_conv2d_ldw_s8', 3], ['ep_conv2d_ldw_s8', 3], ['ep_dense_nb_s8', 3], ['ep_dense_ldw_s8', 3]]);
    const c = lib.files.get('lv.c')!;
    expect(c.match(/\blv_k1\(/g)).toHaveLength(4);
    // conv2's C and M at run time, each with the range of its calls' values (the kernel folds its loop bounds from it).
    expect(c).toMatch(/^LV_STEP lv_k1\(void \*a0, const void \*a1, const void \*a2, const void \*a3, const void \*a4, void \*a5, int a6, int a9(, int a2[2-5])*\) \{\n  if \(a6 < 4 \|\| a6 > 8\) EP__UNREACHABLE\(\);\n  if \(a9 < 7 \|\| a9 > 16\) EP__UNREACHABLE\(\);\n  ep_conv2d_ldw_s8\(a0, a1, a2, a3, a4, a5, a6, 8, 8, a9, 3, 3, 8, 8, 1, 1, 1, 1, 1, 1, 1, 72, /m);
    expect(c).toMatch(/^LV_STEP lv_k2\(void \*a0, const void \*a1, const void \*a2, const void \*a3, const void \*a4, void \*a5, int a7, int a8\) \{\n  if \(a7 < 112 \|\| a7 > 256\) EP__UNREACHABLE\(\);\n  if \(a8 < 14 \|\| a8 > 32\) EP__UNREACHABLE\(\);\n  ep_dense_nb_s8\(a0, a1, a2, a3, a4, a5, 1, a7, a8, 256, 4, /m);
    expect(c.match(/ep_conv2d_(ldw_)?s8\(/g)).toHaveLength(2); // the two shared functions
    const inline = compileInt8LevelsToC(graphs, { prefix: 'lv', kernels: 'inline' });
    expect(inline.sharedKernels).toEqual([]);
    expect(inline.files.get('lv.c')).not.toMatch(/\blv_k\d/);
  });
});

describe.skipIf(skip)('int8 levels library in QEMU', () => {
  for (const name of ['lm3s6965', 'stm32f405']) {
    it(`runs every level on ${name} bit for bit as the int8 interpreter, in every kernel mode`, async () => {
      const target = findMcuTarget(name);
      const work = tempDir(`int8-levels-${name}`);
      const indices = graphs.map((_, k) => k);
      const modes = (['inline', 'shared'] as const).map((mode, i) => {
        const lib = compileInt8LevelsToC(graphs, { prefix: `l${i}`, kernels: mode });
        return levelAdapterLibraries({ dir: write(lib, path.join(work, mode)), prefix: lib.prefix, inputs: lib.inputs, outputs: lib.outputs }, mode, indices, path.join(work, `adapters-${mode}`));
      });
      const firmware = await buildFirmware({ workDir: path.join(work, 'fw'), models: modes.flatMap((m) => m.models), sources: modes.flatMap((m) => m.librarySources), target, defines: kernelDefines(target) });
      const vectors = loadVectors(g, { count: 4, seed: 11 }).inputs;
      const session = await openQemuSession(firmware.elf, target, { transfer: 'files' });
      try {
        for (const k of indices) {
          const graph = graphs[k];
          const counts: string[] = [];
          const instructions: number[] = [];
          for (const [i, mode] of ['inline', 'shared'].entries()) {
            const runs = await session.runMany(i * indices.length + k, vectors.map((inputs) => inputs.map(tensorBytes)));
            runs.forEach((run, v) => {
              expect(run.status).toBe(0);
              const want = runGraph(graph, { [graph.inputs[0].name]: vectors[v][0] }).get(graph.outputs[0].name)!;
              const got = tensorFromBytes(run.outputs[0], { dtype: want.dtype, shape: want.shape });
              expect(firstBitDifference(got, want), `${mode}, level ${k}, vector ${v}`).toBeNull();
            });
            counts.push(`${mode} ${runs[0].instructions}`);
            instructions.push(Math.max(...runs.map((r) => r.instructions ?? Infinity)));
          }
          console.log(`${name} level ${k} instructions: ${counts.join(', ')}`);
          // The shared functions' run-time shapes keep the tiled and assembly paths (before the assembly channel loop
          // took a run-time count: 7-13% more with the input channels shared).
          expect(instructions[1], `level ${k}: shared over inline`).toBeLessThanOrEqual(instructions[0] * 1.015);
        }
      } finally {
        await session.close();
      }
    }, 600_000);
  }
});
