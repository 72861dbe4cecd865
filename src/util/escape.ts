// Escapers for model text (names of the graph, nodes, values, initializers, ops): one per output context, so a
// model's strings are data wherever they are written (generated C/C++, Makefile, Verilog, HTML, the terminal).

import crypto from 'node:crypto';

// ---- shared: what is shown as an escape wherever text is displayed ----

/**
 * Code points that must not be written raw into generated text or to a terminal: C0 and C1 controls, DEL, the
 * invisible format characters (soft hyphen, zero-width, bidi marks, embeddings, overrides and isolates, BOM, tags),
 * line and paragraph separators, non-ASCII spaces, lone surrogates and noncharacters. Fixed ranges (not Unicode
 * categories) so that the output does not depend on the Unicode version of the Node.js running edgeprune.
 */
export function isInvisible(cp: number): boolean {
  return cp < 0x20 || (cp >= 0x7f && cp <= 0xa0) || cp === 0xad || cp === 0x34f || cp === 0x61c || cp === 0x1680
    || (cp >= 0x115f && cp <= 0x1160) || (cp >= 0x17b4 && cp <= 0x17b5) || (cp >= 0x180b && cp <= 0x180f)
    || (cp >= 0x2000 && cp <= 0x200f) || (cp >= 0x2028 && cp <= 0x202f) || (cp >= 0x205f && cp <= 0x206f)
    || cp === 0x3000 || cp === 0x3164 || (cp >= 0xd800 && cp <= 0xdfff) || cp === 0xfeff || cp === 0xffa0
    || (cp >= 0xfff0 && cp <= 0xfffb) || (cp & 0xfffe) === 0xfffe || (cp >= 0xfdd0 && cp <= 0xfdef)
    || (cp >= 0xe0000 && cp <= 0xe0fff);
}

const SHORT_ESCAPES: Record<number, string> = { 0x09: '\\t', 0x0a: '\\n', 0x0d: '\\r' };

const hex = (cp: number, digits: number) => cp.toString(16).padStart(digits, '0');

/** How a code point is shown as text: `\n`, `\r`, `\t`, `\xNN`, `\uNNNN` or `\u{NNNNN}`. */
export function visibleEscape(cp: number): string {
  if (SHORT_ESCAPES[cp]) return SHORT_ESCAPES[cp];
  if (cp < 0x100) return `\\x${hex(cp, 2)}`;
  if (cp < 0x10000) return `\\u${hex(cp, 4)}`;
  return `\\u{${hex(cp, 5)}}`;
}

/** The code points of a string (a lone surrogate is one code point of its own). */
function codePoints(text: string): number[] {
  const out: number[] = [];
  for (const ch of text) out.push(ch.codePointAt(0)!);
  return out;
}

/** Text with every invisible code point (isInvisible) shown as an escape; everything else unchanged. */
export function displayText(text: string): string {
  let out = '';
  for (const cp of codePoints(text)) out += isInvisible(cp) ? visibleEscape(cp) : String.fromCodePoint(cp);
  return out;
}

// ---- terminal ----

/** Longest name shown in a table cell or a one-line summary before it is cut in the middle with an ellipsis. */
export const TERMINAL_NAME_MAX = 80;

/**
 * Text for a terminal (stdout/stderr): no raw control character (ESC and ANSI sequences, CR, LF, BEL, DEL, C1),
 * no bidi override or other invisible character: each is shown as `\x1b`, `\n`, `\u202e`. Longer than `maxLength`
 * characters (after escaping), the middle is replaced by '…' so the start and the end stay readable.
 */
export function terminalText(text: string, maxLength = Infinity): string {
  const pieces = codePoints(text).map((cp) => (isInvisible(cp) ? visibleEscape(cp) : String.fromCodePoint(cp)));
  const total = pieces.reduce((n, p) => n + p.length, 0);
  if (total <= maxLength) return pieces.join('');
  const budget = Math.max(maxLength - 1, 0);
  const headBudget = Math.ceil(budget / 2);
  let head = 0;
  let headLength = 0;
  while (head < pieces.length && headLength + pieces[head].length <= headBudget) headLength += pieces[head++].length;
  let tail = pieces.length;
  let tailLength = 0;
  while (tail > head && tailLength + pieces[tail - 1].length <= budget - headLength) tailLength += pieces[--tail].length;
  return `${pieces.slice(0, head).join('')}…${pieces.slice(tail).join('')}`;
}

