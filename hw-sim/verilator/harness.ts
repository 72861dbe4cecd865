// Verilator harnesses: a Verilog design and its C++ testbench compiled by Verilator into one executable, kept in the
// per-user cache ($XDG_CACHE_HOME/edgeprune/verilator) under a key made of every source's content, the flags and
// Verilator's version: the second build of the same design is a lookup. Verilator's own run-time library
// (verilated.cpp and friends, most of a small design's build time) is compiled once, kept in the cache as an archive
// and linked into every later design. Run through the process guard like every other tool (build/tools.ts), with
// timeouts that stretch with the machine's load.

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../../src/errors.js';
import { makeTempDir, removeTempDir } from '../../src/util/temp-dir.js';
import { runTool, toolVersion, type Tool } from '../build/tools.js';
import { guardCacheDir, writableCacheDir } from '../guard/guard.js';
import { scaleForLoad } from '../load.js';

export function verilator(): Tool {
  return { command: 'verilator', debianPackage: 'verilator' };
}

const ar: Tool = { command: 'ar', debianPackage: 'binutils' };

/** A design to simulate: its Verilog files (the top module first found by name) and its C++ testbench. */
export interface VerilatorDesign {
  /** The top module's name (the testbench includes V<top>.h). */
  top: string;
  /** Verilog sources (absolute paths). */
  verilog: string[];
  /** C++ testbench sources (absolute paths), with main(). */
  testbench: string[];
  /** Headers the testbench includes (absolute paths; their folders go on the include path). */
  headers?: string[];
  /** The top module's parameters (-G): integers, or strings of letters, digits, '_', '-' and '.'. */
  parameters?: Record<string, number | string>;
  /** Preprocessor macros (+define+): values of letters, digits and '_'. */
  defines?: Record<string, string>;
}

