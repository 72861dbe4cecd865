// The escapers of src/util/escape.ts: each keeps model text inside its context, checked by property over the
// hostile corpus and seeded random strings, and by the real tools (gcc, g++, make, iverilog) reading the output.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import {
  C_RESERVED, cComment, cIdentifier, cString, displayText, hlsComment, hlsIdentifier, hlsString, htmlText, IDENTIFIER_MAX,
  isInvisible, makeComment, makeShellWord, makeVariableValue, terminalJson, terminalName, terminalText, TERMINAL_NAME_MAX,
  VERILOG_RESERVED, verilogComment, verilogIdentifier,
} from '../../src/util/escape.js';
import { Random } from '../../src/util/random.js';
import { HOSTILE_GRAPH_NAME, HOSTILE_INPUT, HOSTILE_NAMES, HOSTILE_OUTPUT, HOSTILE_PRODUCER, PWNED_FILE } from '../support/hostile-names.js';

/** Characters that make trouble somewhere, often, and some ordinary ones. */
const ALPHABET = ['*', '/', '\\', '?', '?', '\n', '\r', '\t', '\0', '"', "'", '#', '$', '(', ')', '{', '}', '=', '-', '<', '>', '&', '`', ' ', ' ', '%',
  '\u001b', '\u007f', '\u009b', '\u202e', '\u2066', '\u2028', '\u200b', '\ufeff', '\ud800', 'é', '\u0301', '层', '🔥', 'a', 'b', 'Z', '0', '9', '_', '.', ':'];

function randomStrings(count: number, seed: number): string[] {
  const random = new Random(seed);
  return Array.from({ length: count }, () => Array.from({ length: random.int(24) }, () => ALPHABET[random.int(ALPHABET.length)]).join(''));
}

const CORPUS = [...HOSTILE_NAMES.map((n) => n.text), HOSTILE_GRAPH_NAME, HOSTILE_PRODUCER, HOSTILE_INPUT, HOSTILE_OUTPUT];
const SAMPLES = [...CORPUS, ...randomStrings(400, 8)];

/** Any raw control, bidi or other invisible code point. */
const hasInvisible = (s: string) => [...s].some((ch) => isInvisible(ch.codePointAt(0)!));

const dirs: string[] = [];
const tmp = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeprune-escape-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

const run = (file: string, args: string[], cwd?: string) => execa(file, args, { cwd, timeout: 120_000, reject: false });

describe('terminal text', () => {
  it('shows every control, ANSI and bidi character as an escape and keeps printable Unicode', () => {
    expect(terminalText('\u001b[31mred\u001b[0m')).toBe('\\x1b[31mred\\x1b[0m');
    expect(terminalText('a\r\nb\tc\0d\u0007')).toBe('a\\r\\nb\\tc\\x00d\\x07');
    expect(terminalText('x\u202ey\u2066z\u2069\u200b\u009b\u007f')).toBe('x\\u202ey\\u2066z\\u2069\\u200b\\x9b\\x7f');
    expect(terminalText('\ud800 \u{e0041}')).toBe('\\ud800 \\u{e0041}');
    expect(terminalText('卷积层 🔥 é\u0301 a\\b')).toBe('卷积层 🔥 é\u0301 a\\b');
    for (const s of SAMPLES) {
      const t = terminalText(s);
      expect(hasInvisible(t), JSON.stringify(s)).toBe(false);
      expect(t).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
      expect(terminalText(t)).toBe(t);
    }
  });

  it('cuts a long name in the middle with an ellipsis, never inside an escape', () => {
    const long = `start${'x'.repeat(5000)}end`;
    const t = terminalName(long);
    expect(t.length).toBeLessThanOrEqual(TERMINAL_NAME_MAX);
    expect(t.startsWith('startxx')).toBe(true);
    expect(t.endsWith('xxend')).toBe(true);
    expect(t).toContain('…');
    const escapes = terminalText('\u001b'.repeat(500), 41);
    expect(escapes).toMatch(/^(\\x1b)+…(\\x1b)+$/);
    expect(escapes.length).toBeLessThanOrEqual(41);
    expect(terminalText('short', 80)).toBe('short');
    expect(terminalText('abcdef', 1)).toBe('…');
  });
});

