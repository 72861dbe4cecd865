// C spellings of numbers and prefixes: exact float literals, the symbol prefix (names: src/util/escape.ts).

import { UserError } from '../../errors.js';

/** The shortest decimal literal that reads back as the same float32 (at most 9 digits, as FLT_DECIMAL_DIG). */
export function cFloat(v: number): string {
  if (Number.isNaN(v)) return 'NAN';
  if (!Number.isFinite(v)) return v > 0 ? 'INFINITY' : '-INFINITY';
  if (Object.is(v, -0)) return '-0.0f';
  const f = Math.fround(v);
  let text = f.toPrecision(9);
  for (let p = 1; p <= 9; p++) {
    const candidate = f.toPrecision(p);
    if (Math.fround(Number(candidate)) === f) {
      text = candidate;
      break;
    }
  }
  // Normalize the exponent form, keep it a floating literal.
  text = text.replace(/e\+?/, 'e');
  if (!/[.e]/.test(text)) text += '.0';
  else if (/^-?\d+e/.test(text)) text = text.replace('e', '.0e');
  return `${text}f`;
}

const C_KEYWORDS = new Set(['auto', 'break', 'case', 'char', 'const', 'continue', 'default', 'do', 'double', 'else', 'enum', 'extern', 'float', 'for', 'goto', 'if', 'inline', 'int', 'long', 'register', 'restrict', 'return', 'short', 'signed', 'sizeof', 'static', 'struct', 'switch', 'typedef', 'union', 'unsigned', 'void', 'volatile', 'while']);

/** Check a user-given symbol prefix. */
export function checkPrefix(prefix: string): string {
  if (!/^[a-z][a-z0-9_]*$/.test(prefix) || C_KEYWORDS.has(prefix) || prefix.startsWith('ep_')) {
    throw new UserError(`--prefix '${prefix}' is not usable as a C symbol prefix`, 'use lower-case letters, digits and underscores, starting with a letter (not ep_)');
  }
  return prefix;
}
