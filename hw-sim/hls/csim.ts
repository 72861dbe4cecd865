// C simulation of HLS C++ with g++: the core and its testbench (src/emit/hls/) compiled as C++17 with -Wall -Wextra
// -Werror (the HLS pragmas ignored: -Wno-unknown-pragmas, as Vitis' own C simulation does) into one executable, kept
// in the per-user cache ($XDG_CACHE_HOME/edgeprune/hls-csim) under a key of every source's content, the flags and
// g++'s version, so that the second run of the same design is a lookup; then run on a vectors file.

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../../src/errors.js';
import { makeTempDir, removeTempDir } from '../../src/util/temp-dir.js';
import { runTool, toolVersion, type Tool } from '../build/tools.js';
import { guardCacheDir, writableCacheDir } from '../guard/guard.js';
import { scaleForLoad } from '../load.js';

export function gxx(): Tool {
  return { command: 'g++', debianPackage: 'g++' };
}

/** The flags of the C simulation build: standard C++17, warnings as errors, light optimization. */
export const CSIM_FLAGS = ['-std=c++17', '-O1', '-Wall', '-Wextra', '-Werror', '-Wno-unknown-pragmas'];

const BUILD_TIMEOUT_MS = 300_000;

export interface CsimSources {
  /** A name for messages and the cached executable (letters, digits, _). */
  name: string;
  /** File name → content: the .cpp files are compiled, the others (headers) sit beside them. */
  files: Map<string, string>;
}

export interface CsimExecutable {
  executable: string;
  /** Found in the cache: nothing was compiled. */
  cached: boolean;
  /** Time spent compiling (0 when cached). */
  buildMs: number;
}

let versionOnce: Promise<string | null> | undefined;

async function gxxVersion(): Promise<string> {
  versionOnce ??= toolVersion(gxx());
  const version = await versionOnce;
  if (!version) {
    throw new UserError("'g++' was not found: the HLS C simulation compiles the generated C++ with it", 'install the Debian package g++ (sudo apt-get install -y g++)');
  }
  return version;
}

function cacheKey(version: string, sources: CsimSources): string {
  const hash = crypto.createHash('sha256').update(version).update('\0').update(CSIM_FLAGS.join('\0'));
  for (const [name, text] of [...sources.files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) hash.update('\0').update(name).update('\0').update(text);
  return hash.digest('hex').slice(0, 24);
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}


/** Compile (or find in the cache) the C simulation executable of these sources. */
export async function buildCsim(sources: CsimSources): Promise<CsimExecutable> {
  if (!/^[A-Za-z0-9_]+$/.test(sources.name)) throw new Error(`C simulation name ${JSON.stringify(sources.name)}: letters, digits and _ only`);
  for (const name of sources.files.keys()) if (!/^[A-Za-z0-9_]+\.(cpp|h)$/.test(name)) throw new Error(`C simulation file ${JSON.stringify(name)}: not a plain .cpp or .h name`);
  const version = await gxxVersion();
  const cacheDir = path.join(guardCacheDir(), 'hls-csim');
  const cached = path.join(cacheDir, `${sources.name}-${cacheKey(version, sources)}`);
  if (isExecutable(cached)) return { executable: cached, cached: true, buildMs: 0 };
  const work = makeTempDir('hls-csim');
  try {
    for (const [name, text] of sources.files) fs.writeFileSync(path.join(work, name), text);
    const units = [...sources.files.keys()].filter((f) => f.endsWith('.cpp')).sort();
    const t0 = Date.now();
    const r = await runTool(gxx(), [...CSIM_FLAGS, '-o', 'csim', ...units], { timeoutMs: scaleForLoad(BUILD_TIMEOUT_MS), cwd: work, what: `compiling the HLS C simulation of ${sources.name}` });
    const buildMs = Date.now() - t0;
    const built = path.join(work, 'csim');
    if (r.exitCode !== 0 || !isExecutable(built)) {
      const lines = r.stderr.split('\n').filter((l) => /error/.test(l));
      throw new Error(`g++ could not build the HLS C simulation of ${sources.name} (exit ${r.exitCode}): ${(lines.length ? lines : [r.stderr.trim()]).slice(0, 8).join(' | ')}`);
    }
    const dir = writableCacheDir(cacheDir) ? cacheDir : makeTempDir('hls-csim-exe'); // no writable cache: kept for this run only
    const target = path.join(dir, path.basename(cached));
    const staging = `${target}.tmp-${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
    fs.copyFileSync(built, staging);
    fs.chmodSync(staging, 0o755);
    fs.renameSync(staging, target); // atomic: a concurrent build of the same sources wins or loses whole
    return { executable: target, cached: false, buildMs };
  } finally {
    removeTempDir(work);
  }
}

export interface CsimRun {
  /** Per vector, every traced layer's output (layer index → values). */
  traces: number[][][];
  /** Per vector, the top's output. */
  outputs: number[][];
  /** Vectors the testbench found wrong on its own (the top against the last layer, or the expected outputs). */
  failures: number;
  runMs: number;
}

const SENTINEL = 'EP_HLS_TB ';

/** Run the testbench on vector lines (emit-hls.ts vectorLine); `layers` is the number of traced layers. */
export async function runCsim(exe: CsimExecutable, vectorLines: string[], layers: number): Promise<CsimRun> {
  const work = makeTempDir('hls-csim-run');
  try {
    const file = path.join(work, 'vectors.txt');
    fs.writeFileSync(file, `${vectorLines.join('\n')}\n`);
    const t0 = Date.now();
    const tool: Tool = { command: exe.executable, debianPackage: 'g++' };
    const r = await runTool(tool, [file], { timeoutMs: scaleForLoad(300_000), what: 'running the HLS C simulation' });
    const runMs = Date.now() - t0;
    let summary: { vectors: number; failures: number } | undefined;
    const traces: number[][][] = [];
    const outputs: number[][] = [];
    for (const line of r.stdout.split('\n')) {
      if (line.startsWith(SENTINEL)) summary = JSON.parse(line.slice(SENTINEL.length)) as { vectors: number; failures: number };
      else if (line.startsWith('t ')) {
        const [, k, ...values] = line.split(' ');
        const layer = Number(k);
        if (layer === 0) traces.push([]);
        traces[traces.length - 1][layer] = values.map(Number);
      } else if (line === 'o' || line.startsWith('o ')) outputs.push(line.split(' ').slice(1).map(Number));
    }
    if (!summary) throw new Error(`the HLS C simulation printed no '${SENTINEL.trim()}' line (exit ${r.exitCode}): ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
    if (summary.vectors !== vectorLines.length || outputs.length !== vectorLines.length || traces.some((t) => t.length !== layers)) {
      throw new Error(`the HLS C simulation ran ${summary.vectors} vectors with ${outputs.length} outputs, expected ${vectorLines.length} with ${layers} layers each`);
    }
    return { traces, outputs, failures: summary.failures, runMs };
  } finally {
    removeTempDir(work);
  }
}
