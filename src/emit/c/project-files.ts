// The files around a compiled C library that make it a project a firmware can take as is: the Makefile, README.md
// (API, flags, memory, integration), CMakeLists.txt (a static library target) and a Zephyr module (zephyr/).

import { modelPrecision } from '../../analysis/model-precision.js';
import { predictLowered } from '../../cost/predict.js';
import { staticInfo, type Graph } from '../../ir/graph.js';
import type { McuTarget } from '../../targets/schema.js';
import { targetCFlags } from '../../targets/flags.js';
import { makeComment, markdownCodeLine, markdownText } from '../../util/escape.js';
import { VERSION } from '../../version.js';
import { renderTemplate } from '../render-template.js';
import { planArena } from './arena.js';
import type { CLibrary } from './compile-c.js';
import type { IoView } from './view-model.js';
import { renderMakefile } from './makefile.js';

/** How the bytes of a graph input or output are laid out, for the README. */
export function valueLayout(g: Graph, name: string): string {
  const rank = staticInfo(g, name).shape.length;
  if (rank !== 4) return `row-major, rank ${rank}`;
  // A TF.js/Keras model keeps its channels-last input; the importer puts a Transpose to NCHW in front of it.
  const readers = g.nodes.filter((n) => n.inputs.includes(name));
  const nhwc = readers.length > 0 && readers.every((n) => n.opType === 'Transpose' && JSON.stringify(n.attrs.perm?.value) === '[0,3,1,2]');
  return nhwc ? 'NHWC (channels last)' : 'NCHW (channels first)';
}

interface IoRow extends Omit<IoView, 'name'> {
  name: string;
  layout: string;
}

export interface ProjectView {
  prefix: string;
  PREFIX: string;
  files: CLibrary['names'];
  generator: string;
  hash: string;
  modelName: string;
  modelComment: string;
  targetName: string;
  targetDescription: string;
  precision: string;
  inputs: IoRow[];
  outputs: IoRow[];
  firstInput: IoRow;
  firstOutput: IoRow;
  invokeSignature: string;
  cflags: string;
  arenaBytes: number;
  arenaLowerBoundBytes: number;
  /** The arena with the other --keep-inputs setting. */
  otherArenaBytes: number;
  keepInputs: boolean;
  weightBytes: number;
  codeBytes: number;
  stackBytes: number;
  instructions: number;
  estimatedMs: string;
  estimateBasis: string;
  /** CMake variable references (`${...}` next to `{{` would read as Handlebars). */
  cmake: { optimize: string; optimizeFlags: string; section: string; dir: string };
}

function ioRows(g: Graph, views: IoView[], values: readonly { name: string }[]): IoRow[] {
  return views.map((v, i) => ({ ...v, name: markdownText(values[i].name), layout: valueLayout(g, values[i].name) }));
}

/** What every project file needs of a library: names, the model and target text escaped, the interface, the flags. */
export type ProjectBasics = Pick<ProjectView, 'prefix' | 'PREFIX' | 'files' | 'generator' | 'hash' | 'modelName' | 'modelComment' | 'targetName' | 'targetDescription' | 'precision' | 'inputs' | 'outputs' | 'firstInput' | 'firstOutput' | 'cflags' | 'cmake'>;

/** The project basics of a compiled library (a CLibrary, or a levels library's level 0 graph and view). */
export function projectViewBasics(lib: Pick<CLibrary, 'names' | 'graph' | 'view'>, target: McuTarget): ProjectBasics {
  const g = lib.graph;
  const v = lib.view;
  const inputs = ioRows(g, v.inputs, g.inputs);
  const outputs = ioRows(g, v.outputs, g.outputs);
  return {
    prefix: v.prefix,
    PREFIX: v.PREFIX,
    files: lib.names,
    generator: `edgeprune ${VERSION}`,
    hash: v.hash,
    modelName: markdownText(g.name),
    modelComment: makeComment(g.name),
    targetName: target.name,
    targetDescription: markdownText(target.description),
    precision: modelPrecision(g).precision === 'int8' ? markdownText(v.precisionNote) : 'float32',
    inputs,
    outputs,
    firstInput: inputs[0],
    firstOutput: outputs[0],
    cflags: markdownCodeLine(targetCFlags(target).join(' ')),
    cmake: { optimize: `\${${v.PREFIX}_OPTIMIZE}`, optimizeFlags: `\${${v.prefix}_optimize_flags}`, section: `\${${v.PREFIX}_ARENA_SECTION}`, dir: `\${${v.prefix}_dir}` },
  };
}

export function projectView(lib: CLibrary, target: McuTarget): ProjectView {
  const g = lib.graph;
  const v = lib.view;
  // The cost model's figures for this target (calibrated kernels; a kernel without calibration is predicted conservatively).
  const cost = predictLowered(lib, target, { unknownKernels: 'fallback' });
  const params = [...v.inputs.map((x) => `const ${x.ctype} *input${x.index}`), ...v.outputs.map((x) => `${x.ctype} *output${x.index}`)];
  return {
    ...projectViewBasics(lib, target),
    invokeSignature: `int ${v.prefix}_invoke(${params.join(', ')});`,
    arenaBytes: v.arenaBytes,
    arenaLowerBoundBytes: v.arenaLowerBoundBytes,
    otherArenaBytes: planArena(g, lib.steps, { keepInputs: !v.keepInputs }).arenaBytes,
    keepInputs: v.keepInputs,
    weightBytes: v.weightBytes,
    codeBytes: cost.codeBytes,
    stackBytes: cost.stackBytes,
    instructions: cost.instructions,
    estimatedMs: cost.estimatedMs.toPrecision(3),
    estimateBasis: markdownText(cost.estimateBasis),
  };
}

/** Makefile, README.md, CMakeLists.txt, zephyr/module.yml and zephyr/CMakeLists.txt of a compiled library. */
export function projectFiles(lib: CLibrary, target: McuTarget): Map<string, string> {
  const view = projectView(lib, target);
  return new Map([
    ['Makefile', renderMakefile(lib, target)],
    ['README.md', renderTemplate('c/README.md.hbs', view)],
    ['CMakeLists.txt', renderTemplate('c/CMakeLists.txt.hbs', view)],
    ['zephyr/module.yml', renderTemplate('c/zephyr/module.yml.hbs', view)],
    ['zephyr/CMakeLists.txt', renderTemplate('c/zephyr/CMakeLists.txt.hbs', view)],
  ]);
}
