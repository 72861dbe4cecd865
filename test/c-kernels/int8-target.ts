// Run kernel cases on a QEMU bench target (mps2-an386: the DSP path; lm3s6965: the portable path): the cases'
// data become constant arrays of a firmware (bench/kernels startup code), each case's kernel call is made with
// literal arguments, as the emitter writes it, and its output bytes come back as hex through semihosting.
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { BENCH_DIR, KERNEL_DIR, M4_FLAGS, runQemuText, WARN_FLAGS, type BenchTarget } from '../../bench/kernels/bench-lib.js';
import { compileCached } from '../support/cached-compile.js';
import type { Arg, KernelCase } from './harness.js';

function cFloat(v: number): string {
  if (Number.isNaN(v)) return 'NAN';
  if (v === Infinity) return 'INFINITY';
  if (v === -Infinity) return '-INFINITY';
  const f = Math.fround(v);
  return Object.is(f, -0) ? '-0.0f' : `${f.toPrecision(9)}f`;
}

function words(d: Float32Array | Int32Array): string {
  const w = d instanceof Int32Array ? d : new Int32Array(d.buffer, d.byteOffset, d.length);
  return Array.from(w, (v) => `(int32_t)0x${(v >>> 0).toString(16)}u`).join(', ');
}

function argText(a: Arg, k: number): string {
  if (typeof a === 'number') return String(a);
  if (a === 'out') return '(float *)out_buf';
  if (typeof a === 'string') return a.replace(/\bin(\d+)\b/g, `c${k}_in$1`).replace(/\bout\b/g, 'out_buf');
  if ('float' in a) return cFloat(a.float);
  if ('op' in a) return String(a.op);
  return `(const int[]){${(a.ints.length ? a.ints : [0]).join(', ')}}`;
}

/** One translation unit with the given cases, each a function run_case_<k>(). */
function unitSource(cases: KernelCase[], indices: number[]): string {
  const lines = ['#include <stdint.h>', '#include "ep_kernels.h"', 'extern int32_t out_buf[];'];
  for (const k of indices) {
    const c = cases[k];
    c.inputs.forEach((d, i) => lines.push(`__attribute__((unused)) static const int32_t c${k}_in${i}[${Math.max(d.length, 1)}] = {${words(d) || '0'}};`));
    lines.push(`/* ${c.name.replace(/\*\//g, '')} */`, `void run_case_${k}(void);`, `void run_case_${k}(void) {`);
    for (const call of c.calls ?? [{ fn: c.fn!, args: c.args! }]) {
      const args = call.args.map((a) => {
        const t = argText(a, k);
        // the case's input words stand for any element type: cast away the const int32_t array type
        return /^\(const (int8_t|int32_t) \*\)c\d+_in\d+$/.test(t) || /^c\d+_in\d+$/.test(t) ? t.replace(/^(c\d+_in\d+)$/, '(const float *)$1') : t;
      });
      lines.push(`  ${call.fn}(${args.join(', ')});`);
    }
    lines.push('}');
  }
  return lines.join('\n') + '\n';
}

function mainSource(cases: KernelCase[]): string {
  const maxWords = Math.max(...cases.map((c) => c.expected.length));
  const lines = [
    '#include <stdint.h>',
    '#include "bench.h"',
    `int32_t out_buf[${maxWords}];`,
    `static char line[${maxWords * 8 + 32}];`,
    ...cases.map((_, k) => `void run_case_${k}(void);`),
    'static void print_case(int k, int n) {',
    '  static const char hexd[] = "0123456789abcdef";',
    '  int i = 0;',
    "  line[i++] = 'c'; line[i++] = ' ';",
    "  char num[8]; int d = 0; do { num[d++] = (char)('0' + k % 10); k /= 10; } while (k);",
    '  while (d) line[i++] = num[--d];',
    "  line[i++] = ' ';",
    '  const uint8_t *b = (const uint8_t *)out_buf;',
    '  for (int j = 0; j < 4 * n; j++) { line[i++] = hexd[b[j] >> 4]; line[i++] = hexd[b[j] & 15]; }',
    "  line[i++] = '\\n'; line[i] = 0;",
    '  bench_puts(line);',
    '}',
    'int main(void) {',
  ];
  cases.forEach((c, k) => {
    const init = c.init ? `(int32_t)0x${((c.init[0] ?? 0) >>> 0).toString(16)}u` : '(int32_t)0x7fa5a5a5u';
    lines.push(`  for (int i = 0; i < ${c.expected.length}; i++) out_buf[i] = ${init};`, `  run_case_${k}();`, `  print_case(${k}, ${c.expected.length});`);
  });
  lines.push('  return 0;', '}', '');
  return lines.join('\n');
}

/**
 * Build the cases into one firmware for `target` (units compiled in parallel) and run it under QEMU; returns each
 * case's output words. Every case's init must be one repeated word (the int8 cases' fill).
 */
export async function runCasesOnTarget(cases: KernelCase[], target: BenchTarget, extraFlags: string[] = [], units = 2): Promise<Int32Array[]> {
  const dir = await mkdtemp(path.join(tmpdir(), `ep-int8-${target.name}-`));
  try {
    const flags = [...target.cpuFlags, ...M4_FLAGS.filter((f) => !f.startsWith('-m')), ...WARN_FLAGS, ...extraFlags, '-Wno-unused-function', '-I', KERNEL_DIR, '-I', BENCH_DIR];
    const chunks: number[][] = Array.from({ length: units }, () => []);
    cases.forEach((_, k) => chunks[k % units].push(k));
    const sources = [{ file: 'main.c', text: mainSource(cases) }, ...chunks.map((idx, u) => ({ file: `cases${u}.c`, text: unitSource(cases, idx) }))];
    // (through the object cache: the same cases, flags and headers as the last run are lookups; measured, CPU-s cold →
    // warm: int8-qemu.test.ts 44.5 → 16.9, int8-conv-run-time-qemu.test.ts 61 → 5.2, int8-sparse-qemu.test.ts 34 → 25)
    const headers = [KERNEL_DIR, BENCH_DIR].flatMap((d) => readdirSync(d).filter((f) => f.endsWith('.h')).map((f) => path.join(d, f)));
    const objects = await Promise.all(sources.map((s) => compileCached(flags, s.text, path.join(dir, s.file.replace(/\.c$/, '')), headers)));
    const startupFlags = [...flags, `-DBENCH_INSTR_PER_TICK=${target.instructionsPerTick}u`];
    const startup = await compileCached(startupFlags, readFileSync(path.join(BENCH_DIR, 'startup.c'), 'utf8'), path.join(dir, 'startup'), headers, 60_000);
    const elf = path.join(dir, 'cases.elf');
    await execa('arm-none-eabi-gcc', [...flags, '-nostartfiles', '-T', path.join(BENCH_DIR, target.linkScript), startup, ...objects, '-lm', '-o', elf], { timeout: 60_000 });
    const text = await runQemuText(elf, 120_000, target);
    const out: Int32Array[] = cases.map(() => new Int32Array(0));
    for (const line of text.split('\n')) {
      const m = /^c (\d+) ([0-9a-f]*)$/.exec(line.trim());
      if (!m) continue;
      const bytes = Buffer.from(m[2], 'hex');
      out[Number(m[1])] = new Int32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4).slice();
    }
    return out;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