/** A model name for a table cell or a summary line: terminalText capped at TERMINAL_NAME_MAX. */
export function terminalName(name: string): string {
  return terminalText(name, TERMINAL_NAME_MAX);
}

/**
 * JSON for a terminal: `JSON.stringify(value, null, 2)` with every invisible code point written as `\uXXXX` (JSON
 * escapes C0 controls itself, but writes DEL, C1 controls such as U+009B (CSI) and bidi overrides raw). The parsed
 * value is the same.
 */
export function terminalJson(value: unknown): string {
  const text = JSON.stringify(value, null, 2);
  let out = '';
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (cp < 0x20 || !isInvisible(cp)) out += ch;
    else for (let i = 0; i < ch.length; i++) out += `\\u${hex(ch.charCodeAt(i), 4)}`;
  }
  return out;
}

// ---- comments of generated code (C, C++, Verilog, Makefile) ----

const TRIGRAPH_END = new Set(['=', '(', '/', ')', "'", '<', '!', '>', '-']);

/**
 * Comment text that cannot end or open a comment, continue a line, or hold a control or bidi character:
 * invisible code points and every backslash are shown as escapes (`\x5c`: no backslash ever ends a line, so a
 * `//` comment cannot continue onto the next), a space separates `*` and `/` (no `*` `/`, no `/` `*`), the second
 * `?` of a trigraph (or of a `??` ending the text) is `\x3f`, and an edge `*` or `/` gets a space so the text
 * can sit next to a comment marker.
 * `asciiOnly` also escapes every non-ASCII code point (for Verilog, whose source is ASCII).
 */
function commentText(text: string, asciiOnly: boolean): string {
  const cps = codePoints(text);
  let out = '';
  let last = '';
  cps.forEach((cp, i) => {
    const ch = String.fromCodePoint(cp);
    let piece: string;
    if (isInvisible(cp) || (asciiOnly && cp > 0x7e) || ch === '\\') piece = visibleEscape(cp);
    else if ((ch === '/' && last === '*') || (ch === '*' && last === '/')) piece = ` ${ch}`;
    else if (ch === '?' && last === '?' && (i + 1 === cps.length || TRIGRAPH_END.has(String.fromCodePoint(cps[i + 1])))) piece = visibleEscape(cp);
    else piece = ch;
    out += piece;
    last = piece[piece.length - 1];
  });
  if (/^[*/]/.test(out)) out = ` ${out}`;
  if (/[*/]$/.test(out)) out = `${out} `;
  return out;
}

/** Text inside a C comment (block or line): see commentText. Printable non-ASCII (CJK, emoji) is kept as UTF-8. */
export function cComment(text: string): string {
  return commentText(text, false);
}

/** Text inside a Verilog comment: the C comment rules, and ASCII only (other code points as `\uNNNN`). */
export function verilogComment(text: string): string {
  return commentText(text, true);
}

/**
 * Text inside a Makefile comment (`# ...`): no newline or other control character (a newline would end the comment
 * and start a rule), no backslash (one at the end of a line continues the comment onto the next line).
 */
export function makeComment(text: string): string {
  let out = '';
  for (const cp of codePoints(text)) out += isInvisible(cp) || cp === 0x5c ? visibleEscape(cp) : String.fromCodePoint(cp);
  return out;
}

// ---- C and C++ string literals ----

/**
 * A C string literal, quotes included, in ASCII: `"` `\` and `?` (trigraphs) escaped, every other byte outside
 * printable ASCII written as a three-digit octal escape of its UTF-8 encoding (an octal escape takes at most three
 * digits, so it never runs into a digit that follows, unlike `\x`).
 */
export function cString(text: string): string {
  let out = '"';
  for (const byte of Buffer.from(text, 'utf8')) {
    if (byte === 0x22 || byte === 0x5c || byte === 0x3f) out += `\\${String.fromCharCode(byte)}`;
    else if (byte >= 0x20 && byte < 0x7f) out += String.fromCharCode(byte);
    else out += `\\${byte.toString(8).padStart(3, '0')}`;
  }
  return `${out}"`;
}

// ---- identifiers ----

/** Longest identifier made from a name; a longer one keeps its start and a hash of the whole name. */
export const IDENTIFIER_MAX = 64;

