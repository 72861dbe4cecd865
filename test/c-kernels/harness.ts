// Host tests of the C kernels (templates/c/lib): build one C program per test file that calls the
// kernels on seeded data, run it, and compare its outputs with the reference interpreter.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AttrValue, Node } from '../../src/ir/graph.js';
import { Tensor } from '../../src/ir/tensor.js';
import { readAttrs, type OpDef } from '../../src/ops/op-def.js';
import { Random } from '../../src/util/random.js';
import { skipWithoutTools } from '../support/toolchain.js';

export const KERNEL_DIR = path.resolve('templates/c/lib');

/** Flags every host build of the kernels uses (the numerics contract plus strict warnings). */
export const HOST_CFLAGS = ['-std=c11', '-ffp-contract=off', '-O2', '-Wall', '-Wextra', '-Wshadow', '-Wdouble-promotion', '-Werror'];

/**
 * One kernel argument: a C expression, an int literal, a float literal, a constant int array, or a
 * constant that stays literal in the run-time variant too (an op code, as the emitter always writes).
 */
export type Arg = string | number | { float: number } | { ints: number[] } | { op: number | string };

export const float = (v: number): Arg => ({ float: v });
export const ints = (v: number[]): Arg => ({ ints: v });
export const op = (v: number | string): Arg => ({ op: v });
/** Input i (a float* or int* into the data read from the input file). */
export const inp = (i: number): Arg => `in${i}`;
export const OUT: Arg = 'out';
export const NULLPTR: Arg = 'NULL';

export type Data = Float32Array | Int32Array;

export interface KernelCall {
  /** Kernel function name, e.g. ep_conv2d_f32. */
  fn: string;
  args: Arg[];
}

export interface KernelCase extends Partial<KernelCall> {
  name: string;
  /** Several calls in order, instead of fn and args (e.g. a Concat as one copy per input). */
  calls?: KernelCall[];
  inputs: Data[];
  /** The expected output; its length is the output buffer's. */
  expected: Data;
  /** Initial content of the output buffer (default: a NaN sentinel, so unwritten elements show). */
  init?: Data;
  /** Bit-exact comparison (NaN matches NaN) instead of the tolerance. */
  exact?: boolean;
  tol?: Tolerance;
}

export interface Tolerance {
  abs: number;
  rel: number;
}

/** Default tolerance for kernels that reorder sums or use fmaf: |got - want| <= 1e-5 + 1e-5 * |want|. */
export const DEFAULT_TOL: Tolerance = { abs: 1e-5, rel: 1e-5 };

const SENTINEL_BITS = 0x7fa5a5a5; // a NaN no kernel produces

function cFloat(v: number): string {
  if (Number.isNaN(v)) return 'NAN';
  if (v === Infinity) return 'INFINITY';
  if (v === -Infinity) return '-INFINITY';
  const f = Math.fround(v);
  if (Object.is(f, -0)) return '-0.0f';
  // Nine significant digits round-trip every float32.
  return `${f.toPrecision(9)}f`;
}

/** The calls of a case, in order. */
const callsOf = (c: KernelCase): KernelCall[] => c.calls ?? [{ fn: c.fn!, args: c.args! }];

/** Whether a run-time call goes through one shared out-of-line copy of its kernel (see outOfLineDeclarations). */
const outOfLine = (call: KernelCall): boolean => !call.args.some((a) => typeof a === 'object' && 'op' in a);

/**
 * For the run-time build: a volatile pointer to each kernel called without a literal op code, so that every case calls
 * the one out-of-line copy of the generic code instead of gcc inlining (and optimizing) a copy per call site. The
 * arguments are run-time values either way, so the code run is the same generic loops; only the compile is cheaper
 * (the int8 host cases' run-time file: 9 s of gcc → 2 s). Calls with a literal op code stay inlined, as the emitter
 * writes them (the op code is a constant there).
 */
function outOfLineDeclarations(cases: KernelCase[], indices: number[]): string[] {
  const fns = new Set(indices.flatMap((k) => callsOf(cases[k]).filter(outOfLine).map((call) => call.fn)));
  return [...fns].sort().map((fn) => `static __typeof__(&${fn}) volatile ep_rt_${fn} = ${fn};`);
}

/** The case's kernel calls: literal constants (as the emitter writes them) or run-time values. */
function callSource(c: KernelCase, runtime: boolean): string {
  const calls = callsOf(c);
  let arrays = 0;
  return calls
    .map((call) => {
      const { args } = call;
      const fn = runtime && outOfLine(call) ? `(*ep_rt_${call.fn})` : call.fn;
      const decls: string[] = [];
      const list = args.map((a) => {
        if (typeof a === 'string') return a;
        if (typeof a === 'number') return runtime ? `rt_i(${a})` : String(a);
        if ('float' in a) return runtime ? `rt_f(${cFloat(a.float)})` : cFloat(a.float);
        if ('op' in a) return String(a.op);
        const values = a.ints.length ? a.ints : [0];
        const name = `a${arrays++}`;
        decls.push(
          runtime
            ? `int ${name}[] = {${values.map((v) => `rt_i(${v})`).join(', ')}};`
            : `static const int ${name}[] = {${values.join(', ')}};`,
        );
        return name;
      });
      return `{ ${decls.join(' ')} ${fn}(${list.join(', ')}); }`;
    })
    .join(' ');
}

