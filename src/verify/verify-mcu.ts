// Verify a model on an MCU target: generate C, build for the host and the target, run every vector on both,
// compare with the reference interpreter, and measure instructions, stack, flash and RAM.

import fs from 'node:fs';
import path from 'node:path';
import { bothBuilds, buildFirmware, buildHostHarness, flashFirmware, openHostSession, openQemuSession, openSerialSession, type CounterKind, type FlashChoice, type HarnessSession, type Optimize, type RunResult } from '../../hw-sim/index.js';
import { modelStats } from '../analysis/model-stats.js';
import { compareTensors, maxAbsDiff, type Tolerance } from '../conformance/compare.js';
import { compileToC, type CLibrary } from '../emit/c/compile-c.js';
import { checkConstantTimeMac } from '../emit/c/constant-time-mac.js';
import { targetEstimator } from '../cost/estimator.js';
import { checkFitsTarget } from '../emit/c/size-check.js';
import { staticInfo, type Graph } from '../ir/graph.js';
import { runGraph } from '../ir/interpreter.js';
import { Tensor } from '../ir/tensor.js';
import type { McuTarget } from '../targets/schema.js';
import { kernelDefines } from '../targets/flags.js';
import { makeTempDir, removeTempDir } from '../util/temp-dir.js';
import type { VectorSet } from './vectors.js';
import { firstBitDifference, sameOutputs, tensorBytes, tensorFromBytes } from './output-bits.js';
import { modelPrecision } from '../analysis/model-precision.js';
import type { PrecisionChoice } from '../targets/precision.js';
import { compareWithFloat, type FloatReference, type FloatReferenceReport } from './float-reference.js';
import { compareLayers, type TraceReport } from './layer-trace.js';
import { onTargetAccuracy, type OnTargetAccuracy } from './on-target-accuracy.js';
import { worstCaseVectors, type AdversarialOptions } from './adversarial-vectors.js';
import { worstCaseReport, type WorstCaseReport } from './worst-case-report.js';
import { measureStepCounts } from './step-counts.js';
import { counterResolution } from '../cost/check-independence.js';
import { calibrationPath } from '../cost/calibration.js';

/** C kernels sum in another order than the interpreter (and fuse multiply-adds): compared within this. */
export const C_TOLERANCE: Tolerance = { atol: 1e-4, rtol: 1e-4 };

export interface VerifyOptions {
  target: McuTarget;
  vectors: VectorSet;
  prefix?: string;
  optimize?: Optimize;
  /** A real board's serial port instead of QEMU. */
  port?: string;
  /** With `port`: program the firmware into the board through this probe first (verify --flash). */
  flash?: FlashChoice;
  tolerance?: Tolerance;
  /** Keep the build folder (its path is in the report). */
  keepBuild?: boolean;
  /** Progress lines for long runs. */
  log?: (line: string) => void;
  /** The precision the command chose, and why (for the report). */
  precision?: PrecisionChoice;
  /** The float model a quantized model came from: agreement and accuracy against it (verify --float-model). */
  floatModel?: FloatReference;
  /** verify --trace: build with a layer trace and compare every layer's output with the interpreter's (report.trace). */
  trace?: boolean;
  /**
   * Change the generated C files before they are built (tests: break a kernel or a weight on purpose, to check that
   * the trace names the layer). Never set by the CLI.
   */
  patchLibrary?: (files: Map<string, string>) => void;
  /**
   * verify --worst-case: also run the adversarial vectors (adversarial-vectors.ts; instructions only, their outputs are
   * not compared) and report the worst-case bound; a measured count above the bound fails the verification.
   */
  worstCase?: AdversarialOptions;
  /** verify --constant-time-mac: build the MAC kernels with the constant-time soft-float MAC (constant-time-mac.ts). */
  constantTimeMac?: boolean;
}

