// Nested levels → one C library (issue 15 §2): <prefix>_run_level(k, inputs, outputs), one arena for the largest
// level's need, the levels' weights shared in flash with level 0's, and a table of each level's figures. float32
// levels are slices of one float model (compileLevelsToC); int8 levels are those slices quantized
// (src/levels/quantize-levels.ts, compileInt8LevelsToC).

import crypto from 'node:crypto';
import fs from 'node:fs';
import { modelPrecision } from '../analysis/model-precision.js';
import { checkPrefix } from '../emit/c/c-literals.js';
import { KERNEL_DIR, kernelHeaders, libraryFileNames, lowerForC, type LibraryFileNames, type LoweredProgram } from '../emit/c/compile-c.js';
import { requantFastOnly } from '../emit/c/requant-shifts.js';
import { checkLoweredFitsTarget } from '../emit/c/size-check.js';
import { buildViewModel, WeightTable, type ModelView } from '../emit/c/view-model.js';
import { renderTemplate } from '../emit/render-template.js';
import { UserError } from '../errors.js';
import type { Graph } from '../ir/graph.js';
import { exportOnnx } from '../onnx/export.js';
import { analyzePruneGroups } from '../prune/structure/index.js';
import type { McuTarget } from '../targets/schema.js';
import { VERSION } from '../version.js';
import { levelFiguresView, type LevelFigures, type LevelFiguresView } from './level-figures.js';
import { checkNested, levelGraph, type NestedLevels } from './nested-levels.js';
import { shareKernels, type LevelKernels, type SharedKernel } from './shared-kernels.js';
import { shareLevelWeights, weightsByKey, type SharedWeight } from './share-weights.js';

export type { LevelFigures } from './level-figures.js';

/** What an int8 levels library's kernels share by default (src/levels/shared-kernels.ts; docs/levels.md, int8 levels). */
export const DEFAULT_LEVEL_KERNELS: LevelKernels = 'shared';

export interface CompileLevelsOptions {
  /** Symbol prefix (default 'model'): <prefix>_run_level, <prefix>_levels, files <prefix>.h, <prefix>.c, <prefix>_weights.c. */
  prefix?: string;
  /** Each level's figures for the <prefix>_levels table (optional; a field is emitted when every level gives it). */
  figures?: readonly LevelFigures[];
  /** As compileToC's keepInputs, for every level. */
  keepInputs?: boolean;
  /** Refuse (UserError) a library whose weights (shared and copied) or arena exceed this target's flash or RAM. */
  target?: McuTarget;
  /**
   * Which calls of different levels share one out-of-line kernel function (src/levels/shared-kernels.ts): none
   * (`inline`), or those whose tiled code takes the differing arguments at run time (`shared`). Default:
   * DEFAULT_LEVEL_KERNELS for int8 levels (their kernels are most of the flash), `inline` for float32 (their levels
   * share their weights, and the float kernels are not built for it).
   */
  kernels?: LevelKernels;
}

export interface LevelProgram extends LoweredProgram {
  /** How each weight array of the level is stored (level 0: the full model's own, all 'identical'). */
  weights: SharedWeight[];
}

export interface LevelsLibrary {
  /** Relative path → content: the library's three files and the kernel headers. */
  files: Map<string, string>;
  names: LibraryFileNames;
  prefix: string;
  /** The API's inputs and outputs (the same in every level): C element type and element count. */
  inputs: { ctype: string; elements: number }[];
  outputs: { ctype: string; elements: number }[];
  /** The levels as compiled, largest first (their calls as priced: the kernels, not the shared functions). */
  levels: LevelProgram[];
  /** What the levels' kernels share (float32: always `inline`). */
  kernels: LevelKernels;
  /** The out-of-line kernel functions the levels' calls share (none when `inline`). */
  sharedKernels: SharedKernel[];
  /** Each level's graph as given to the C backend (float32 slices of the full model, or their int8 quantizations). */
  graphs: Graph[];
  precision: 'float32' | 'int8';
  /** The arena: the largest of the levels' arenas. */
  arenaBytes: number;
  /** Flash of the weight arrays: the full model's plus the copies the levels could not share. */
  weightBytes: number;
  /** Bytes of the copies a level needs of its own (its weights that are not views of the full model's arrays). */
  copiedBytes: number;
  /** Level 0's view (prefix, inputs and outputs escaped, model name): what the project files around the library need. */
  view: ModelView;
  /** The figures given for the <prefix>_levels table, or null. */
  figures: readonly LevelFigures[] | null;
  /**
   * The library's source file (files.get(names.source)) in a step-marks build: each level's run calls ephw_step_mark
   * (hw-sim's harness with EPHW_STEP_MARKS) before its first step and after each (the worst-case verification's
   * per-step counts: src/levels/verify-levels.ts). Not for deployment.
   */
  stepMarksSource: string;
}

