// Model text is data, never code: the hostile-name corpus through compile → make → verify → inspect, and errors.
// The generated C must be, token for token outside comments, the code of the same model with plain names.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { renderBuildSummary } from '../../src/cli/commands/build.js';
import { renderVerify } from '../../src/cli/commands/verify.js';
import { renderTable } from '../../src/cli/format.js';
import { progressReporter } from '../../src/cli/progress.js';
import { reportError } from '../../src/cli/report-error.js';
import { UserError } from '../../src/errors.js';
import { buildReport } from '../../src/report/build-report.js';
import { compileToC } from '../../src/emit/c/compile-c.js';
import { GraphBuilder } from '../../src/ir/builder.js';
import { exportOnnx } from '../../src/onnx/export.js';
import { makefileView, renderMakefile } from '../../src/emit/c/makefile.js';
import { findMcuTarget } from '../../src/targets/load-targets.js';
import { cComment, isInvisible, markdownText } from '../../src/util/escape.js';
import { runCli, type CliResult } from '../support/cli.js';
import {
  corpusModel, corpusModelFile, HOSTILE_GRAPH_NAME, HOSTILE_MODEL_NAMES, HOSTILE_NAMES, plainNames, PWNED_FILE,
} from '../support/hostile-names.js';
import { rawModel } from '../support/raw-onnx.js';
import { int8CorpusModelFile } from '../support/int8-models.js';
import { reportInput, searchResult, verification, withLayerNames } from '../report/fixtures.js';

const TRIGRAPHS: Record<string, string> = { '=': '#', '(': '[', '/': '\\', ')': ']', "'": '^', '<': '{', '!': '|', '>': '}', '-': '~' };
const PUNCTUATORS = ['%:%:', '...', '<<=', '>>=', '->', '++', '--', '<<', '>>', '<=', '>=', '==', '!=', '&&', '||', '*=', '/=', '%=', '+=', '-=', '&=', '^=', '|=', '##', '<:', ':>', '<%', '%>', '%:'];

/**
 * The tokens of a C file as the compiler sees them (-std=c11: trigraphs, then line splices), without its comments.
 * String and character literals are single tokens, kept whole. An unterminated comment or literal throws.
 */
