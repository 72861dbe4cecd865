// Kernel benchmarks on QEMU mps2-an386 (Cortex-M4F): build a bench firmware with arm-none-eabi-gcc,
// run it under QEMU with -icount shift=0 (one instruction = 1 ns, counted with SysTick), read the
// "<label> <number>" lines it prints through semihosting, and measure function sizes with nm.
// The same C program also builds on the host (host.c), for a bit-for-bit comparison of outputs.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { repoPath } from '../../src/util/package-root.js';

export const BENCH_DIR = repoPath('bench', 'kernels');
export const KERNEL_DIR = repoPath('templates', 'c', 'lib');

/** The target build of the numerics contract (docs/numerics.md) for a Cortex-M4F. */
export const M4_FLAGS = ['-mcpu=cortex-m4', '-mthumb', '-mfloat-abi=hard', '-mfpu=fpv4-sp-d16', '-std=c11', '-ffp-contract=off', '-O2'];
export const HOST_FLAGS = ['-std=c11', '-ffp-contract=off', '-O2'];
export const WARN_FLAGS = ['-Wall', '-Wextra', '-Wshadow', '-Wdouble-promotion', '-Werror'];

export const QEMU_ARGS = ['-M', 'mps2-an386', '-icount', 'shift=0,align=off,sleep=off', '-semihosting-config', 'enable=on,target=native', '-nographic'];

/** A QEMU machine the bench firmware runs on: its core's flags, memory map and SysTick rate. */
export interface BenchTarget {
  name: string;
  machine: string;
  cpuFlags: string[];
  /** Linker script under bench/kernels/. */
  linkScript: string;
  /** Instructions per SysTick tick under -icount shift=0 (1 GHz virtual clock / the SysTick clock). */
  instructionsPerTick: number;
}

/** Cortex-M4F (DSP extension, FPU): the default bench target. */
export const MPS2_AN386: BenchTarget = { name: 'mps2-an386', machine: 'mps2-an386', cpuFlags: ['-mcpu=cortex-m4', '-mthumb', '-mfloat-abi=hard', '-mfpu=fpv4-sp-d16'], linkScript: 'link.ld', instructionsPerTick: 40 };
/** Cortex-M3 (no DSP extension, no FPU: soft float), 64 KiB of RAM; SysTick at 12.5 MHz (targets/lm3s6965.json). */
export const LM3S6965: BenchTarget = { name: 'lm3s6965', machine: 'lm3s6965evb', cpuFlags: ['-mcpu=cortex-m3', '-mthumb', '-mfloat-abi=soft'], linkScript: 'link-lm3s6965.ld', instructionsPerTick: 80 };
export const BENCH_TARGETS: readonly BenchTarget[] = [MPS2_AN386, LM3S6965];

/** The bench target named by `--target <name>` in argv (mps2-an386 without it). */
export function benchTargetArg(args: readonly string[]): BenchTarget {
  const at = args.indexOf('--target');
  if (at < 0) return MPS2_AN386;
  const t = BENCH_TARGETS.find((b) => b.name === args[at + 1]);
  if (!t) throw new Error(`--target ${args[at + 1] ?? '(missing)'}: the bench targets are ${BENCH_TARGETS.map((b) => b.name).join(', ')}`);
  return t;
}

/** Tools the benches need, with the Debian package that provides each. */
export const TOOLS = { 'arm-none-eabi-gcc': 'gcc-arm-none-eabi libnewlib-arm-none-eabi', 'qemu-system-arm': 'qemu-system-arm', gcc: 'gcc' } as const;

