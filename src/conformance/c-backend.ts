// The ONNX node tests through the C backend: every case compiled into one host program and one firmware.

import fs from 'node:fs';
import path from 'node:path';
import { bothBuilds, buildFirmware, buildHostHarness, openHostSession, openQemuSession, type HarnessSession, type ModelLibrary } from '../../hw-sim/index.js';
import { compileToC, KERNEL_DIR, libraryFileNames } from '../emit/c/compile-c.js';
import { errorMessage, UserError } from '../errors.js';
import { Tensor } from '../ir/tensor.js';
import { kernelDefines } from '../targets/flags.js';
import type { McuTarget } from '../targets/schema.js';
import { makeTempDir } from '../util/temp-dir.js';
import { C_TOLERANCE } from '../verify/verify-mcu.js';
import { tensorFromBytes } from '../verify/output-bits.js';
import { compareTensors, type Tolerance } from './compare.js';
import { listCases, loadCaseModel, readSkipList, readTestDataSets, toleranceFor, type TestDataSet } from './node-tests.js';
import { NODE_TESTS_DIR, SKIP_LIST_FILE } from './paths.js';

export type CCaseStatus = 'passed' | 'failed' | 'refused';

export interface CCaseOutcome {
  name: string;
  status: CCaseStatus;
  reason?: string;
}

export interface CConformance {
  host: CCaseOutcome[];
  /** Present when a target was given. */
  target?: CCaseOutcome[];
  targetName?: string;
}

export interface CompiledCase {
  name: string;
  library: ModelLibrary;
  feeds: Uint8Array[];
  expected: Tensor[];
  tolerance: Tolerance;
}

const looser = (a: Tolerance, b: Tolerance): Tolerance => ({ atol: Math.max(a.atol, b.atol), rtol: Math.max(a.rtol, b.rtol) });

function bytesOf(t: Tensor): Uint8Array {
  return new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength).slice();
}

/** Compile every case that the C backend takes; the others are refused with the compiler's reason. */
function compileCases(cases: string[], workDir: string): { compiled: CompiledCase[]; refused: CCaseOutcome[]; failed: CCaseOutcome[] } {
  const compiled: CompiledCase[] = [];
  const refused: CCaseOutcome[] = [];
  const failed: CCaseOutcome[] = [];
  cases.forEach((name, i) => {
    const caseDir = path.join(NODE_TESTS_DIR, name);
    try {
      const sets: TestDataSet[] = readTestDataSets(caseDir);
      const set = sets[0];
      const { graph, feeds } = loadCaseModel(caseDir, set, { parameters: true });
      const prefix = `c${i}`;
      const lib = compileToC(graph, { prefix });
      const dir = path.join(workDir, prefix);
      fs.mkdirSync(dir);
      for (const file of [lib.names.header, lib.names.source, lib.names.weights]) fs.writeFileSync(path.join(dir, file), lib.files.get(file)!);
      compiled.push({
        name,
        library: { name, prefix, dir },
        feeds: graph.inputs.map((v) => bytesOf(feeds[v.name])),
        expected: set.outputs,
        tolerance: looser(toleranceFor(name), C_TOLERANCE),
      });
    } catch (e) {
      if (e instanceof UserError && /not supported by the C backend/.test(e.message)) refused.push({ name, status: 'refused', reason: e.message });
      else failed.push({ name, status: 'failed', reason: `compile: ${errorMessage(e)}` });
    }
  });
  return { compiled, refused, failed };
}

/** Fresh sessions a run may open after one ended (a timeout or a fault ends a session). */
const MAX_SESSION_RESTARTS = 3;

/**
 * Run every case in one session; when the session ends on a case (a timeout, e.g. an emulator starved of CPU, or a
 * fault), open a fresh one and retry that case once, then go on: a case fails alone, not every case after it.
 */