/** The -G and +define+ arguments of a design, checked (they reach Verilator's command line). */
function designArgs(design: VerilatorDesign): string[] {
  const name = /^[A-Za-z_][A-Za-z0-9_]*$/;
  const args: string[] = [];
  for (const [k, v] of Object.entries(design.parameters ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const ok = name.test(k) && (typeof v === 'number' ? Number.isSafeInteger(v) : /^[A-Za-z0-9_.-]+$/.test(v));
    if (!ok) throw new Error(`Verilator parameter ${JSON.stringify(k)} = ${JSON.stringify(v)}: not a parameter name with an integer or a token`);
    args.push(typeof v === 'number' ? `-G${k}=${v}` : `-G${k}="${v}"`);
  }
  for (const [k, v] of Object.entries(design.defines ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (!name.test(k) || !/^[A-Za-z0-9_]+$/.test(v)) throw new Error(`Verilator define ${JSON.stringify(k)} = ${JSON.stringify(v)}: not a macro name with a token`);
    args.push(`+define+${k}=${v}`);
  }
  return args;
}

export interface VerilatorHarness {
  executable: string;
  /** Found in the cache: nothing was compiled. */
  cached: boolean;
}

/**
 * Verilator's options: C++ output with the build, X as fast constants (the designs reset what they use), -Wall lint
 * (a warning is an error: the designs are ours), and the light C++ optimization that builds fast and runs fast
 * enough for test vectors (TOOLCHAIN.md: OPT_* given through -MAKEFLAGS, not directly).
 */
const FLAGS = ['--cc', '--exe', '--build', '-j', '2', '--x-assign', 'fast', '--x-initial', 'fast', '-Wall', '-MAKEFLAGS', 'OPT_FAST=-O1 OPT_SLOW=-O0 OPT_GLOBAL=-O1'];

const BUILD_TIMEOUT_MS = 300_000;

let versionOnce: Promise<string | null> | undefined;

async function verilatorVersion(): Promise<string> {
  versionOnce ??= toolVersion(verilator());
  const version = await versionOnce;
  if (!version) throw missingVerilator();
  return version;
}

async function cacheKey(design: VerilatorDesign): Promise<string> {
  const hash = crypto.createHash('sha256').update(await verilatorVersion()).update(FLAGS.join('\0')).update(design.top).update(designArgs(design).join('\0'));
  for (const file of [...design.verilog, ...design.testbench, ...(design.headers ?? [])]) hash.update(path.basename(file)).update('\0').update(fs.readFileSync(file));
  return hash.digest('hex').slice(0, 24);
}

function missingVerilator(): UserError {
  return new UserError(
    "'verilator' was not found: the FPGA backend simulates its Verilog with it",
    "install the Debian package verilator (sudo apt-get install -y verilator; it needs g++ and make), or run 'make setup'",
  );
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The cached archive of Verilator's run-time objects for this Verilator and these flags (it may not exist yet). */
async function runtimeArchive(cacheDir: string): Promise<string> {
  const key = crypto.createHash('sha256').update(await verilatorVersion()).update(FLAGS.join('\0')).digest('hex').slice(0, 16);
  return path.join(cacheDir, `runtime-${key}.a`);
}

/**
 * Make options that link the cached run-time archive instead of compiling it: the generated makefile's global objects
 * emptied, the archive added to the link (one make variable each: Verilator splits -MAKEFLAGS at spaces).
 */
function linkRuntime(archive: string): string[] {
  return ['-MAKEFLAGS', 'VM_GLOBAL_FAST=', '-MAKEFLAGS', 'VM_GLOBAL_SLOW=', '-MAKEFLAGS', `LIBS=${archive}`];
}

/** Keep the run-time objects a full build compiled (obj/verilated*.o) as the cached archive, atomically. */
async function saveRuntime(objDir: string, archive: string): Promise<void> {
  const objects = fs.readdirSync(objDir).filter((f) => /^verilated.*\.o$/.test(f)).sort();
  if (objects.length === 0) return;
  const staging = `${archive}.tmp-${process.pid}-${crypto.randomBytes(4).toString('hex')}.a`;
  try {
    const r = await runTool(ar, ['rcs', staging, ...objects.map((o) => path.join(objDir, o))], { timeoutMs: scaleForLoad(60_000), what: "archiving Verilator's run-time objects" });
    if (r.exitCode === 0) fs.renameSync(staging, archive);
  } finally {
    fs.rmSync(staging, { force: true });
  }
}


/** Build (or find in the cache) the executable simulating `design` with its testbench. */
export async function buildVerilatorHarness(design: VerilatorDesign): Promise<VerilatorHarness> {
  const key = await cacheKey(design);
  const cacheDir = path.join(guardCacheDir(), 'verilator');
  const cached = path.join(cacheDir, `${design.top}-${key}`);
  if (isExecutable(cached)) return { executable: cached, cached: true };
  const work = makeTempDir('verilator');
  try {
    const objDir = path.join(work, 'obj');
    const exeName = `V${design.top}-harness`;
    const includes = [...new Set((design.headers ?? []).map((h) => path.dirname(h)))].flatMap((d) => ['-CFLAGS', `-I${d}`]);
    const cacheWritable = writableCacheDir(cacheDir);
    const archive = await runtimeArchive(cacheDir);
    const haveRuntime = fs.existsSync(archive);
    const runtime = haveRuntime ? linkRuntime(archive) : [];
    const args = [...FLAGS, ...runtime, ...includes, ...designArgs(design), '--top-module', design.top, '--Mdir', objDir, '-o', exeName, ...design.verilog, ...design.testbench];
    const r = await runTool(verilator(), args, { timeoutMs: scaleForLoad(BUILD_TIMEOUT_MS), cwd: work, what: `building the Verilator simulation of ${design.top}` });
    const built = path.join(objDir, exeName);
    if (r.exitCode !== 0 || !isExecutable(built)) {
      const lines = `${r.stderr}\n${r.stdout}`.split('\n').filter((l) => /%(Error|Warning)|error:/.test(l));
      throw new Error(`Verilator could not build ${design.top} (exit ${r.exitCode}): ${(lines.length ? lines : [r.stderr.trim()]).slice(0, 8).join(' | ')}`);
    }
    if (cacheWritable && !haveRuntime) await saveRuntime(objDir, archive);
    const dir = cacheWritable ? cacheDir : makeTempDir('verilator-harness'); // no writable cache: kept for this run only
    const target = path.join(dir, path.basename(cached));
    const staging = `${target}.tmp-${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
    fs.copyFileSync(built, staging);
    fs.chmodSync(staging, 0o755);
    fs.renameSync(staging, target); // atomic: a concurrent build of the same design wins or loses whole
    return { executable: target, cached: false };
  } finally {
    removeTempDir(work);
  }
}

/** Run a harness with arguments; its stdout, or an error with its last words when it fails. */
export async function runVerilatorHarness(harness: VerilatorHarness, args: string[], what: string, timeoutMs = 120_000): Promise<string> {
  const tool: Tool = { command: harness.executable, debianPackage: 'verilator' };
  const r = await runTool(tool, args, { timeoutMs: scaleForLoad(timeoutMs), what });
  if (r.exitCode !== 0) throw new Error(`${what}: the simulation exited with code ${r.exitCode}: ${r.stderr.trim().split('\n').slice(-5).join(' | ')}`);
  return r.stdout;
}