function cTokens(source: string): string[] {
  const s = source.replace(/\?\?([=(/)'<!>-])/g, (_m, c: string) => TRIGRAPHS[c]).replace(/\\\r?\n/g, '');
  const tokens: string[] = [];
  let i = 0;
  while (i < s.length) {
    const rest = s.slice(i, i + 4);
    if (rest.startsWith('/*')) {
      const end = s.indexOf('*/', i + 2);
      if (end < 0) throw new Error(`unterminated comment at ${i}`);
      i = end + 2;
    } else if (rest.startsWith('//')) {
      const end = s.indexOf('\n', i);
      i = end < 0 ? s.length : end;
    } else if (s[i] === '"' || s[i] === "'") {
      let j = i + 1;
      while (j < s.length && s[j] !== s[i]) {
        if (s[j] === '\n') throw new Error(`newline in a literal at ${i}`);
        j += s[j] === '\\' ? 2 : 1;
      }
      if (j >= s.length) throw new Error(`unterminated literal at ${i}`);
      tokens.push(s.slice(i, j + 1));
      i = j + 1;
    } else if (/\s/.test(s[i])) {
      i++;
    } else {
      const word = /^(?:[A-Za-z_][A-Za-z0-9_]*|\.?[0-9](?:[eEpP][+-]|[A-Za-z0-9_.])*)/.exec(s.slice(i, i + 200));
      const token = word ? word[0] : PUNCTUATORS.find((p) => s.startsWith(p, i)) ?? s[i];
      tokens.push(token);
      i += token.length;
    }
  }
  return tokens;
}

/** Weight arrays are named after their initializers (sanitized): the one place a model name may shape code. */
const normalized = (tokens: string[]) => tokens.map((t) => (/^model_w_[A-Za-z0-9_]+$/.test(t) ? 'model_w_<name>' : t));

/** Raw control characters other than the newline ending each line, or any bidi/invisible character. */
function rawControls(text: string): string[] {
  return [...text].filter((ch) => ch !== '\n' && isInvisible(ch.codePointAt(0)!)).map((ch) => `U+${ch.codePointAt(0)!.toString(16)}`);
}

const C_FILES = ['model.c', 'model.h', 'model_weights.c'];
const TARGET = findMcuTarget('stm32f405');
/** The model file's own name is hostile too: it is printed and becomes the firmware's model name. */
const HOSTILE_FILE = `evil \u001b[31m$(touch ${PWNED_FILE})'"\n.onnx`;

let root: string;
let work: string;
let hostileFile: string;
let plainFile: string;

beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeprune-hostile-'));
  work = path.join(root, 'cwd');
  fs.mkdirSync(work);
  hostileFile = path.join(root, HOSTILE_FILE);
  plainFile = path.join(root, 'plain.onnx');
  fs.writeFileSync(hostileFile, corpusModelFile());
  fs.writeFileSync(plainFile, corpusModelFile(plainNames()));
});

afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

function expectNoPwned(...dirs: string[]): void {
  for (const d of [...dirs, work, root]) expect(fs.existsSync(path.join(d, PWNED_FILE)), `${PWNED_FILE} in ${d}`).toBe(false);
}

/**
 * The hostile and the plain-named model compiled once for the file: the C files and the Makefile (the first test) and
 * README.md, CMakeLists.txt and zephyr/ (the second) come from the same two compiles (a second pair cost the file
 * ~2.8 CPU-s: 29.0 with it, 26.2 without). make then adds only its objects and libmodel.a to out-hostile.
 */
let compiled: Promise<{ hostile: string; plain: string; runs: CliResult[] }> | undefined;
function compileBoth() {
  compiled ??= (async () => {
    const outs = { hostile: path.join(root, 'out-hostile'), plain: path.join(root, 'out-plain') };
    const runs: CliResult[] = [];
    for (const [file, out] of [[hostileFile, outs.hostile], [plainFile, outs.plain]]) runs.push(await runCli(['compile', file, '--target', TARGET.name, '--out', out], { cwd: work }));
    return { ...outs, runs };
  })();
  return compiled;
}

describe('hostile model text', () => {
  it('compiles to C whose code outside comments is the plain-named model\'s, and make builds only that', async () => {
    const { hostile: outHostile, plain: outPlain, runs } = await compileBoth();
    for (const r of runs) {
      expect(r.stderr).toBe('');
      expect(r.exitCode, String(r.stderr)).toBe(0);
      expect(rawControls(r.stdout)).toEqual([]);
    }
    // (b) The code outside comments is the plain model's, token for token; the names are in the comments.
    for (const name of C_FILES) {
      const hostile = fs.readFileSync(path.join(outHostile, name), 'utf8');
      const plain = fs.readFileSync(path.join(outPlain, name), 'utf8');
      expect(normalized(cTokens(hostile)), name).toEqual(normalized(cTokens(plain)));
      expect(rawControls(hostile), name).toEqual([]);
    }
    expect(fs.readFileSync(path.join(outHostile, 'model_weights.c'), 'utf8')).toContain(cComment(HOSTILE_NAMES[2].text));
    expect(fs.readFileSync(path.join(outHostile, 'model.c'), 'utf8')).toContain(cComment(HOSTILE_NAMES[1].text));
    // The Makefile: the same rules and variables; model text only in comment lines.
    const makeLines = (out: string) => fs.readFileSync(path.join(out, 'Makefile'), 'utf8').split('\n');
    const hostileMake = makeLines(outHostile);
    const plainMake = makeLines(outPlain);
    expect(hostileMake).toHaveLength(plainMake.length);
    hostileMake.forEach((line, k) => {
      if (plainMake[k].startsWith('#')) {
        expect(line.startsWith('#')).toBe(true);
        expect(line).not.toMatch(/\\\s*$/);
        expect(rawControls(line)).toEqual([]);
      } else {
        expect(line).toBe(plainMake[k]);
      }
    });

    // (a) make builds the library with the generated Makefile and runs nothing injected.
    const made = await execa('make', ['-C', outHostile], { cwd: work, timeout: 300_000, reject: false });
    expect(made.stderr).toBe('');
    expect(made.exitCode, String(made.stderr)).toBe(0);
    expect(fs.existsSync(path.join(outHostile, 'libmodel.a'))).toBe(true);
    expect(String(made.stdout)).not.toMatch(/touch|PWNED/);
    expectNoPwned(outHostile);

    // (c) Nothing from a payload was compiled: every symbol is the library's, and no constructor section exists.
    const nm = await execa('arm-none-eabi-nm', ['--defined-only', path.join(outHostile, 'libmodel.a')], { timeout: 60_000 });
    const symbols = String(nm.stdout).split('\n').map((l) => l.trim().split(/\s+/)).filter((f) => f.length === 3).map((f) => f[2]);
    expect(symbols.length).toBeGreaterThan(10);
    for (const sym of symbols) expect(sym).toMatch(/^(model_|ep_|\$[atd]$|\.)/);
    // Weight arrays carry sanitized initializer names (data, one per initializer); nothing else may name a payload.
    expect(symbols.filter((sym) => sym.startsWith('model_w_'))).toHaveLength(HOSTILE_NAMES.length);
    expect(symbols.filter((sym) => !sym.startsWith('model_w_')).join(' ')).not.toMatch(/pwned/i);
    const sections = await execa('arm-none-eabi-objdump', ['-h', path.join(outHostile, 'libmodel.a')], { timeout: 60_000 });
    expect(String(sections.stdout)).not.toMatch(/\.init_array|\.ctors|\.preinit_array/);
  }, 600_000);

  it('writes README.md, CMakeLists.txt and zephyr/ with the names escaped: no raw control, no injected line or markup', async () => {
    const { runs, ...outs } = await compileBoth();
    for (const r of runs) expect(r.exitCode, r.stderr).toBe(0);
    const lines = (out: string, name: string) => fs.readFileSync(path.join(out, name), 'utf8').split('\n');
    for (const name of ['README.md', 'CMakeLists.txt', 'zephyr/module.yml', 'zephyr/CMakeLists.txt']) {
      const hostile = lines(outs.hostile, name);
      const plain = lines(outs.plain, name);
      expect(hostile, name).toHaveLength(plain.length);
      expect(rawControls(hostile.join('\n')), name).toEqual([]);
      let fenced = false;
      hostile.forEach((line, k) => {
        if (name !== 'README.md') {
          // CMake and YAML: model text only in comment lines.
          if (line !== plain[k]) expect(plain[k].startsWith('#') && line.startsWith('#'), `${name}:${k + 1}`).toBe(true);
          return;
        }
        // Markdown: fences and code lines are the plain model's, headings stay headings, table rows keep their cells.
        if (plain[k].startsWith('```')) fenced = !fenced;
        if (fenced || plain[k].startsWith('```')) expect(line, `${name}:${k + 1}`).toBe(plain[k]);
        if (plain[k].startsWith('#')) expect(/^#+ /.exec(line)?.[0], `${name}:${k + 1}`).toBe(/^#+ /.exec(plain[k])?.[0]);
        if (plain[k].startsWith('|')) expect(line.split(/(?<!\\)\|/).length, `${name}:${k + 1}`).toBe(plain[k].split('|').length);
      });
    }
    expect(fs.readFileSync(path.join(outs.hostile, 'README.md'), 'utf8')).toContain(markdownText(HOSTILE_MODEL_NAMES.graph));
  }, 300_000);

  it('verifies on the host and in QEMU, and nothing injected runs', async () => {
    const r = await runCli(['verify', hostileFile, '--target', TARGET.name, '--vectors', '2'], { cwd: work, timeout: 500_000 });
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(r.stdout).toMatch(/PASSED: 2\/2 vectors/);
    expect(r.stdout).toContain('verify evil \\x1b[31m$(touch PWNED)\'"\\n on stm32f405');
    expect(rawControls(r.stdout)).toEqual([]);
    expect(rawControls(r.stderr)).toEqual([]);
    expectNoPwned();
  }, 600_000);

  it('inspect prints the table with every name escaped: no control character, one line per layer', async () => {
    const r = await runCli(['inspect', hostileFile], { cwd: work });
    expect(r.stderr).toBe('');
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(rawControls(r.stdout)).toEqual([]);
    expect(r.stdout).toContain('\\x1b[31mred\\x1b[0m');
    expect(r.stdout).toContain('access\\u202e nimda');
    expect(r.stdout).toContain('(producer: \\x1b]0;pwned\\x07producer\\r\\n\\x1b[2K ');
    // Title, input, output, blank, header, one row per layer (Relu is a layer of its own here), blank, 4 totals (the arena among them).
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(4 + 1 + HOSTILE_NAMES.length + 1 + 4);
    // The 5,000-character name is cut in the middle.
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThan(1000);
  });

  it('errors quoting a hostile op and node name are one escaped line', async () => {
    const bad = path.join(root, 'unknown-op.onnx');
    fs.writeFileSync(bad, rawModel({
      opset: 13,
      inputs: [{ name: 'x', shape: [1, 4] }],
      outputs: [{ name: 'y', shape: [1, 4] }],
      nodes: [{ op: 'Evil\u001b[2J\nOp\u202e', name: `node\r\n\u001b[31m${'*/'.repeat(2000)}`, inputs: ['x'], outputs: ['y'] }],
    }));
    for (const command of ['inspect', 'compile']) {
      const args = command === 'compile' ? [command, bad, '--out', path.join(root, 'never')] : [command, bad];
      const r = await runCli(args, { cwd: work });
      expect(r.exitCode, String(r.stderr)).toBe(2);
      expect(r.stderr).toMatch(/^edgeprune: error: .*Evil\\x1b\[2J\\nOp\\u202e/);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(rawControls(r.stderr)).toEqual([]);
      expect(r.stderr.length).toBeLessThan(2 * 2000 + 200);
    }
  });
});

describe('hostile model text in an int8 model', () => {
  it('compiles to the plain-named model\'s code, builds, and verifies bit-exact on the host and in QEMU', async () => {
    const files = { hostile: path.join(root, 'int8-hostile.onnx'), plain: path.join(root, 'int8-plain.onnx') };
    fs.writeFileSync(files.hostile, int8CorpusModelFile(HOSTILE_MODEL_NAMES));
    fs.writeFileSync(files.plain, int8CorpusModelFile(plainNames()));
    const outs = { hostile: path.join(root, 'int8-out-hostile'), plain: path.join(root, 'int8-out-plain') };
    for (const k of ['hostile', 'plain'] as const) {
      const r = await runCli(['compile', files[k], '--target', TARGET.name, '--out', outs[k]], { cwd: work });
      expect(r.stderr).toBe('');
      expect(r.exitCode, String(r.stderr)).toBe(0);
      expect(r.stdout).toContain('precision: int8 (model is quantized)');
      expect(rawControls(r.stdout)).toEqual([]);
    }
    for (const name of C_FILES) {
      const hostile = fs.readFileSync(path.join(outs.hostile, name), 'utf8');
      expect(normalized(cTokens(hostile)), name).toEqual(normalized(cTokens(fs.readFileSync(path.join(outs.plain, name), 'utf8'))));
      expect(rawControls(hostile), name).toEqual([]);
    }
    expect(fs.readFileSync(path.join(outs.hostile, 'model.c'), 'utf8')).toMatch(/ep_dense_s8\(MODEL_ARENA_S8\(/);
    const made = await execa('make', ['-C', outs.hostile], { cwd: work, timeout: 300_000, reject: false });
    expect(made.stderr).toBe('');
    expect(made.exitCode, String(made.stderr)).toBe(0);
    const r = await runCli(['verify', files.hostile, '--target', TARGET.name, '--vectors', '3'], { cwd: work, timeout: 500_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/PASSED: 3\/3 vectors bit-exact with the interpreter/);
    expect(rawControls(r.stdout)).toEqual([]);
    expect(rawControls(r.stderr)).toEqual([]);
    const inspect = await runCli(['inspect', files.hostile], { cwd: work });
    expect(inspect.exitCode, String(inspect.stderr)).toBe(0);
    expect(inspect.stdout).toMatch(/int8 s=0\.0078\d* zp=-2/);
    expect(rawControls(inspect.stdout)).toEqual([]);
    expectNoPwned(outs.hostile);
  }, 600_000);
});

describe('names never shape the code', () => {
  it('plans the same arena in every locale: ties between buffers are not broken by name', async () => {
    // Two inputs of one size, live over the same step: only a name comparison could order them, and 'ä' sorts
    // before 'z' in English but after it in Swedish.
    const b = new GraphBuilder('locale');
    const sum = b.op('Add', [b.input('ä', 'float32', [1, 4]), b.input('z', 'float32', [1, 4])], {}, 'add');
    b.output(b.op('Relu', [sum], {}, 'relu'));
    const file = path.join(root, 'locale.onnx');
    fs.writeFileSync(file, exportOnnx(b.build()));
    const outputs: string[] = [];
    for (const locale of ['en_US.UTF-8', 'sv_SE.UTF-8', 'tr_TR.UTF-8']) {
      const out = path.join(root, `locale-${locale}`);
      const env = { ...Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined)), LANG: locale, LC_ALL: locale };
      const r = await runCli(['compile', file, '--out', out], { cwd: work, env });
      expect(r.exitCode, r.stderr).toBe(0);
      outputs.push(C_FILES.map((f) => fs.readFileSync(path.join(out, f), 'utf8')).join('\n'));
    }
    expect(outputs[1]).toBe(outputs[0]);
    expect(outputs[2]).toBe(outputs[0]);
  });
});

const pick = (label: string) => HOSTILE_NAMES.find((n) => n.label === label)!.text;
const ANSI = pick('ANSI escapes');
const BIDI = pick('bidi override');
const CRLF = pick('CR LF');
const LONG = pick('5,000 characters');

describe('terminal output of hostile model text', () => {
  it('reportError writes one escaped line for any message and hint, and escapes --debug stacks line by line', () => {
    const out: string[] = [];
    expect(reportError(new UserError(`node '${ANSI}' (${CRLF}): bad ${LONG}`, `rename '${BIDI}'`), false, (t) => out.push(t))).toBe(2);
    const text = out.join('');
    expect(text.split('\n')).toEqual([expect.stringMatching(/^edgeprune: error: node '\\x1b\[31mred/), '']);
    expect(text).toContain('line one\\r\\nline two');
    expect(text).toContain("; rename 'access\\u202e nimda");
    expect(text).toContain('…');
    expect(text.length).toBeLessThan(2 * 2000 + 100);
    expect(rawControls(text)).toEqual([]);
    const internal: string[] = [];
    expect(reportError(new Error(`boom ${ANSI}\nsecond line`), false, (t) => internal.push(t))).toBe(1);
    expect(internal.join('')).toMatch(/^edgeprune: internal error: boom \\x1b\[31mred.* \(a bug in edgeprune/);
    expect(internal.join('').split('\n')).toHaveLength(2);
    const debug: string[] = [];
    reportError(new UserError(`bad ${ANSI}`), true, (t) => debug.push(t));
    expect(debug.join('')).toMatch(/\n\s+at /);
    expect(rawControls(debug.join(''))).toEqual([]);
  });

  it('tables, the build and verify summaries and the progress lines escape every name', () => {
    const table = renderTable(['name', 'op'], [[ANSI, CRLF], [BIDI, LONG]]);
    expect(rawControls(table)).toEqual([]);
    expect(table.split('\n')).toHaveLength(3);
    expect(Math.max(...table.split('\n').map((l) => l.length))).toBeLessThan(500);

    const search = searchResult({ stoppedBecause: `stopped at ${ANSI}`, smallestSeen: { instructions: { cost: 8000, description: `${CRLF}: 5 of 6`, validation: 0.5 } } });
    const report = buildReport(withLayerNames(reportInput({ model: ANSI, search }), new Map([['fc1', ANSI], ['act1', CRLF], ['head', BIDI], ['probs', LONG]])));
    const summary = renderBuildSummary(report, path.join(root, `out${CRLF}`));
    expect(rawControls(summary)).toEqual([]);
    expect(summary).toContain('search stopped: stopped at \\x1b[31mred');

    const verified = renderVerify({
      ...verification(false), model: ANSI, runOn: `board on ${CRLF}`, vectorSource: BIDI,
      floatReference: { model: CRLF, vectors: 1, top1Agreement: 1, maxAbsDiff: 0.1, labelled: 0, accuracy: null },
      results: [{ index: 0, passed: false, maxAbsError: 1, maxAbsErrorExpected: null, hostBitIdentical: true, bitExact: false, instructions: 1, cycles: null, stackBytes: 1, problem: `output '${ANSI}' differs` }],
    });
    expect(rawControls(verified)).toEqual([]);
    expect(verified).toContain("FAIL: output '\\x1b[31mred");
    expect(verified).toContain('against the float model line one\\r\\nline two: top-1 agreement 100.0% of 1 vectors');

    const written: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    try {
      const progress = progressReporter(false);
      progress.line(`warning: ${ANSI}`);
      progress.begin(`step 1 (${CRLF})`, 2);
      progress.end(`step 1 ${BIDI}`);
    } finally {
      spy.mockRestore();
    }
    expect(written.join('')).toContain('warning: \\x1b[31mred');
    expect(rawControls(written.join(''))).toEqual([]);
  });
});

describe('hostile model text, in process', () => {
  it('gives the same bytes for the same hostile model (determinism)', () => {
    const a = compileToC(corpusModel());
    const b = compileToC(corpusModel());
    for (const [name, text] of a.files) expect(b.files.get(name), name).toBe(text);
    expect(renderMakefile(a, TARGET)).toBe(renderMakefile(b, TARGET));
  });

  it('writes each corpus name as a graph name into comments only (C files and Makefile)', () => {
    const plain = compileToC(corpusModel(plainNames()));
    const plainTokens = Object.fromEntries(C_FILES.map((f) => [f, normalized(cTokens(plain.files.get(f)!))]));
    const plainMake = renderMakefile(plain, TARGET).split('\n');
    for (const { label, text } of [...HOSTILE_NAMES, { label: 'graph name', text: HOSTILE_GRAPH_NAME }]) {
      const lib = compileToC(corpusModel({ ...plainNames(), graph: text }));
      for (const f of C_FILES) expect(normalized(cTokens(lib.files.get(f)!)), `${label}: ${f}`).toEqual(plainTokens[f]);
      const make = renderMakefile(lib, TARGET).split('\n');
      expect(make.filter((l) => !l.startsWith('#')), label).toEqual(plainMake.filter((l) => !l.startsWith('#')));
      expect(make).toHaveLength(plainMake.length);
      expect(makefileView(lib, TARGET).modelName).not.toMatch(/[\n\r]|\\$/);
    }
  });
});
