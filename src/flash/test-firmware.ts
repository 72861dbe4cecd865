// The test firmware of a model for an MCU target, as verify builds it for a board: the model's C library and the
// hw-sim harness, linked for the part (what edgeprune flash programs).

import fs from 'node:fs';
import path from 'node:path';
import { buildFirmware, type FirmwareBuild, type Optimize } from '../../hw-sim/index.js';
import { targetEstimator } from '../cost/estimator.js';
import { compileToC } from '../emit/c/compile-c.js';
import { checkFitsTarget } from '../emit/c/size-check.js';
import type { Graph } from '../ir/graph.js';
import { kernelDefines } from '../targets/flags.js';
import type { McuTarget } from '../targets/schema.js';

export interface TestFirmwareOptions {
  target: McuTarget;
  /** Created if missing: the C library goes to <workDir>/model, the firmware to <workDir>/target. */
  workDir: string;
  prefix?: string;
  optimize?: Optimize;
}

/** Compile `g` to C and build the harness firmware with it, as verify does (same flags, same bytes). */
export async function buildTestFirmware(g: Graph, modelName: string, o: TestFirmwareOptions): Promise<FirmwareBuild> {
  const lib = compileToC(g, { prefix: o.prefix, estimator: targetEstimator(o.target), target: o.target });
  checkFitsTarget(lib, o.target);
  const modelDir = path.join(o.workDir, 'model');
  fs.mkdirSync(modelDir, { recursive: true });
  for (const [name, text] of lib.files) fs.writeFileSync(path.join(modelDir, name), text);
  const model = { name: modelName.replace(/[^A-Za-z0-9_.-]/g, '_') || 'model', prefix: lib.view.prefix, dir: modelDir };
  return buildFirmware({ workDir: path.join(o.workDir, 'target'), models: [model], target: o.target, optimize: o.optimize, defines: kernelDefines(o.target) });
}