const PRELUDE = [
  '#include <stdio.h>',
  '#include <stdlib.h>',
  '#include "ep_kernels.h"',
  'void *ep_test_load(FILE *f, size_t n);',
  '__attribute__((unused)) static int rt_i(int v) { volatile int t = v; return t; }',
  '__attribute__((unused)) static float rt_f(float v) { volatile float t = v; return t; }',
];

const caseFunction = (k: number, runtime: boolean) => `case_${k}_${runtime ? 'runtime' : 'literal'}`;

/** One C file with the calls of some cases, one function per call (gcc is superlinear in function size). */
function casesSource(cases: KernelCase[], indices: number[], runtime: boolean): string {
  const lines = [...PRELUDE, ...(runtime ? outOfLineDeclarations(cases, indices) : [])];
  for (const k of indices) {
    const c = cases[k];
    const fn = caseFunction(k, runtime);
    lines.push(`/* ${c.name.replace(/\*\//g, '')} (${runtime ? 'run-time' : 'literal'} arguments) */`);
    lines.push(`void ${fn}(FILE *fi, FILE *fo);`, `void ${fn}(FILE *fi, FILE *fo) {`);
    c.inputs.forEach((d, i) => lines.push(`  float *in${i} = ep_test_load(fi, ${d.length}); /* raw 4-byte words */`));
    lines.push(`  float *out = ep_test_load(fi, ${c.expected.length});`);
    lines.push(`  ${callSource(c, runtime)}`);
    lines.push(`  fwrite(out, 4, ${c.expected.length}, fo);`);
    c.inputs.forEach((_, i) => lines.push(`  free(in${i});`));
    lines.push('  free(out);', '}');
  }
  return lines.join('\n') + '\n';
}

/** Which builds of every case a program holds, in the order each case runs them. */
type Builds = 'both' | 'runtime';

function mainSource(cases: KernelCase[], builds: Builds): string {
  const calls = cases.flatMap((_, k) => (builds === 'both' ? [caseFunction(k, false), caseFunction(k, true)] : [caseFunction(k, true)]));
  return [
    '#include <stdio.h>',
    '#include <stdlib.h>',
    'void *ep_test_load(FILE *f, size_t n);',
    'void *ep_test_load(FILE *f, size_t n) {',
    '  void *p = malloc(n * 4 + 4);',
    '  if (!p || fread(p, 4, n, f) != n) exit(3);',
    '  return p;',
    '}',
    ...calls.map((fn) => `void ${fn}(FILE *fi, FILE *fo);`),
    'int main(int argc, char **argv) {',
    '  if (argc != 3) return 2;',
    '  FILE *fi = fopen(argv[1], "rb"), *fo = fopen(argv[2], "wb");',
    '  if (!fi || !fo) return 2;',
    ...calls.map((fn) => `  ${fn}(fi, fo);`),
    '  return fclose(fo) == 0 ? 0 : 4;',
    '}',
    '',
  ].join('\n');
}

/**
 * Write the program's sources into dir and compile them in parallel: the literal-argument calls
 * (split across the cores) and the run-time-argument calls (one file, built with EP_GENERIC_ONLY:
 * the same code a call with non-constant arguments gets, without compiling the tiled paths that
 * such a call would discard). Returns the executable's path.
 */
async function buildProgram(cases: KernelCase[], dir: string, extraFlags: string[], builds: Builds): Promise<string> {
  const jobs = Math.max(1, Math.min(availableParallelism(), 8));
  const literalChunks: number[][] = builds === 'both' ? Array.from({ length: jobs }, (_, i) => cases.map((_, k) => k).filter((k) => k % jobs === i)) : [];
  const units: { file: string; source: string; flags: string[] }[] = [
    { file: 'main.c', source: mainSource(cases, builds), flags: [] },
    { file: 'runtime.c', source: casesSource(cases, cases.map((_, k) => k), true), flags: ['-DEP_GENERIC_ONLY'] },
    ...literalChunks.filter((c) => c.length).map((chunk, i) => ({ file: `literal${i}.c`, source: casesSource(cases, chunk, false), flags: [] })),
  ];
  const objects = await Promise.all(
    units.map(async (u) => {
      const src = path.join(dir, u.file);
      const obj = src.replace(/\.c$/, '.o');
      await writeFile(src, u.source);
      await execa('gcc', [...HOST_CFLAGS, ...extraFlags, ...u.flags, '-I', KERNEL_DIR, '-c', src, '-o', obj], { timeout: 300_000 });
      return obj;
    }),
  );
  const exe = path.join(dir, 'cases');
  await execa('gcc', [...objects, '-o', exe, '-lm'], { timeout: 60_000 });
  return exe;
}