export interface VectorResult {
  index: number;
  passed: boolean;
  /** Largest |target − interpreter| over the outputs. */
  maxAbsError: number;
  /** Largest |target − expected| when the data gives expected outputs. */
  maxAbsErrorExpected: number | null;
  /** Host build and target build gave the same bytes. */
  hostBitIdentical: boolean;
  /** Every output has the interpreter's bits (any NaN matching any NaN). */
  bitExact: boolean;
  instructions: number | null;
  cycles: number | null;
  stackBytes: number | null;
  problem?: string;
}

export interface VerifyReport {
  passed: boolean;
  model: string;
  target: string;
  runOn: string;
  vectorSource: string;
  vectors: number;
  /** float32, or int8 for a quantized model, and why. */
  precision: PrecisionChoice;
  /**
   * How outputs are judged against the interpreter: within `tolerance` (float32: the C kernels sum in another order),
   * or bit-exact (int8: one integer semantics, docs/numerics.md "int8"; the float ends are one division and one product).
   */
  comparison: 'tolerance' | 'bit-exact';
  /** Built with --constant-time-mac (templates/c/lib/ep_mac_ct.h). */
  constantTimeMac: boolean;
  /** Vectors whose outputs have the interpreter's bits exactly (for an int8 model, all of them or the verification fails). */
  bitExactVectors: number;
  tolerance: Tolerance;
  maxAbsError: number;
  maxAbsErrorExpected: number | null;
  hostBitIdentical: boolean;
  /** Instructions per inference (the largest over the vectors), from QEMU's instruction count. */
  instructions: number | null;
  /** Cycles per inference on a real board. */
  cycles: number | null;
  macs: number;
  instructionsPerMac: number | null;
  /** An estimate: instructions × cycles per instruction ÷ clock (targets/<name>.json). */
  estimatedMs: number | null;
  estimateBasis: string;
  /** The model library alone (its code and weights) in the linked firmware. */
  flashBytes: number;
  weightBytes: number;
  codeBytes: number;
  /** The model library's static RAM (the arena included). */
  ramBytes: number;
  firmwareFlashBytes: number;
  firmwareRamBytes: number;
  arenaBytes: number;
  arenaLowerBoundBytes: number;
  /** Stack the inference used (the largest over the vectors). */
  stackBytes: number | null;
  durationsMs: { compile: number; build: number; run: number; total: number };
  buildDir: string | null;
  /** Against the float model (--float-model), or null. */
  floatReference: FloatReferenceReport | null;
  /** Labelled vectors (a classification data set): top-1 accuracy on the target and in the interpreter, agreement; else null. */
  accuracy: OnTargetAccuracy | null;
  results: VectorResult[];
  /** verify --trace only (absent otherwise): every layer of the target build compared with the interpreter, and the first that diverges. */
  trace?: TraceReport;
  /** verify --trace only: the same for the host build. */
  hostTrace?: TraceReport;
  /** verify --worst-case only: typical, worst measured on adversarial vectors, the bound (null: the target has no calibration). */
  worstCase?: WorstCaseReport | null;
}

/** How the report names a board's cycle counter. */
const COUNTER_NAMES: Record<CounterKind, string> = {
  'dwt-cycles': 'DWT cycles', 'systick-cycles': 'SysTick cycles', 'fpga-cycles': 'FPGA clock cycles', 'icount-systick': 'instructions', none: 'no counter',
};

function runAll(session: HarnessSession, vectors: VectorSet): Promise<RunResult[]> {
  return session.runMany(0, vectors.inputs.map((inputs) => inputs.map(tensorBytes)));
}

async function withSession<T>(open: Promise<HarnessSession>, use: (s: HarnessSession) => Promise<T>): Promise<T> {
  const session = await open;
  try {
    return await use(session);
  } finally {
    await session.close();
  }
}

