// The errors of a firmware build that went wrong: the compiler's or linker's refusal in one line (BuildError), a
// program too big for the part with the sizes, and malloc pulled in, with who called it (from the linker map).

import fs from 'node:fs';
import { UserError } from '../../src/errors.js';
import type { McuTarget } from '../../src/targets/schema.js';
import { parseLinkerMap, type LinkerMap } from './sizes.js';

/**
 * The compiler or the linker rejected the C (generated code, a hand-written library): exit 2 in the
 * CLI, with the compiler's first errors (file:line) in the one-line message; the whole output is
 * in `compilerOutput`.
 */
export class BuildError extends UserError {
  constructor(
    what: string,
    readonly compilerOutput: string,
  ) {
    super(
      `${what}: ${firstErrors(compilerOutput)}`,
      'if the model and the flags are ordinary, this is a bug in edgeprune: report it with the model and this message',
    );
    this.name = 'BuildError';
  }
}

/** The compiler's first error lines ("model.c:12:5: error: ..."), joined into one line. */
export function firstErrors(output: string, n = 3): string {
  const lines = output.split('\n').map((l) => l.trim()).filter(Boolean);
  const errors = lines.filter((l) => /(^|:)\s*(fatal )?error:|undefined reference|multiple definition/.test(l));
  const shown = (errors.length > 0 ? errors : lines).slice(0, n);
  const more = (errors.length > 0 ? errors : lines).length - shown.length;
  return shown.length === 0 ? '(no compiler output)' : `${shown.join(' | ')}${more > 0 ? ` (and ${more} more)` : ''}`;
}


/** Turn a failed link into the error the user should see. */
export function linkFailure(stderr: string, target: McuTarget, stackReserveBytes: number, map?: LinkerMap): Error {
  const overflows = [...stderr.matchAll(/region [`'](\w+)' overflowed by (\d+) bytes/g)].map((m) => ({ region: m[1], bytes: Number(m[2]) }));
  const seen = new Set<string>();
  const parts: string[] = [];
  for (const o of overflows) {
    if (seen.has(o.region)) continue;
    seen.add(o.region);
    if (o.region === 'RAM') {
      const have = target.ram.bytes;
      const need = have + o.bytes;
      parts.push(
        `RAM overflowed by ${o.bytes} bytes: static data + bss need ${need - stackReserveBytes} bytes plus ${stackReserveBytes} reserved for the stack = ${need}, the part has ${have}`,
      );
    } else if (o.region === 'FLASH') {
      const have = target.flash.bytes;
      parts.push(`flash overflowed by ${o.bytes} bytes: code + constants + initial data need ${have + o.bytes} bytes, the part has ${have}`);
    } else {
      parts.push(`region ${o.region} overflowed by ${o.bytes} bytes`);
    }
  }
  if (parts.length > 0) {
    return new UserError(`the program does not fit ${target.name}: ${parts.join('; ')}`, 'prune or quantize the model further, or choose a target with more memory');
  }
  if (/undefined reference to [`']_sbrk'/.test(stderr) || /undefined reference to [`'](_?malloc|_malloc_r|calloc|realloc)'/.test(stderr)) {
    return new UserError(`the program allocates memory (malloc): ${mallocCulprit(map) ?? 'see the linker output'}; model code must not call malloc or stdio`);
  }
  return new BuildError(`linking the firmware for ${target.name} failed`, stderr);
}

/**
 * Who brought malloc in. After a successful link only what survived gc-sections counts (an
 * unused function that calls malloc costs nothing); after a failed one, any member that came in.
 */
export function mallocCulprit(map?: LinkerMap, linkedOnly = false): string | null {
  if (!map) return null;
  const isMalloc = (file: string): boolean => /\((lib_a|libc_a)-(nano-)?(malloc|mallocr|sbrkr?|callocr?|reallocr?)\.o\)$/.test(file);
  const linked = new Set(map.contributions.filter((c) => isMalloc(c.file)).map((c) => c.file));
  const roots = new Set<string>();
  for (const [member, reason] of map.archiveReasons) {
    if (!isMalloc(member) || (linkedOnly && !linked.has(member))) continue;
    // Follow the chain back to our own objects (malloc.o <- nano-mallocr.o <- model.o (malloc)).
    let why = reason;
    for (let hops = 0; hops < 8; hops++) {
      const from = /^(.*\.a\([^)]*\)) \(/.exec(why)?.[1];
      const next = from ? map.archiveReasons.get(from) : undefined;
      if (!next) break;
      why = next;
    }
    roots.add(why);
  }
  return roots.size > 0 ? `called by ${[...roots].join(', ')}` : null;
}

export function readMapIfAny(file: string): LinkerMap | undefined {
  try {
    return parseLinkerMap(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}