/** The text without its escapes: a backslash left over is one that could end a line. */
const withoutEscapes = (t: string) => t.replace(/\\(x[0-9a-f]{2}|u[0-9a-f]{4}|u\{[0-9a-f]{5}\}|[nrt])/g, '');

/** Checks that hold for C, C++ and Verilog comment text. */
function expectSafeComment(s: string, t: string): void {
  const what = JSON.stringify(s);
  expect(t, what).not.toMatch(/\*\/|\/\*/);
  expect(t, what).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
  expect(hasInvisible(t), what).toBe(false);
  expect(t, what).not.toMatch(/\?\?[=(/)'<!>-]|\?\?$/);
  expect(withoutEscapes(t), what).not.toContain('\\');
  expect(t, what).not.toMatch(/^[*/]|[*/]$/);
}

describe('C comment text', () => {
  it('cannot end or open a comment, continue a line, or hold a control character, whatever it is next to', () => {
    for (const s of SAMPLES) expectSafeComment(s, cComment(s));
    for (let i = 0; i + 1 < SAMPLES.length; i++) {
      const joined = `/*${cComment(SAMPLES[i])}${cComment(SAMPLES[i + 1])}*/`;
      expect(joined.slice(2, -2)).not.toMatch(/\*\/|\/\*/);
    }
    expect(cComment('*/ int x; /*')).toBe(' * / int x; / * ');
    expect(cComment('*/*/**//')).toBe(' * / * / ** // ');
    expect(cComment('end\\')).toBe('end\\x5c');
    expect(cComment('what??/')).toBe('what?\\x3f/ ');
    expect(cComment('a\nb')).toBe('a\\nb');
    expect(cComment('卷积 🔥 layer.1/conv')).toBe('卷积 🔥 layer.1/conv');
  });

  it('compiles as nothing but a comment: gcc -trigraphs -Werror sees only the program around it', async () => {
    const dir = tmp();
    const lines = SAMPLES.flatMap((s, i) => [`/* ${cComment(s)} */`, `int keep_block_${i};`, `// ${cComment(s)}`, `int keep_line_${i};`, `/*${cComment(s)}*/int keep_tight_${i};`]);
    fs.writeFileSync(path.join(dir, 'comments.c'), `/* comments.c: comment text from the escaper */\n${lines.join('\n')}\n`);
    const cc = await run('gcc', ['-std=c11', '-trigraphs', '-Wall', '-Wextra', '-Wcomment', '-Wbidi-chars=any', '-Werror', '-c', 'comments.c', '-o', 'comments.o'], dir);
    expect(cc.stderr).toBe('');
    expect(cc.exitCode, String(cc.stderr)).toBe(0);
    const nm = await run('nm', ['-j', 'comments.o'], dir);
    const symbols = String(nm.stdout).split('\n').filter(Boolean).sort();
    const expected = SAMPLES.flatMap((_, i) => [`keep_block_${i}`, `keep_line_${i}`, `keep_tight_${i}`]).sort();
    expect(symbols).toEqual(expected);
  });

  it('is the HLS C++ comment too, and g++ reads it as a comment', async () => {
    expect(hlsComment).toBe(cComment);
    const dir = tmp();
    const lines = CORPUS.flatMap((s, i) => [`/* ${hlsComment(s)} */`, `int keep_${i};`, `// ${hlsComment(s)}`]);
    fs.writeFileSync(path.join(dir, 'comments.cpp'), `${lines.join('\n')}\n`);
    const cc = await run('g++', ['-std=c++17', '-Wall', '-Wextra', '-Wbidi-chars=any', '-Werror', '-c', 'comments.cpp', '-o', 'comments.o'], dir);
    expect(cc.stderr).toBe('');
    const nm = await run('nm', ['-j', 'comments.o'], dir);
    expect(String(nm.stdout).split('\n').filter(Boolean).sort()).toEqual(CORPUS.map((_, i) => `keep_${i}`).sort());
  });
});

describe('C string literal', () => {
  it('is ASCII, with octal escapes that cannot run into a following digit, and no trigraph', () => {
    expect(cString('a"b\\c?')).toBe('"a\\"b\\\\c\\?"');
    expect(cString('\n1')).toBe('"\\0121"');
    expect(cString('??/')).toBe('"\\?\\?/"');
    expect(cString('é')).toBe('"\\303\\251"');
    for (const s of SAMPLES) expect(cString(s)).toMatch(/^"([\x20\x21\x23-\x3e\x40-\x5b\x5d-\x7e]|\\[0-7]{3}|\\["\\?])*"$/);
  });

  it('reads back as the same UTF-8 bytes in C (gcc -trigraphs) and C++ (HLS)', async () => {
    const dir = tmp();
    const program = [
      '#include <stdio.h>',
      ...SAMPLES.map((s, i) => `static const char s${i}[] = ${cString(s)};`),
      'static void dump(const char *s, size_t n) { for (size_t i = 0; i < n; i++) printf("%02x", (unsigned char)s[i]); printf("\\n"); }',
      'int main(void) {',
      ...SAMPLES.map((_, i) => `  dump(s${i}, sizeof s${i} - 1);`),
      '  return 0;',
      '}',
    ].join('\n');
    fs.writeFileSync(path.join(dir, 'strings.c'), program);
    fs.writeFileSync(path.join(dir, 'strings.cpp'), program.replace(/cString/g, 'hlsString'));
    expect(hlsString).toBe(cString);
    const expected = SAMPLES.map((s) => Buffer.from(s, 'utf8').toString('hex'));
    for (const [compiler, source, std] of [['gcc', 'strings.c', '-std=c11'], ['g++', 'strings.cpp', '-std=c++17']]) {
      const cc = await run(compiler, [std, ...(compiler === 'gcc' ? ['-trigraphs'] : []), '-Wall', '-Werror', source, '-o', `${source}.exe`], dir);
      expect(cc.stderr).toBe('');
      const out = await run(path.join(dir, `${source}.exe`), []);
      expect(String(out.stdout).split('\n')).toEqual(expected);
    }
  });
});

describe('identifiers', () => {
  it('C: letters, digits and single underscores, no leading digit or underscore, not reserved, bounded, deterministic', () => {
    expect(cIdentifier('conv1.weight')).toBe('conv1_weight');
    expect(cIdentifier('12345')).toBe('n12345');
    expect(cIdentifier('')).toBe('x');
    expect(cIdentifier('*/')).toBe('x');
    expect(cIdentifier('int')).toBe('int_');
    expect(cIdentifier('class')).toBe('class_');
    expect(cIdentifier('__reserved__')).toBe('reserved');
    expect(cIdentifier('a__b')).toBe('a_b');
    expect(cIdentifier('conv.1')).toBe(cIdentifier('conv-1'));
    const long = cIdentifier(`${'a'.repeat(5000)}1`);
    expect(long.length).toBeLessThanOrEqual(IDENTIFIER_MAX);
    expect(long).not.toBe(cIdentifier(`${'a'.repeat(5000)}2`));
    expect(hlsIdentifier).toBe(cIdentifier);
    for (const s of SAMPLES) {
      const id = cIdentifier(s);
      expect(id).toMatch(/^[A-Za-z][A-Za-z0-9]*(_[A-Za-z0-9]+)*_?$/);
      expect(id.length).toBeLessThanOrEqual(IDENTIFIER_MAX);
      expect(C_RESERVED.has(id)).toBe(false);
      expect(cIdentifier(s)).toBe(id);
    }
  });

  it('C and C++ compilers take every identifier as an ordinary name', async () => {
    const ids = [...new Set([...SAMPLES, ...C_RESERVED].map(cIdentifier))];
    const dir = tmp();
    const source = `#include <math.h>\n#include <stddef.h>\n#include <stdint.h>\n#include <errno.h>\n#include <assert.h>\n#include <stdio.h>\n${ids.map((id) => `static int ${id} = 1;`).join('\n')}\nint sum(void) { return ${ids.join(' + ')}; }\n`;
    fs.writeFileSync(path.join(dir, 'ids.c'), source);
    fs.writeFileSync(path.join(dir, 'ids.cpp'), source);
    const c = await run('gcc', ['-std=c11', '-Wall', '-Werror', '-c', 'ids.c', '-o', 'ids.o'], dir);
    expect(c.stderr).toBe('');
    const cpp = await run('g++', ['-std=c++20', '-Wall', '-Werror', '-c', 'ids.cpp', '-o', 'idspp.o'], dir);
    expect(cpp.stderr).toBe('');
  });

  it('Verilog: a simple identifier that is not a keyword, and iverilog takes it with the comments', async () => {
    expect(verilogIdentifier('module')).toBe('module_');
    expect(verilogIdentifier('$display')).toBe('display');
    const ids = [...new Set([...SAMPLES, ...VERILOG_RESERVED].map(verilogIdentifier))];
    for (const id of ids) {
      expect(id).toMatch(/^[A-Za-z][A-Za-z0-9_]*$/);
      expect(VERILOG_RESERVED.has(id)).toBe(false);
    }
    for (const s of SAMPLES) {
      const t = verilogComment(s);
      expectSafeComment(s, t);
      expect(t).toMatch(/^[\x20-\x7e]*$/);
    }
    const dir = tmp();
    const body = ids.map((id, i) => `  // ${verilogComment(SAMPLES[i % SAMPLES.length])}\n  wire ${id}; /* ${verilogComment(SAMPLES[(i + 1) % SAMPLES.length])} */`).join('\n');
    fs.writeFileSync(path.join(dir, 'top.v'), `module top;\n${body}\nendmodule\n`);
    const r = await run('iverilog', ['-g2012', '-o', 'top.vvp', 'top.v'], dir);
    expect(r.stderr).toBe('');
    expect(r.exitCode, String(r.stderr)).toBe(0);
  });
});

describe('Makefile text', () => {
  it('make reads comments, variable values and recipe words back as the text, and runs nothing injected', async () => {
    const dir = tmp();
    const samples = SAMPLES.slice(0, 200);
    const makefile = [
      '# Makefile: escaper round trip',
      ...samples.flatMap((s, i) => [`# ${makeComment(s)}`, `V${i} = ${makeVariableValue(s)}`]),
      ...samples.map((_, i) => `$(info [$(V${i})])`),
      'all:',
      ...samples.map((s) => `\t@printf '<%s>\\n' ${makeShellWord(s)}`),
      '',
    ].join('\n');
    fs.writeFileSync(path.join(dir, 'Makefile'), makefile);
    const r = await run('make', ['-s', '-C', dir, 'all']);
    expect(r.stderr).toBe('');
    expect(r.exitCode, String(r.stderr)).toBe(0);
    const shown = samples.map(displayText);
    const lines = String(r.stdout).split('\n');
    expect(lines).toEqual([...shown.map((t) => `[${t}]`), ...shown.map((t) => `<${t}>`)]);
    expect(fs.existsSync(path.join(dir, PWNED_FILE))).toBe(false);
    for (const s of SAMPLES) {
      expect(makeComment(s)).not.toMatch(/[\n\r]/);
      expect(withoutEscapes(makeComment(s))).not.toContain('\\');
      expect(hasInvisible(makeComment(s))).toBe(false);
    }
  });
});

describe('HTML text', () => {
  it('leaves no markup character raw and shows invisible characters', () => {
    expect(htmlText('<b onclick="x">\'`=&')).toBe('&lt;b onclick&#x3D;&quot;x&quot;&gt;&#x27;&#x60;&#x3D;&amp;');
    expect(htmlText('a\u202eb\u001b')).toBe('a\\u202eb\\x1b');
    for (const s of SAMPLES) {
      const t = htmlText(s);
      expect(t).not.toMatch(/[<>"'`=]|&(?!(amp|lt|gt|quot|#x27|#x60|#x3D);)/);
      expect(hasInvisible(t)).toBe(false);
    }
  });
});

describe('terminalJson', () => {
  it('parses back to the same value and holds no raw invisible character (C1 controls and bidi overrides included)', () => {
    for (const text of SAMPLES) {
      const json = terminalJson({ name: text, list: [text, 1] });
      // (the line breaks are the layout: a string's own line breaks are escaped by JSON)
      expect(hasInvisible(json.replace(/\n/g, '')), JSON.stringify(text)).toBe(false);
      expect(JSON.parse(json)).toEqual({ name: text, list: [text, 1] });
    }
    expect(terminalJson({ a: '\u009b2J\u202e' })).toBe('{\n  "a": "\\u009b2J\\u202e"\n}');
    expect(terminalJson({ tag: '\u{e0041}' })).toBe('{\n  "tag": "\\udb40\\udc41"\n}');
  });
});
