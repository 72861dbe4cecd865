// The figures of each level in a levels library's <prefix>_levels[] table: what the caller gives (escaped, checked)
// and the level's arena, as C initializers.

import { cFloat } from '../emit/c/c-literals.js';
import { cString } from '../util/escape.js';

/** What a caller knows about a level (optional: a field goes into the table when every level gives it). */
export interface LevelFigures {
  /** A name for the level (any text: a C string in the table). */
  label?: string;
  /** Worst-case instructions of one inference (issue 15 §1). */
  instructionsWorstCase?: number;
  /** Accuracy in [0, 1] on the caller's evaluation set. */
  accuracy?: number;
}

export interface LevelFieldView {
  /** The struct member's declaration: `const char *label`. */
  declaration: string;
  /** What it holds, for the comment beside it. */
  comment: string;
}

export interface LevelFiguresView {
  /** The struct's members, in order (arena_bytes always; the given figures after it). */
  fields: LevelFieldView[];
  /** Per level, its initializer values in the fields' order. */
  rows: { initializer: string }[];
}

interface FieldSpec {
  declaration: string;
  comment: string;
  value(f: LevelFigures, level: number): string | undefined;
}

function checkedCount(v: number | undefined, level: number): string | undefined {
  if (v === undefined) return undefined;
  if (!Number.isSafeInteger(v) || v < 0 || v > 0xffffffff) throw new Error(`level ${level}: instructionsWorstCase ${v} is not a 32-bit count`);
  return `${v}ul`;
}

function checkedAccuracy(v: number | undefined, level: number): string | undefined {
  if (v === undefined) return undefined;
  if (!Number.isFinite(v) || v < 0 || v > 1) throw new Error(`level ${level}: accuracy ${v} is not in [0, 1]`);
  return cFloat(v);
}

const FIELDS: readonly FieldSpec[] = [
  { declaration: 'const char *label', comment: 'the name the build gave the level', value: (f) => (f.label === undefined ? undefined : cString(f.label)) },
  { declaration: 'unsigned long instructions_worst_case', comment: 'worst-case instructions of one inference', value: (f, k) => checkedCount(f.instructionsWorstCase, k) },
  { declaration: 'float accuracy', comment: 'accuracy in [0, 1] on the build\'s evaluation data', value: (f, k) => checkedAccuracy(f.accuracy, k) },
];

/** The table's fields and rows: arena_bytes, then each figure every level gives (one given by some levels only is a bug). */
export function levelFiguresView(figures: readonly LevelFigures[], arenaBytes: readonly number[]): LevelFiguresView {
  const fields: LevelFieldView[] = [{ declaration: 'unsigned arena_bytes', comment: 'bytes of the arena the level uses (its first bytes)' }];
  const columns: string[][] = [arenaBytes.map((b) => `${b}u`)];
  for (const spec of FIELDS) {
    const values = figures.map((f, k) => spec.value(f, k));
    const given = values.filter((v) => v !== undefined).length;
    if (given === 0) continue;
    if (given !== values.length) throw new Error(`levels library: '${spec.declaration}' is given for ${given} of ${values.length} levels (give it for every level or none)`);
    fields.push({ declaration: spec.declaration, comment: spec.comment });
    columns.push(values as string[]);
  }
  return { fields, rows: arenaBytes.map((_, k) => ({ initializer: columns.map((c) => c[k]).join(', ') })) };
}