/** The view of one level in the levels templates. */
interface LevelView {
  index: number;
  view: ModelView;
  figures: LevelFiguresView['rows'][number];
}

function refuseUnsupported(levels: NestedLevels): void {
  const p = modelPrecision(levels.full);
  if (p.precision === 'int8') {
    throw new UserError(
      `nested levels are sliced from a model in float32 only: the model is int8${p.firstInt8Node ? ` (node '${p.firstInt8Node.name}')` : ''}`,
      'give the float model: its levels are slices of it (build --levels --precision int8 quantizes each level, compileInt8LevelsToC compiles them); levels of an already quantized model and weight-sparse level kernels are not supported',
    );
  }
}

/** Each level's float graph: the full model without the channels the level removes (checked nested first). */
function levelGraphs(levels: NestedLevels): Graph[] {
  const analysis = analyzePruneGroups(levels.full);
  checkNested(levels, analysis);
  return levels.keep.map((_, k) => levelGraph(levels, k, analysis));
}

/** Every level through the C backend with the dense kernels (a level's weights are slices of level 0's arrays). */
function lowerLevels(graphs: readonly Graph[], keepInputs: boolean): LoweredProgram[] {
  return graphs.map((g) => lowerForC(g, { sparse: 'never', keepInputs }));
}

/** Refuse int8 levels that are not all int8 (an edgeprune bug: quantizeLevels makes them). */
function checkInt8(graphs: readonly Graph[]): void {
  if (graphs.length === 0) throw new Error('int8 levels: no level');
  graphs.forEach((g, k) => {
    if (modelPrecision(g).precision !== 'int8') throw new Error(`int8 levels: level ${k} is not quantized`);
  });
}

/** Level 0 as it is; every other level with its weights pointing into level 0's arrays where they can. */
function shareWeights(lowered: LoweredProgram[]): LevelProgram[] {
  const full = weightsByKey(lowered[0].steps);
  const taken = new Set<string>();
  for (const l of lowered) for (const key of weightsByKey(l.steps).keys()) taken.add(key);
  return lowered.map((l, k) => {
    if (k === 0) return { ...l, weights: [...full.values()].map((w) => ({ key: w.key, kind: 'identical' as const, bytes: w.tensor.data.byteLength })) };
    const shared = shareLevelWeights(full, l.steps, k, taken);
    return { ...l, steps: shared.steps, weights: shared.weights };
  });
}

function checkSameInterface(levels: LevelProgram[]): void {
  const describe = (l: LevelProgram) => JSON.stringify([l.graph.inputs, l.graph.outputs].map((vs) => vs.map((v) => [v.name, v.dtype, v.shape])));
  const first = describe(levels[0]);
  levels.forEach((l, k) => {
    if (describe(l) !== first) throw new Error(`nested levels: level ${k}'s inputs or outputs differ from level 0's`);
  });
}

/** Nested float32 levels of one model in one library. */
export function compileLevelsToC(levels: NestedLevels, options: CompileLevelsOptions = {}): LevelsLibrary {
  refuseUnsupported(levels);
  const graphs = levelGraphs(levels);
  const hash = crypto.createHash('sha256').update(exportOnnx(levels.full)).update(JSON.stringify(levels.keep)).digest('hex');
  return compileLevelGraphs(graphs, 'float32', hash, options);
}