/** C11/C23 keywords, C++ keywords (HLS C++ uses these identifiers too), and macros of the headers we include. */
export const C_RESERVED = new Set([
  'auto', 'break', 'case', 'char', 'const', 'continue', 'default', 'do', 'double', 'else', 'enum', 'extern', 'float',
  'for', 'goto', 'if', 'inline', 'int', 'long', 'register', 'restrict', 'return', 'short', 'signed', 'sizeof',
  'static', 'struct', 'switch', 'typedef', 'union', 'unsigned', 'void', 'volatile', 'while',
  'alignas', 'alignof', 'bool', 'constexpr', 'false', 'nullptr', 'static_assert', 'thread_local', 'true', 'typeof',
  'typeof_unqual', 'asm', 'fortran',
  'and', 'and_eq', 'bitand', 'bitor', 'catch', 'char8_t', 'char16_t', 'char32_t', 'class', 'co_await', 'co_return',
  'co_yield', 'compl', 'concept', 'consteval', 'constinit', 'const_cast', 'decltype', 'delete', 'dynamic_cast',
  'explicit', 'export', 'friend', 'mutable', 'namespace', 'new', 'noexcept', 'not', 'not_eq', 'operator', 'or',
  'or_eq', 'private', 'protected', 'public', 'reinterpret_cast', 'requires', 'static_cast', 'template', 'this',
  'throw', 'try', 'typeid', 'typename', 'using', 'virtual', 'wchar_t', 'xor', 'xor_eq',
  'NULL', 'NAN', 'INFINITY', 'HUGE_VAL', 'HUGE_VALF', 'EOF', 'errno', 'assert', 'offsetof', 'main',
  'int8_t', 'int16_t', 'int32_t', 'int64_t', 'uint8_t', 'uint16_t', 'uint32_t', 'uint64_t', 'size_t', 'ptrdiff_t',
]);

/** Verilog-2005 and SystemVerilog keywords (the FPGA emitters' identifiers avoid both). */
export const VERILOG_RESERVED = new Set([
  'always', 'and', 'assign', 'automatic', 'begin', 'buf', 'bufif0', 'bufif1', 'case', 'casex', 'casez', 'cell',
  'cmos', 'config', 'deassign', 'default', 'defparam', 'design', 'disable', 'edge', 'else', 'end', 'endcase',
  'endconfig', 'endfunction', 'endgenerate', 'endmodule', 'endprimitive', 'endspecify', 'endtable', 'endtask',
  'event', 'for', 'force', 'forever', 'fork', 'function', 'generate', 'genvar', 'highz0', 'highz1', 'if', 'ifnone',
  'incdir', 'include', 'initial', 'inout', 'input', 'instance', 'integer', 'join', 'large', 'liblist', 'library',
  'localparam', 'macromodule', 'medium', 'module', 'nand', 'negedge', 'nmos', 'nor', 'noshowcancelled', 'not',
  'notif0', 'notif1', 'or', 'output', 'parameter', 'pmos', 'posedge', 'primitive', 'pull0', 'pull1', 'pulldown',
  'pullup', 'pulsestyle_onevent', 'pulsestyle_ondetect', 'rcmos', 'real', 'realtime', 'reg', 'release', 'repeat',
  'rnmos', 'rpmos', 'rtran', 'rtranif0', 'rtranif1', 'scalared', 'showcancelled', 'signed', 'small', 'specify',
  'specparam', 'strong0', 'strong1', 'supply0', 'supply1', 'table', 'task', 'time', 'tran', 'tranif0', 'tranif1',
  'tri', 'tri0', 'tri1', 'triand', 'trior', 'trireg', 'unsigned', 'use', 'uwire', 'vectored', 'wait', 'wand',
  'weak0', 'weak1', 'while', 'wire', 'wor', 'xnor', 'xor',
  'alias', 'always_comb', 'always_ff', 'always_latch', 'assert', 'assume', 'bit', 'break', 'byte', 'chandle',
  'class', 'clocking', 'const', 'constraint', 'context', 'continue', 'cover', 'do', 'endclass', 'endclocking',
  'endinterface', 'endpackage', 'endprogram', 'endproperty', 'endsequence', 'enum', 'export', 'extends', 'extern',
  'final', 'foreach', 'import', 'inside', 'int', 'interface', 'logic', 'longint', 'modport', 'new', 'null',
  'package', 'packed', 'priority', 'program', 'property', 'protected', 'pure', 'rand', 'randc', 'ref', 'return',
  'sequence', 'shortint', 'shortreal', 'solve', 'static', 'string', 'struct', 'super', 'this', 'type', 'typedef',
  'union', 'unique', 'var', 'virtual', 'void', 'wildcard', 'with',
]);

