// The files around a levels library that make it a project a firmware takes as is (issue 15 §2): the single-model
// library's Makefile, CMakeLists.txt and Zephyr module (the same templates), and a README.md for model_run_level.

import { projectViewBasics } from '../emit/c/project-files.js';
import { renderMakefile } from '../emit/c/makefile.js';
import { renderTemplate } from '../emit/render-template.js';
import type { McuTarget } from '../targets/schema.js';
import { markdownText } from '../util/escape.js';
import type { LevelsLibrary } from './compile-levels.js';

/** One row of the README's levels table (every text escaped for Markdown). */
interface LevelRow {
  index: number;
  label: string;
  arenaBytes: number;
  worstCase: string;
  accuracy: string;
}

function levelRows(lib: LevelsLibrary): LevelRow[] {
  return lib.levels.map((l, k) => {
    const f = lib.figures?.[k];
    return {
      index: k,
      label: f?.label === undefined ? '-' : markdownText(f.label),
      arenaBytes: l.plan.arenaBytes,
      worstCase: f?.instructionsWorstCase === undefined ? '-' : Math.ceil(f.instructionsWorstCase).toLocaleString('en-US'),
      accuracy: f?.accuracy === undefined ? '-' : `${(f.accuracy * 100).toFixed(2)}%`,
    };
  });
}

/** Makefile, README.md, CMakeLists.txt and zephyr/ of a levels library (relative paths → text). */
export function levelsProjectFiles(lib: LevelsLibrary, target: McuTarget): Map<string, string> {
  const graph = lib.levels[0].graph;
  const basics = projectViewBasics({ names: lib.names, graph, view: lib.view }, target);
  // The control-loop example reads instructions_worst_case and passes one input and one output.
  const example = lib.figures !== null && lib.figures.every((f) => f.instructionsWorstCase !== undefined) && lib.inputs.length === 1 && lib.outputs.length === 1;
  const v = lib.view;
  const params = [...v.inputs.map((x) => `const ${x.ctype} *input${x.index}`), ...v.outputs.map((x) => `${x.ctype} *output${x.index}`)].join(', ');
  const signatures = { runLevel: `int ${v.prefix}_run_level(int level, ${params});`, invoke: `int ${v.prefix}_invoke(${params});` };
  const view = { ...basics, signatures, levelCount: lib.levels.length, levels: levelRows(lib), weightBytes: lib.weightBytes, arenaBytes: lib.arenaBytes, hasFigures: lib.figures !== null, example };
  return new Map([
    ['Makefile', renderMakefile({ names: lib.names, graph, view: lib.view }, target)],
    ['README.md', renderTemplate('c/levels/README.md.hbs', view)],
    ['CMakeLists.txt', renderTemplate('c/CMakeLists.txt.hbs', view)],
    ['zephyr/module.yml', renderTemplate('c/zephyr/module.yml.hbs', view)],
    ['zephyr/CMakeLists.txt', renderTemplate('c/zephyr/CMakeLists.txt.hbs', view)],
  ]);
}