/** verify --trace: every layer of the target build and of the host build against the interpreter's values. */
function traceBoth(
  lib: CLibrary, feeds: Record<string, Tensor>[], target: { runOn: string; runs: RunResult[] }, host: { runOn: string; runs: RunResult[] },
  exact: boolean, tolerance: Tolerance,
): { trace: TraceReport; hostTrace: TraceReport } {
  const references = feeds.map((f) => runGraph(lib.graph, f, { keepIntermediates: true }));
  const compare = (build: { runOn: string; runs: RunResult[] }) => compareLayers({
    graph: lib.graph, steps: lib.steps, runOn: build.runOn, exact, tolerance,
    runs: build.runs.map((run, index) => ({ trace: run.trace, reference: references[index] })),
  });
  return { trace: compare(target), hostTrace: compare(host) };
}

export async function verifyOnTarget(g: Graph, modelName: string, options: VerifyOptions): Promise<VerifyReport> {
  const started = performance.now();
  const log = options.log ?? (() => {});
  const tolerance = options.tolerance ?? C_TOLERANCE;
  const { target, vectors } = options;
  const exact = modelPrecision(g).precision === 'int8';
  const precision = options.precision ?? { precision: exact ? 'int8' : 'float32', reason: exact ? 'int8 (model is quantized)' : 'float32' };
  const constantTimeMac = options.constantTimeMac === true;
  if (constantTimeMac) checkConstantTimeMac(target, precision.precision);
  const compileOptions = { prefix: options.prefix, estimator: targetEstimator(options.target), target, constantTimeMac };
  const lib = compileToC(g, { ...compileOptions, trace: options.trace });
  options.patchLibrary?.(lib.files);
  checkFitsTarget(lib, target);
  const compiled = performance.now();
  const workDir = makeTempDir('verify', { keep: options.keepBuild });
  try {
    const modelDir = path.join(workDir, 'model');
    fs.mkdirSync(modelDir);
    for (const [name, text] of lib.files) fs.writeFileSync(path.join(modelDir, name), text);
    const model = { name: modelName.replace(/[^A-Za-z0-9_.-]/g, '_') || 'model', prefix: lib.view.prefix, dir: modelDir };
    log(`building for the host and for ${target.name} (-${options.optimize ?? 'O2'})`);
    const defines = { ...kernelDefines(target), ...(options.trace ? { EPHW_TRACE: '1' } : {}) };
    const hostBuild = buildHostHarness({ workDir: path.join(workDir, 'host'), models: [model], optimize: options.optimize, defines });
    const firmwareBuild = buildFirmware({ workDir: path.join(workDir, 'target'), models: [model], target, optimize: options.optimize, defines });
    const [host, firmware] = await bothBuilds(hostBuild, firmwareBuild);
    const built = performance.now();
    log(`running ${vectors.inputs.length} vector(s) on the host build`);
    const hostRuns = await withSession(openHostSession(host.exe), (s) => runAll(s, vectors));
    if (options.flash) {
      log(`flashing ${target.name} with ${options.flash.tool} through ${options.flash.probe}`);
      await flashFirmware({ elf: firmware.elf, target, ...options.flash });
    }
    const flashed = options.flash ? `, flashed with ${options.flash.tool} through ${options.flash.probe}` : '';
    const runOn = options.port ? `board on ${options.port}${flashed}` : `qemu ${target.emulator.machine}`;
    log(`running ${vectors.inputs.length} vector(s) on ${runOn}`);
    const open = options.port ? openSerialSession(options.port) : openQemuSession(firmware.elf, target, { transfer: 'files' });
    // int8: also the rounding ties of the input quantization (its longest path on Cortex-M3).
    const adversarial = options.worstCase ? worstCaseVectors(g, options.worstCase) : [];
    const allRuns = await withSession(open, (s) => runAll(s, { ...vectors, inputs: [...vectors.inputs, ...adversarial.map((a) => a.inputs)] }));
    const targetRuns = allRuns.slice(0, vectors.inputs.length);
    const adversarialRuns = allRuns.slice(vectors.inputs.length);
    const ran = performance.now();

    const outputs = g.outputs.map((o) => staticInfo(g, o.name));
    const targetOutputs = targetRuns.map((run) => outputs.map((o, k) => tensorFromBytes(run.outputs[k], o)));
    const feedsOf = (inputs: Tensor[]): Record<string, Tensor> => Object.fromEntries(g.inputs.map((v, i) => [v.name, inputs[i]]));
    /** The interpreter's first output per vector (for the on-target accuracy). */
    const referenceFirst: Tensor[] = [];
    const results: VectorResult[] = vectors.inputs.map((inputs, index) => {
      const reference = runGraph(g, feedsOf(inputs));
      referenceFirst.push(reference.get(outputs[0].name)!);
      const run = targetRuns[index];
      const hostRun = hostRuns[index];
      let maxAbsError = 0;
      let maxAbsErrorExpected: number | null = null;
      let bitExact = true;
      let problem: string | undefined;
      outputs.forEach((o, k) => {
        const got = targetOutputs[index][k];
        const want = reference.get(o.name)!;
        maxAbsError = Math.max(maxAbsError, maxAbsDiff(got, want));
        const difference = firstBitDifference(got, want);
        bitExact &&= difference === null;
        if (exact && difference) problem ??= `output '${o.name}' is not bit-exact with the interpreter: ${difference}`;
        else if (!exact) problem ??= compareTensors(got, want, tolerance) ?? undefined;
        const expected = vectors.expected?.[index]?.[k];
        if (expected) {
          maxAbsErrorExpected = Math.max(maxAbsErrorExpected ?? 0, maxAbsDiff(got, expected));
          const vsExpected = compareTensors(got, expected, tolerance);
          if (vsExpected) problem ??= `output '${o.name}' vs the expected data: ${vsExpected}`;
        }
      });
      const hostBitIdentical = run.outputs.every((bytes, k) => sameOutputs(bytes, hostRun.outputs[k], outputs[k].dtype));
      if (run.status !== 0) problem ??= `the model returned status ${run.status}`;
      if (!hostBitIdentical) problem ??= 'the host build and the target build gave different bits';
      return {
        index, passed: !problem, maxAbsError, maxAbsErrorExpected, hostBitIdentical, bitExact,
        instructions: run.instructions, cycles: run.cycles, stackBytes: run.stackBytes, problem,
      };
    });

    const maxOf = (xs: (number | null)[]) => (xs.some((x) => x === null) ? null : Math.max(...(xs as number[])));
    const instructions = maxOf(results.map((r) => r.instructions));
    const cycles = maxOf(results.map((r) => r.cycles));
    const macs = modelStats(g).totals.macs;
    const linked = firmware.linkedSizes[model.name] ?? { text: 0, data: 0, bss: 0 };
    const estimatedMs = cycles !== null
      ? (cycles / target.clockHz) * 1000
      : instructions !== null ? ((instructions * target.cyclesPerInstruction) / target.clockHz) * 1000 : null;
    let worstCase: WorstCaseReport | null | undefined;
    if (options.worstCase) {
      // The per-step counts: the same library with step marks, in a firmware of its own (step-counts.ts).
      const marked = compileToC(g, { ...compileOptions, stepMarks: true });
      options.patchLibrary?.(marked.files);
      worstCase = await measuredWorstCase(lib, marked, model.name, path.join(workDir, 'steps'), target, vectors, targetRuns, adversarial, adversarialRuns, log);
    }
    const expectedErrors = results.map((r) => r.maxAbsErrorExpected).filter((e): e is number => e !== null);
    return {
      passed: results.every((r) => r.passed) && (worstCase?.holds ?? true),
      model: modelName,
      target: target.name,
      runOn,
      vectorSource: vectors.source,
      vectors: results.length,
      precision,
      comparison: exact ? 'bit-exact' : 'tolerance',
      constantTimeMac,
      bitExactVectors: results.filter((r) => r.bitExact).length,
      tolerance,
      maxAbsError: Math.max(0, ...results.map((r) => r.maxAbsError)),
      maxAbsErrorExpected: expectedErrors.length ? Math.max(...expectedErrors) : null,
      hostBitIdentical: results.every((r) => r.hostBitIdentical),
      instructions,
      cycles,
      macs,
      instructionsPerMac: instructions !== null && macs > 0 ? instructions / macs : null,
      estimatedMs,
      estimateBasis: cycles !== null
        ? `measured on the board: ${COUNTER_NAMES[targetRuns[0].counter]}, ms = cycles / ${target.clockHz / 1e6} MHz`
        : `estimate: instructions × ${target.cyclesPerInstruction} cycles/instruction at ${target.clockHz / 1e6} MHz (targets/${target.name}.json)`,
      flashBytes: linked.text + linked.data,
      weightBytes: lib.view.weightBytes,
      codeBytes: linked.text + linked.data - lib.view.weightBytes,
      ramBytes: linked.data + linked.bss,
      firmwareFlashBytes: firmware.flashBytes,
      firmwareRamBytes: firmware.ramBytes,
      arenaBytes: lib.plan.arenaBytes,
      arenaLowerBoundBytes: lib.plan.lowerBoundBytes,
      stackBytes: maxOf(results.map((r) => r.stackBytes)),
      durationsMs: { compile: compiled - started, build: built - compiled, run: ran - built, total: performance.now() - started },
      buildDir: options.keepBuild ? workDir : null,
      floatReference: options.floatModel ? compareWithFloat(options.floatModel, vectors, targetOutputs) : null,
      accuracy: onTargetAccuracy(vectors.labels, targetOutputs.map((o) => o[0]), referenceFirst),
      results,
      ...(worstCase !== undefined ? { worstCase } : {}),
      ...(options.trace ? traceBoth(lib, vectors.inputs.map(feedsOf), { runOn, runs: targetRuns }, { runOn: 'host build', runs: hostRuns }, exact, tolerance) : {}),
    };
  } finally {
    if (!options.keepBuild) removeTempDir(workDir);
  }
}