export async function runCases(open: () => Promise<HarnessSession>, cases: CompiledCase[], reference?: Map<string, Uint8Array[]>): Promise<{ outcomes: CCaseOutcome[]; outputs: Map<string, Uint8Array[]> }> {
  const outcomes: CCaseOutcome[] = [];
  const outputs = new Map<string, Uint8Array[]>();
  let session = await open();
  let restarts = 0;
  try {
    for (let i = 0; i < cases.length; i++) {
      const c = cases[i];
      let run: Awaited<ReturnType<HarnessSession['run']>> | undefined;
      let error: unknown;
      for (let attempt = 0; attempt < 2 && !run; attempt++) {
        try {
          run = await session.run(c.name, c.feeds);
        } catch (e) {
          error = e;
          await session.close();
          if (restarts >= MAX_SESSION_RESTARTS) {
            outcomes.push({ name: c.name, status: 'failed', reason: errorMessage(e) });
            for (const rest of cases.slice(i + 1)) outcomes.push({ name: rest.name, status: 'failed', reason: `not run: ${MAX_SESSION_RESTARTS} sessions ended before it (last at ${c.name})` });
            return { outcomes, outputs };
          }
          restarts++;
          session = await open();
        }
      }
      if (!run) {
        outcomes.push({ name: c.name, status: 'failed', reason: `${errorMessage(error)} (twice, in fresh sessions)` });
        continue;
      }
      outputs.set(c.name, run.outputs);
      let problem: string | null = run.status === 0 ? null : `status ${run.status}`;
      c.expected.forEach((want, k) => {
        problem ??= compareTensors(tensorFromBytes(run.outputs[k], want), want, c.tolerance);
      });
      const hostBytes = reference?.get(c.name);
      if (hostBytes && !run.outputs.every((b, k) => Buffer.from(b).equals(Buffer.from(hostBytes[k])))) problem ??= 'differs in bits from the host build';
      outcomes.push(problem ? { name: c.name, status: 'failed', reason: problem } : { name: c.name, status: 'passed' });
    }
  } finally {
    await session.close();
  }
  return { outcomes, outputs };
}

/** Models compiled together in one translation unit: the kernel headers are parsed once per group. */
const UNITY_GROUP = 24;

/**
 * Group the libraries into unity files (`#include "c7/c7.c"` ...): every symbol of a generated
 * library is prefixed, so they compile together, several times faster than one compiler run each.
 */
function unityBuild(cases: CompiledCase[], workDir: string): ModelLibrary[] {
  return cases.map((c, i) => {
    if (i % UNITY_GROUP !== 0) return { ...c.library, sources: [] };
    const group = cases.slice(i, i + UNITY_GROUP);
    const file = path.join(workDir, `unity_${i / UNITY_GROUP}.c`);
    const lines = group.flatMap((g) => {
      const names = libraryFileNames(g.library.prefix);
      return [`#include "${g.library.prefix}/${names.source}"`, `#include "${g.library.prefix}/${names.weights}"`];
    });
    fs.writeFileSync(file, `/* ${group.length} generated model libraries in one translation unit. */\n${lines.join('\n')}\n`);
    return { ...c.library, sources: [file] };
  });
}

/** Every non-skipped case: compiled, run on the host build, and (with a target) on the emulated board. */
export async function runCConformance(options: { target?: McuTarget; filter?: string; log?: (line: string) => void } = {}): Promise<CConformance> {
  const log = options.log ?? (() => {});
  const skips = readSkipList(SKIP_LIST_FILE);
  const cases = listCases(NODE_TESTS_DIR).filter((c) => !skips.has(c) && (!options.filter || c.includes(options.filter)));
  const workDir = makeTempDir('c-conformance');
  try {
    const { compiled, refused, failed } = compileCases(cases, workDir);
    log(`C backend: ${compiled.length} cases compiled, ${refused.length} refused, ${failed.length} failed to compile`);
    const models = unityBuild(compiled, workDir);
    // (the host computes as the target, whose outputs must have its bits: kernelDefines)
    const defines = options.target ? kernelDefines(options.target) : undefined;
    const [host, firmware] = await bothBuilds(
      buildHostHarness({ workDir: path.join(workDir, 'host-build'), models, includeDirs: [KERNEL_DIR], defines }),
      options.target ? buildFirmware({ workDir: path.join(workDir, 'target-build'), models, target: options.target, includeDirs: [KERNEL_DIR], defines }) : Promise.resolve(undefined),
    );
    const hostRun = await runCases(() => openHostSession(host.exe), compiled);
    const result: CConformance = { host: [...hostRun.outcomes, ...refused, ...failed] };
    if (options.target && firmware) {
      const target = options.target;
      // (run data through semihosting files, as verify: over the UART each case waits on QEMU's ~85 µs a byte while the
      // guest spins polling it, a core's worth of CPU; test/hw-sim/qemu.test.ts checks the UART path gives the same runs)
      const targetRun = await runCases(() => openQemuSession(firmware.elf, target, { transfer: 'files' }), compiled, hostRun.outputs);
      result.target = [...targetRun.outcomes, ...refused, ...failed];
      result.targetName = target.name;
    }
    return result;
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

export function summarize(outcomes: CCaseOutcome[]): { passed: number; failed: number; refused: number } {
  const count = (s: CCaseStatus) => outcomes.filter((o) => o.status === s).length;
  return { passed: count('passed'), failed: count('failed'), refused: count('refused') };
}
