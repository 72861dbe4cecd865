// The flash each level would take as a model of its own (compiled alone, linked in a test firmware): what storing the
// levels as separate models costs, against the one levels library (issue 15 §2's flash comparison).

import fs from 'node:fs';
import path from 'node:path';
import { buildFirmware } from '../../hw-sim/index.js';
import { compileToC, type CLibrary } from '../emit/c/compile-c.js';
import type { Graph } from '../ir/graph.js';
import { kernelDefines } from '../targets/flags.js';
import type { McuTarget } from '../targets/schema.js';

/**
 * Each of a levels library's graphs (LevelsLibrary.graphs: float32 or int8) compiled on its own with the dense kernels
 * the library uses (prefix alone<k>), largest first.
 */
export function aloneLibraries(graphs: readonly Graph[], target: McuTarget): CLibrary[] {
  return graphs.map((g, k) => compileToC(g, { prefix: `alone${k}`, sparse: 'never', target }));
}

/** Linked flash (text + data) of each of `alone` (aloneLibraries) in one test firmware. */
export async function aloneFlashBytes(alone: readonly CLibrary[], target: McuTarget, workDir: string): Promise<number[]> {
  const models = alone.map((lib, k) => {
    const dir = path.join(workDir, `alone${k}`);
    fs.mkdirSync(dir, { recursive: true });
    for (const [name, text] of lib.files) fs.writeFileSync(path.join(dir, name), text);
    return { name: `alone${k}`, prefix: `alone${k}`, dir };
  });
  const firmware = await buildFirmware({ workDir: path.join(workDir, 'fw-alone'), models, target, defines: kernelDefines(target) });
  return models.map((m) => {
    const s = firmware.linkedSizes[m.name];
    return s ? s.text + s.data : 0;
  });
}
