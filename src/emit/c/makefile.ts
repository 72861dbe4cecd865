// The Makefile of a compiled C library (templates/c/Makefile.hbs): builds lib<prefix>.a with the target's flags.

import type { McuTarget } from '../../targets/schema.js';
import { targetCFlags } from '../../targets/flags.js';
import { makeComment, makeVariableValue } from '../../util/escape.js';
import { VERSION } from '../../version.js';
import { renderTemplate } from '../render-template.js';
import type { CLibrary, LibraryFileNames } from './compile-c.js';

/** The template's view: the model's and the target's text escaped for a Makefile comment, the flags for a variable. */
export interface MakefileView {
  prefix: string;
  PREFIX: string;
  files: LibraryFileNames;
  /** The objects of lib<prefix>.a (kws.o kws_weights.o). */
  objects: string;
  modelName: string;
  targetName: string;
  targetDescription: string;
  generator: string;
  cflags: string;
}

/** What a Makefile needs of a library (a CLibrary, or a levels library's level 0). */
export type MakefileLibrary = Pick<CLibrary, 'names'> & { graph: Pick<CLibrary['graph'], 'name'>; view: Pick<CLibrary['view'], 'prefix' | 'PREFIX'> };

export function makefileView(lib: MakefileLibrary, target: McuTarget): MakefileView {
  return {
    prefix: lib.view.prefix,
    PREFIX: lib.view.PREFIX,
    files: lib.names,
    objects: [lib.names.source, lib.names.weights].map((f) => f.replace(/\.c$/, '.o')).join(' '),
    modelName: makeComment(lib.graph.name),
    targetName: makeComment(target.name),
    targetDescription: makeComment(target.description),
    generator: `edgeprune ${VERSION}`,
    cflags: makeVariableValue(targetCFlags(target).join(' ')),
  };
}

/** The Makefile text for `make -C <out>` (arm-none-eabi-gcc with the target's flags). */
export function renderMakefile(lib: MakefileLibrary, target: McuTarget): string {
  return renderTemplate('c/Makefile.hbs', makefileView(lib, target));
}