function bytesOf(d: Data): Buffer {
  return Buffer.from(d.buffer, d.byteOffset, d.byteLength);
}

/** Results of a case: the output bits of the literal-argument and the run-time-argument builds. */
export interface CaseResult {
  literal: Int32Array;
  runtime: Int32Array;
}

/**
 * Compile all cases into one program (gcc, HOST_CFLAGS), run it once, and return each case's
 * outputs (as raw 32-bit words). Each case runs twice: with literal arguments (the specialized,
 * register-tiled code the emitter gets) and with run-time arguments (the generic code). The
 * program's input is one binary file (every case's inputs and initial output, in order), its output
 * another (every case's outputs).
 */
export async function runCases(cases: KernelCase[], extraFlags: string[] = []): Promise<CaseResult[]> {
  const words = await runProgram(cases, extraFlags, 'both');
  return cases.map((_, k) => ({ literal: words[2 * k], runtime: words[2 * k + 1] }));
}

/**
 * runCases with the run-time-argument build only (the generic code): for kernels whose literal-argument code a QEMU
 * test runs on every target path already (test/c-kernels/int8-qemu.test.ts), where the host's literal build would
 * compile the same tiles again (about 12 CPU-s per chunk of the int8 cases). Each case's outputs.
 */
export async function runRuntimeCases(cases: KernelCase[], extraFlags: string[] = []): Promise<Int32Array[]> {
  return runProgram(cases, extraFlags, 'runtime');
}

/** Build and run the program of `cases`; each run's outputs in order (per case: literal then run-time, or run-time). */
async function runProgram(cases: KernelCase[], extraFlags: string[], builds: Builds): Promise<Int32Array[]> {
  const keep = process.env.EP_KERNEL_TEST_KEEP; // a directory to keep the generated program in (debugging)
  const dir = keep ? path.resolve(keep) : await mkdtemp(path.join(tmpdir(), 'ep-kernels-'));
  const passes = builds === 'both' ? 2 : 1;
  try {
    const exe = await buildProgram(cases, dir, extraFlags, builds);
    const chunks: Buffer[] = [];
    for (const c of cases) {
      for (let pass = 0; pass < passes; pass++) {
        for (const d of c.inputs) chunks.push(bytesOf(d));
        if (c.init) {
          if (c.init.length !== c.expected.length) throw new Error(`${c.name}: init has ${c.init.length} elements, expected ${c.expected.length}`);
          chunks.push(bytesOf(c.init));
        } else {
          chunks.push(bytesOf(new Int32Array(c.expected.length).fill(SENTINEL_BITS)));
        }
      }
    }
    await writeFile(path.join(dir, 'in.bin'), Buffer.concat(chunks));
    await execa(exe, [path.join(dir, 'in.bin'), path.join(dir, 'out.bin')], { timeout: 60_000 });
    const out = await readFile(path.join(dir, 'out.bin'));
    const words = new Int32Array(out.buffer, out.byteOffset, out.byteLength / 4);
    const results: Int32Array[] = [];
    let at = 0;
    for (const c of cases) {
      for (let pass = 0; pass < passes; pass++) {
        results.push(words.slice(at, at + c.expected.length));
        at += c.expected.length;
      }
    }
    if (at !== words.length) throw new Error(`the program wrote ${words.length} words, expected ${at}`);
    return results;
  } finally {
    if (!keep) await rm(dir, { recursive: true, force: true });
  }
}

function asFloats(bits: Int32Array): Float32Array {
  return new Float32Array(bits.buffer, bits.byteOffset, bits.length);
}

function bitsOf(d: Data): Int32Array {
  return d instanceof Int32Array ? d : new Int32Array(d.buffer, d.byteOffset, d.length);
}

/**
 * First mismatch between got (output words) and the case's expectation, or null. Exact cases
 * compare bits (any NaN matches any NaN when the data is float); others use the tolerance.
 */