/**
 * The worst-case section from the runs and a step-marks build's per-step counts of the same vectors (null without an
 * instruction count or a calibration).
 */
async function measuredWorstCase(
  lib: CLibrary, marked: CLibrary, name: string, workDir: string, target: McuTarget, vectors: VectorSet, typicalRuns: RunResult[],
  adversarial: { name: string; inputs: Tensor[] }[], adversarialRuns: RunResult[], log: (line: string) => void,
): Promise<WorstCaseReport | null> {
  const counts = [...typicalRuns, ...adversarialRuns].map((r) => r.instructions);
  if (counts.some((c) => c === null) || !fs.existsSync(calibrationPath(target))) return null;
  const modelDir = path.join(workDir, 'model');
  fs.mkdirSync(modelDir, { recursive: true });
  for (const [file, text] of marked.files) fs.writeFileSync(path.join(modelDir, file), text);
  const inputs = [...vectors.inputs, ...adversarial.map((a) => a.inputs)].map((list) => list.map(tensorBytes));
  log(`per-step counts: a step-marks build for ${target.name}, ${inputs.length} vector(s)`);
  const [steps] = await measureStepCounts({
    workDir: path.join(workDir, 'target'), models: [{ name, prefix: marked.view.prefix, dir: modelDir }], target, resolution: counterResolution(target),
    runs: [{ model: 0, steps: lib.steps.filter((s) => s.calls.length).length, vectors: inputs }],
  });
  return worstCaseReport(
    lib, target,
    vectors.inputs.map((inputs, i) => ({ inputs, instructions: typicalRuns[i].instructions! })),
    adversarial.map((a, i) => ({ ...a, instructions: adversarialRuns[i].instructions! })),
    steps,
  );
}