export async function hasTool(tool: string): Promise<boolean> {
  try {
    await execa(tool, ['--version'], { timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

/** Tools missing from PATH, as "tool (Debian package)". */
export async function missingTools(): Promise<string[]> {
  const missing: string[] = [];
  for (const [tool, pkg] of Object.entries(TOOLS)) if (!(await hasTool(tool))) missing.push(`${tool} (${pkg})`);
  return missing;
}

/** A scratch directory removed by `done()` (kept when `keep` names a directory). */
export async function workDir(keep?: string): Promise<{ dir: string; done: () => Promise<void> }> {
  if (keep) return { dir: path.resolve(keep), done: async () => {} };
  const dir = await mkdtemp(path.join(tmpdir(), 'ep-bench-'));
  return { dir, done: () => rm(dir, { recursive: true, force: true }) };
}

/** Build bench/kernels/<program>.c with the startup code into an ELF for mps2-an386 (or another bench target). */
export async function buildTarget(program: string, outDir: string, extraFlags: string[] = [], target: BenchTarget = MPS2_AN386): Promise<string> {
  const elf = path.join(outDir, `${program}-${target.name}.elf`);
  const flags = target === MPS2_AN386 ? M4_FLAGS : [...target.cpuFlags, ...M4_FLAGS.filter((f) => !f.startsWith('-m'))];
  await execa(
    'arm-none-eabi-gcc',
    [
      ...flags, ...WARN_FLAGS, ...extraFlags, `-DBENCH_INSTR_PER_TICK=${target.instructionsPerTick}u`,
      '-I', KERNEL_DIR, '-I', BENCH_DIR,
      '-nostartfiles', '-T', path.join(BENCH_DIR, target.linkScript),
      path.join(BENCH_DIR, 'startup.c'), path.join(BENCH_DIR, `${program}.c`),
      '-lm', '-o', elf,
    ],
    { timeout: 300_000 },
  );
  return elf;
}

/** Build the same program for the host (bench.h implemented by host.c). */
export async function buildHost(program: string, outDir: string, extraFlags: string[] = []): Promise<string> {
  const exe = path.join(outDir, `${program}-host`);
  await execa(
    'gcc',
    [...HOST_FLAGS, ...WARN_FLAGS, ...extraFlags, '-I', KERNEL_DIR, '-I', BENCH_DIR, path.join(BENCH_DIR, 'host.c'), path.join(BENCH_DIR, `${program}.c`), '-lm', '-o', exe],
    { timeout: 300_000 },
  );
  return exe;
}

/** "<label> <number>" lines of a bench program's output. */
export function parseReport(text: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^(\S+) (\d+)$/.exec(line.trim());
    if (m) values.set(m[1], Number(m[2]));
  }
  return values;
}

/** Run an ELF under QEMU (semihosting text goes to QEMU's stderr) and parse its report. */
export async function runQemu(elf: string, timeoutMs = 120_000, target: BenchTarget = MPS2_AN386): Promise<Map<string, number>> {
  return parseReport(await runQemuText(elf, timeoutMs, target));
}

/** Run an ELF under QEMU and return the text it wrote through semihosting. */
export async function runQemuText(elf: string, timeoutMs = 120_000, target: BenchTarget = MPS2_AN386): Promise<string> {
  const args = ['-M', target.machine, ...QEMU_ARGS.slice(2)];
  const r = await execa('qemu-system-arm', [...args, '-kernel', elf], { timeout: timeoutMs, reject: false, stdin: 'ignore' });
  if (r.timedOut) throw new Error(`QEMU did not exit within ${timeoutMs} ms (${elf})`);
  if (r.exitCode !== 0) throw new Error(`QEMU exited with ${r.exitCode}: ${String(r.stderr).slice(-2000)}`);
  return String(r.stderr);
}

export async function runHost(exe: string, timeoutMs = 60_000): Promise<Map<string, number>> {
  const r = await execa(exe, [], { timeout: timeoutMs });
  return parseReport(String(r.stdout));
}

/** Code size of every function symbol of an ELF (arm-none-eabi-nm -S). */
export async function functionSizes(elf: string): Promise<Map<string, number>> {
  const r = await execa('arm-none-eabi-nm', ['-S', '--size-sort', elf], { timeout: 30_000 });
  const sizes = new Map<string, number>();
  for (const line of String(r.stdout).split('\n')) {
    const m = /^[0-9a-f]+ ([0-9a-f]+) [tT] (\S+)$/.exec(line.trim());
    if (m) sizes.set(m[2], parseInt(m[1], 16));
  }
  return sizes;
}

/** A text table: the first `textColumns` columns left-aligned, the others (numbers) right-aligned. */
export function table(header: string[], rows: (string | number)[][], textColumns = 1): string {
  const cells = [header, ...rows.map((r) => r.map((c) => (typeof c === 'number' ? c.toLocaleString('en-US') : c)))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  return cells.map((r) => r.map((c, i) => (i < textColumns ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd()).join('\n');
}

/** True when this module is the script node was started with. */
export function isMain(moduleUrl: string): boolean {
  return Boolean(process.argv[1]) && path.resolve(process.argv[1]) === path.resolve(new URL(moduleUrl).pathname);
}

/** FNV-1a of int8 values' bytes, as the bench firmware's bench_fnv_s8 (bench.h) computes it. */
export function fnvS8(values: ArrayLike<number>): number {
  let h = 2166136261;
  for (let i = 0; i < values.length; i++) h = Math.imul(h ^ (values[i] & 0xff), 16777619) >>> 0;
  return h;
}