/** Nested levels quantized to int8 (quantizeLevels: level 0's scales where rows are level 0's) in one library. */
export function compileInt8LevelsToC(graphs: readonly Graph[], options: CompileLevelsOptions = {}): LevelsLibrary {
  checkInt8(graphs);
  const hash = crypto.createHash('sha256');
  for (const g of graphs) hash.update(exportOnnx(g));
  return compileLevelGraphs(graphs, 'int8', hash.digest('hex'), options);
}

function compileLevelGraphs(graphs: readonly Graph[], precision: LevelsLibrary['precision'], hash: string, options: CompileLevelsOptions): LevelsLibrary {
  const prefix = checkPrefix(options.prefix ?? 'model');
  if (options.figures && options.figures.length !== graphs.length) {
    throw new Error(`levels library: ${options.figures.length} levels of figures for ${graphs.length} levels`);
  }
  const lowered = lowerLevels(graphs, options.keepInputs === true);
  // Before shareWeights renames a level's own copies (`…:requant_shift:level1`) and shareKernels rewrites the calls.
  const fastOnly = requantFastOnly(lowered.flatMap((p) => p.steps));
  const programs = shareWeights(lowered);
  checkSameInterface(programs);
  if (options.target) {
    const largest = programs.reduce((a, b) => (b.plan.arenaBytes > a.plan.arenaBytes ? b : a));
    checkLoweredFitsTarget({ steps: programs.flatMap((p) => p.steps), plan: largest.plan }, options.target);
  }
  const names = libraryFileNames(prefix);
  const headers = kernelHeaders();
  const generator = `edgeprune ${VERSION}`;
  const table = new WeightTable(prefix);
  const mode = precision === 'int8' ? options.kernels ?? DEFAULT_LEVEL_KERNELS : 'inline';
  const { levels: rendered, kernels: sharedKernels } = shareKernels(programs.map((p) => p.steps), prefix, `${prefix.toUpperCase()}_STEP`, mode);
  const views = programs.map((p, k) => buildViewModel({
    graph: p.graph, steps: rendered[k], plan: p.plan, prefix, generator, hash, kernelHeaders: headers, files: names,
    keepInputs: options.keepInputs === true, weightTable: table, staticsPrefix: `${prefix}_l${k}`,
  }));
  const weights = table.all();
  const weightBytes = weights.reduce((s, w) => s + w.bytes, 0);
  const arenaBytes = Math.max(...programs.map((p) => p.plan.arenaBytes));
  const figures = levelFiguresView(options.figures ?? programs.map(() => ({})), programs.map((p) => p.plan.arenaBytes));
  const levelViews: LevelView[] = views.map((view, index) => ({ index, view, figures: figures.rows[index] }));
  const top = views[0];
  const view = {
    ...top,
    arenaBytes,
    arenaArrayBytes: Math.max(arenaBytes, 1),
    arenaLowerBoundBytes: Math.max(...programs.map((p) => p.plan.lowerBoundBytes)),
    weights,
    weightBytes,
    levels: levelViews,
    levelCount: levelViews.length,
    figureFields: figures.fields,
    sharedKernels: sharedKernels.map((k) => ({ ...k, lines: k.definition.split('\n') })),
    requantFastOnly: fastOnly,
  };
  const files = new Map<string, string>();
  files.set(names.header, renderTemplate('c/levels/levels.h.hbs', view));
  files.set(names.source, renderTemplate('c/levels/levels.c.hbs', { ...view, stepMarks: false }));
  const stepMarksSource = renderTemplate('c/levels/levels.c.hbs', { ...view, stepMarks: true });
  files.set(names.weights, renderTemplate('c/model_weights.c.hbs', view));
  for (const h of headers) files.set(h, fs.readFileSync(`${KERNEL_DIR}/${h}`, 'utf8'));
  const copiedBytes = programs.flatMap((p) => p.weights).filter((w) => w.kind === 'copy').reduce((s, w) => s + w.bytes, 0);
  const port = (io: { ctype: string; elements: number }) => ({ ctype: io.ctype, elements: io.elements });
  return { files, names, prefix, inputs: top.inputs.map(port), outputs: top.outputs.map(port), levels: programs, kernels: mode, sharedKernels, graphs: [...graphs], precision, arenaBytes, weightBytes, copiedBytes, view: top, figures: options.figures ?? null, stepMarksSource };
}
