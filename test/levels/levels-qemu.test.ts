// End to end: one levels library of the digits CNN (three nested levels) in the test firmware under QEMU. Every level,
// run through <prefix>_run_level on the shared weights, gives bit for bit the outputs of levelGraph(levels, k) compiled
// on its own (compileToC, its own weight arrays), and the interpreter's within verify's tolerance (the kernels' fused
// multiply-adds round differently from the interpreter's); a level outside the range returns the error status.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildFirmware, levelAdapterLibraries, openQemuSession } from '../../hw-sim/index.js';
import { missingTools } from '../../bench/kernels/bench-lib.js';
import { loadModel } from '../../src/import/load-model.js';
import { compileToC } from '../../src/emit/c/compile-c.js';
import { runGraph } from '../../src/ir/interpreter.js';
import { compareTensors } from '../../src/conformance/compare.js';
import { C_TOLERANCE } from '../../src/verify/verify-mcu.js';
import { compileLevelsToC } from '../../src/levels/compile-levels.js';
import { levelGraph } from '../../src/levels/nested-levels.js';
import { prefixLevels } from '../../src/levels/prefix-levels.js';
import { findMcuTarget } from '../../src/targets/load-targets.js';
import { kernelDefines } from '../../src/targets/flags.js';
import { firstBitDifference, tensorBytes, tensorFromBytes } from '../../src/verify/output-bits.js';
import { loadVectors } from '../../src/verify/vectors.js';
import { removeTempDirs, tempDir } from '../hw-sim/support.js';
import { skipForMissingTools } from '../support/toolchain.js';

const skip = skipForMissingTools('test/levels/levels-qemu.test.ts', await missingTools());

afterAll(removeTempDirs);

describe.skipIf(skip)('levels library in QEMU', () => {
  it('runs every level of the digits CNN bit for bit as that level compiled alone (the interpreter within tolerance), and refuses a level out of range', async () => {
    const target = findMcuTarget('stm32f405');
    const g = await loadModel(path.resolve('examples/models/digits-cnn.onnx'));
    const levels = prefixLevels(g, [1, 0.7, 0.45]);
    const lib = compileLevelsToC(levels, { prefix: 'lv' });
    expect(lib.copiedBytes).toBe(0);
    const work = tempDir('levels');
    const libDir = path.join(work, 'lib');
    fs.mkdirSync(libDir);
    for (const [name, text] of lib.files) fs.writeFileSync(path.join(libDir, name), text);
    const selected = [0, 1, 2, 3, -1];
    const { models, librarySources } = levelAdapterLibraries({ dir: libDir, prefix: lib.prefix, inputs: lib.inputs, outputs: lib.outputs }, 'digits', selected, path.join(work, 'adapters'));
    // Each level compiled on its own (after the adapters in the model table: model selected.length + k).
    levels.keep.forEach((_, k) => {
      const alone = compileToC(levelGraph(levels, k), { prefix: `alone${k}`, sparse: 'never' });
      const dir = path.join(work, `alone${k}`);
      fs.mkdirSync(dir);
      for (const [name, text] of alone.files) fs.writeFileSync(path.join(dir, name), text);
      models.push({ name: `digits-alone${k}`, prefix: `alone${k}`, dir });
    });
    const firmware = await buildFirmware({ workDir: path.join(work, 'fw'), models, sources: librarySources, target, defines: kernelDefines(target) });

    const vectors = loadVectors(g, { count: 3, seed: 5 }).inputs;
    const session = await openQemuSession(firmware.elf, target, { transfer: 'files' });
    try {
      for (const [index, level] of selected.entries()) {
        const runs = await session.runMany(index, vectors.map((inputs) => inputs.map(tensorBytes)));
        if (level < 0 || level >= levels.keep.length) {
          for (const run of runs) expect(run.status, `level ${level}`).toBe(-1);
          continue;
        }
        const graph = levelGraph(levels, level);
        const alone = await session.runMany(selected.length + level, vectors.map((inputs) => inputs.map(tensorBytes)));
        runs.forEach((run, v) => {
          expect(run.status).toBe(0);
          const want = runGraph(graph, { [graph.inputs[0].name]: vectors[v][0] }).get(graph.outputs[0].name)!;
          const got = tensorFromBytes(run.outputs[0], { dtype: 'float32', shape: want.shape });
          const own = tensorFromBytes(alone[v].outputs[0], { dtype: 'float32', shape: want.shape });
          expect(firstBitDifference(got, own), `level ${level}, vector ${v}`).toBeNull();
          expect(compareTensors(got, want, C_TOLERANCE), `level ${level}, vector ${v}`).toBeNull();
        });
      }
    } finally {
      await session.close();
    }
  });
});