/**
 * An identifier from any name, the same for the same name: each run of characters other than ASCII letters and
 * digits becomes one `_` (so no `__`), no `_` at either end (no reserved `_X`/`__x`), `x` for a name with no letter
 * or digit, an `n` before a leading digit, the first characters and 8 hex digits of the name's SHA-256 when longer
 * than IDENTIFIER_MAX, and a `_` after a reserved word. Two names can give the same identifier: callers keep a
 * used-set and number the later ones.
 */
function identifier(name: string, reserved: ReadonlySet<string>): string {
  let id = name.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_+|_+$/g, '') || 'x';
  if (/^[0-9]/.test(id)) id = `n${id}`;
  if (id.length > IDENTIFIER_MAX) {
    const digest = crypto.createHash('sha256').update(name, 'utf8').digest('hex').slice(0, 8);
    id = `${id.slice(0, IDENTIFIER_MAX - 9).replace(/_+$/, '')}_${digest}`;
  }
  return reserved.has(id) ? `${id}_` : id;
}

/** A C (and C++) identifier from any name (see identifier). */
export function cIdentifier(name: string): string {
  return identifier(name, C_RESERVED);
}

/** A Verilog simple identifier from any name: letters, digits and `_` only (no `$`, no escaped identifier). */
export function verilogIdentifier(name: string): string {
  return identifier(name, VERILOG_RESERVED);
}

// ---- HLS C++ ----

/** HLS C++ is C++: its comments, string literals and identifiers use the C escapers (C_RESERVED holds C++'s words). */
export const hlsComment = cComment;
export const hlsString = cString;
export const hlsIdentifier = cIdentifier;

// ---- Makefile text ----

/**
 * The value of a Makefile variable (`NAME = value`), read back by make as `text` shown with displayText: `$$` for
 * `$`, `\#` for `#` (with the backslashes before it doubled), `$()` (empty) after trailing backslashes so none
 * continues the line, and before leading blanks so make keeps them; control characters as visible escapes.
 */
export function makeVariableValue(text: string): string {
  let out = displayText(text).replace(/\$/g, '$$$$').replace(/(\\*)#/g, (_m, slashes: string) => `${slashes}${slashes}\\#`);
  if (/\\$/.test(out)) out += '$()';
  if (/^[ ]/.test(out)) out = `$()${out}`;
  return out;
}

/**
 * One shell word in a Makefile recipe line, which the shell receives as `text` shown with displayText: single
 * quotes (`'\''` for a quote inside), `$$` for `$`; no newline or other control character is left to end the line.
 */
export function makeShellWord(text: string): string {
  return `'${displayText(text).replace(/'/g, "'\\''").replace(/\$/g, '$$$$')}'`;
}

// ---- HTML ----

const HTML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#x27;', '`': '&#x60;', '=': '&#x3D;' };

/**
 * Text for HTML and inline SVG, in element content and in quoted attributes: the characters Handlebars escapes
 * (`& < > " ' \` =`) as entities, invisible code points shown as escapes (displayText). report.html's `{{x}}` does
 * the first part itself; markup built in code (the SVG charts) uses this.
 */
export function htmlText(text: string): string {
  return displayText(text).replace(/[&<>"'`=]/g, (c) => HTML_ENTITIES[c]);
}

// ---- Markdown (generated READMEs) ----

/**
 * Model text inside a Markdown paragraph or table cell (never at the start of a line): invisible code points as
 * escapes, and the ASCII punctuation that can start markup inside a line (emphasis, code spans, links and images, HTML
 * and entities, table pipes, strike-through) backslash-escaped, which CommonMark reads as the character itself.
 */
export function markdownText(text: string): string {
  return displayText(text).replace(/[\\`*_[\]<>|~&]/g, (c) => `\\${c}`);
}

/**
 * One line inside a fenced code block of a generated README: invisible code points (newlines included) as escapes, so
 * the text stays on its line; a line that would read as a closing fence (up to 3 spaces, then ``` or ~~~) is indented
 * by 4 spaces, which CommonMark keeps as content.
 */
export function markdownCodeLine(text: string): string {
  const out = displayText(text);
  return /^ {0,3}(`{3}|~{3})/.test(out) ? `    ${out}` : out;
}