export function mismatch(c: KernelCase, got: Int32Array): string | null {
  const want = c.expected;
  if (got.length !== want.length) return `length ${got.length}, expected ${want.length}`;
  if (want instanceof Int32Array) {
    for (let i = 0; i < want.length; i++) if (got[i] !== want[i]) return `[${i}]: got ${got[i]}, expected ${want[i]}`;
    return null;
  }
  const g = asFloats(got);
  const wantBits = bitsOf(want);
  const tol = c.tol ?? DEFAULT_TOL;
  for (let i = 0; i < want.length; i++) {
    const a = g[i];
    const b = want[i];
    if (Number.isNaN(a) || Number.isNaN(b)) {
      if (Number.isNaN(a) && Number.isNaN(b)) continue;
      return `[${i}]: got ${got[i] === SENTINEL_BITS ? 'nothing (never written)' : a}, expected ${b}`;
    }
    if (c.exact) {
      if (got[i] !== wantBits[i]) return `[${i}]: got ${a}, expected ${b} exactly`;
    } else if (!(Math.abs(a - b) <= tol.abs + tol.rel * Math.abs(b)) && a !== b) {
      return `[${i}]: got ${a}, expected ${b} (|d| = ${Math.abs(a - b)} > ${tol.abs} + ${tol.rel}·|expected|)`;
    }
  }
  return null;
}

/** Evaluate one op of the reference interpreter on the given inputs (first output). */
export function evalOp<A>(op: OpDef<A>, inputs: (Tensor | undefined)[], attrs: Record<string, AttrValue> = {}): Tensor {
  const node: Node = {
    name: `c_kernel_ref_${op.opType}`,
    opType: op.opType,
    domain: '',
    inputs: inputs.map((t, i) => (t ? `in${i}` : '')),
    outputs: ['y'],
    attrs,
  };
  const parsed = readAttrs(op, node);
  return op.evaluate(inputs, parsed, node)[0];
}

export const attr = {
  int: (value: number): AttrValue => ({ kind: 'int', value }),
  ints: (value: number[]): AttrValue => ({ kind: 'ints', value }),
  float: (value: number): AttrValue => ({ kind: 'float', value }),
  string: (value: string): AttrValue => ({ kind: 'string', value }),
};

/** Seeded uniform float32 tensor in [lo, hi). */
export function uniform(rng: Random, shape: number[], lo = -1, hi = 1): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return Tensor.fromNumbers('float32', shape, Array.from({ length: n }, () => rng.uniform(lo, hi)));
}

export function f32(t: Tensor): Float32Array {
  return t.data as Float32Array;
}

export { Random, Tensor };

/**
 * The same case through the kernel's ldw variant (ep_dense_ldw_f32, ep_conv2d_ldw_f32): the weights (input 1,
 * [rows][cols]) as the leading block of a wider [rows + 2][cols + extra] array whose other elements are NaN (read one,
 * and the outputs show it), the row stride inserted among the arguments at `strideAt`.
 */
export function leadingBlock(c: KernelCase, fn: string, rows: number, extra: number, strideAt: number): KernelCase {
  if (!c.args) throw new Error(`case '${c.name}' has no single call`);
  const w = c.inputs[1] as Float32Array;
  const cols = w.length / rows;
  const ldw = cols + extra;
  const wide = new Float32Array((rows + 2) * ldw).fill(NaN);
  for (let r = 0; r < rows; r++) for (let k = 0; k < cols; k++) wide[r * ldw + k] = w[r * cols + k];
  const args = [...c.args];
  args.splice(strideAt, 0, ldw);
  return { ...c, name: `${c.name}, weights in rows of ${ldw}`, fn, args, inputs: [c.inputs[0], wide, ...c.inputs.slice(2)] };
}

export interface KernelSuiteOptions {
  /** Assertion labels of the literal-argument and run-time-argument builds. */
  labels?: [string, string];
  /** Also check that both builds give the same bits (the same summation order), under this test name. */
  sameBits?: string;
  /** Further checks of one case's result. */
  check?: (c: KernelCase, r: CaseResult) => void;
}

/**
 * The suite of one kernel test file: every case built with literal and with run-time arguments (runCases), one test
 * per case comparing both builds with the interpreter. Needs the host gcc; without it the suite is skipped, loudly
 * (and fails under CI).
 */
export async function kernelSuite(file: string, title: string, cases: KernelCase[], o: KernelSuiteOptions = {}): Promise<void> {
  const skip = await skipWithoutTools(file, ['gcc']);
  const [literal, runtime] = o.labels ?? ['literal arguments', 'run-time arguments'];
  describe.skipIf(skip)(title, () => {
    let results: CaseResult[] = [];
    beforeAll(async () => {
      results = await runCases(cases);
    });

    it.each(cases.map((c, i) => [c.name, i] as const))('%s', (_name, i) => {
      const c = cases[i];
      expect(mismatch(c, results[i].literal), literal).toBeNull();
      expect(mismatch(c, results[i].runtime), runtime).toBeNull();
      o.check?.(c, results[i]);
    });

    if (o.sameBits) {
      it(o.sameBits, () => {
        cases.forEach((c, i) => expect(Array.from(results[i].literal), c.name).toEqual(Array.from(results[i].runtime)));
      });
    }
  });
}
