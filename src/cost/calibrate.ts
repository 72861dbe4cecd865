// Calibrate the cost model for a target: run the calibration suite (src/cost/suite.ts) in QEMU (many
// tiny models per firmware, one session per firmware), then fit each kernel key's instruction and
// code-size terms by non-negative least squares, and write targets/calibration/<target>.json.

import { armGcc, toolVersion, type Optimize } from '../../hw-sim/index.js';
import type { CArg } from '../emit/c/c-step.js';
import { UserError } from '../errors.js';
import { staticInfo } from '../ir/graph.js';
import { shapeSize } from '../ir/tensor.js';
import type { McuTarget } from '../targets/schema.js';
import { calibrationPath, CALIBRATION_FORMAT, currentKernelHeaders, roundSignificant, staleKeys, writeCalibrationFile, type Calibration, type KernelCalibration } from './calibration.js';
import { fitTerms, type FitRow } from './fit.js';
import { valueZeroFractions } from './activation-zeros.js';
import { addTerms, analyzeCall, KERNEL_MODELS, kernelContextOfCore, type KernelContext } from './kernels.js';
import { lowerForCost } from './lowered.js';
import { weightArrayBytes } from './weight-bytes.js';
import { measureSuiteCases, type Measurement } from './measure.js';
import { calibrationSuite, type SuiteCase } from './suite.js';
import { compareStrings } from '../util/compare.js';
import type { JobRunner } from '../jobs/runner.js';
import { measureWithJobs } from './calibrate-jobs.js';

export interface CalibrateOptions {
  optimize?: Optimize;
  /** Where to write (default targets/calibration/<target>.json); null: do not write. */
  file?: string | null;
  log?: (line: string) => void;
  /** Only the cases whose name starts with one of these (tests, debugging); the fit then covers only their keys. */
  only?: string[];
  /**
   * Update this calibration (the target's current one) instead of replacing it: the keys the selected cases cover are
   * refitted, the others kept. Refused when a kept key's kernel headers changed since it was fitted, or when the
   * compiler or the optimization level differ (their fits would not match the new ones).
   */
  update?: Calibration;
  /** Measure through these workers (batches of cases as jobs, cost/calibrate-jobs.ts) instead of in this process: the same file. */
  runner?: JobRunner;
  /** With `runner`: suite cases per job (default CALIBRATE_BATCH_CASES). */
  jobCases?: number;
}

export interface KernelFitReport {
  key: string;
  cases: number;
  instructionsMaxError: number;
  instructionsRmsError: number;
  codeMaxErrorBytes: number;
  codeRmsErrorBytes: number;
}

export interface CalibrationRun {
  calibration: Calibration;
  file: string | null;
  fits: KernelFitReport[];
  cases: number;
  durationMs: { measure: number; total: number };
}

/** Instructions below this count weigh as if they were this many in the relative fit (counter resolution). */
const TIME_FLOOR = 1000;
const CODE_FLOOR = 64;

const WEIGHT_ALIGN = 8;

/** Flash of the weight arrays of a lowered program, 8-byte aligned each (as predict counts them). */
function weightFlash(calls: { args: CArg[] }[]): number {
  const seen = new Set<string>();
  let offset = 0;
  for (const c of calls) {
    for (const a of c.args) {
      if (a.kind !== 'weight' || seen.has(a.weight.key)) continue;
      seen.add(a.weight.key);
      offset = Math.ceil(offset / WEIGHT_ALIGN) * WEIGHT_ALIGN + weightArrayBytes(a);
    }
  }
  return offset;
}

async function compilerVersion(): Promise<string> {
  return (await toolVersion(armGcc())) ?? 'arm-none-eabi-gcc (unknown version)';
}

function about(target: McuTarget): string[] {
  const lines = [
    `Cost-model calibration of edgeprune for target '${target.name}' (${target.description}).`,
    'Written by `edgeprune calibrate --target <name>` (src/cost/calibrate.ts); deterministic: QEMU instruction counts repeat exactly and the suite is seeded. Do not edit by hand.',
    'Instructions per inference = library.instructions + the sum over the kernel calls of the steps of sum(kernels[key].instructions[term] x count(term)).',
    'Flash of the model library = library.flashBytes (+ flashBytesPerIo per input/output beyond one each) + library.sharedCode (functions linked once per library, each counted when a kernel that calls it is used: the soft-float multiply then add) + weights (each array 8-byte aligned) + the sum over calls of sum(kernels[key].codeBytes[term] x measure(term)).',
    'RAM = the arena of the memory plan + the largest stackBytes of the keys used. Time is an estimate: instructions x cyclesPerInstruction / clockHz of the target file.',
    'The counts come from the calls\' literal arguments by mirroring each kernel\'s loops (src/cost/kernels.ts). Modelled kernels and terms:',
  ];
  for (const k of KERNEL_MODELS.values()) lines.push(`- ${k.kernel} [${k.keys.join(', ')}]: ${k.formula}`);
  lines.push(
    'Not modelled: data-dependent paths beyond the calibration data (transcendental ops are calibrated on standard-normal inputs, Pow on general exponents), gcc register-allocation moves in some conv tiles (the main source of the residual error), grouped convs whose group loop gcc unrolls (code size).',
    'Kernels without a formula (a new kernel, e.g. sparse ones before they are added) make predictCost throw, or with { unknownKernels: \'fallback\' } use fallback: the most instructions per MAC of any conv/dense case and the largest code of any case.',
  );
  return lines;
}

interface CaseAnalysis {
  c: SuiteCase;
  m: Measurement;
  key: string | null;
  time: Record<string, number>;
  code: Record<string, number>;
  macs: number;
  weights: number;
  io: number;
}

function analyzeCase(c: SuiteCase, m: Measurement, ctx: KernelContext): CaseAnalysis {
  const prog = lowerForCost(c.graph, { sparse: c.sparse });
  // Zero products (zero inputs, zero weights kept by the dense kernels) are their own term: cheaper in soft float.
  const zeros = valueZeroFractions(c.graph, m.vectors);
  const calls = prog.steps.flatMap((s) => s.calls);
  const time: Record<string, number> = {};
  const code: Record<string, number> = {};
  let key: string | null = null;
  let macs = 0;
  for (const call of calls) {
    const use = analyzeCall(call, (name) => zeros.get(name), ctx);
    if (key !== null && use.key !== key) throw new Error(`calibration case '${c.name}' mixes kernel keys ${key} and ${use.key}`);
    key = use.key;
    addTerms(time, use.time);
    addTerms(code, use.code);
    macs += use.macs;
  }
  return { c, m, key, time, code, macs, weights: weightFlash(calls), io: prog.graph.inputs.length + prog.graph.outputs.length };
}

const r6 = (rec: Record<string, number>) => Object.fromEntries(Object.entries(rec).map(([k, v]) => [k, roundSignificant(v)]));

/** Run the calibration suite on `target` in QEMU, fit every kernel key, and write the calibration file. */
export async function calibrateTarget(target: McuTarget, options: CalibrateOptions = {}): Promise<CalibrationRun> {
  const started = performance.now();
  const log = options.log ?? (() => {});
  const optimize = options.optimize ?? 'O2';
  let suite = calibrationSuite();
  if (options.only) {
    const all = suite;
    suite = suite.filter((c) => c.name.startsWith('view.') || options.only!.some((p) => c.name.startsWith(p)));
    // Before any firmware is built: prefixes that select no kernel case would measure the library alone, then fail.
    if (suite.every((c) => c.name.startsWith('view.'))) {
      const prefixes = [...new Set(all.map((c) => `${c.name.split('.')[0]}.`))].filter((p) => p !== 'view.');
      throw new UserError(`--only ${options.only.join(',') || "''"} selects no case of the calibration suite`, `give prefixes of its case names, e.g. ${prefixes.join(', ')}`);
    }
  }
  log(`calibrating ${target.name}: ${suite.length} models on qemu ${target.emulator.machine}`);
  const measured = options.runner ? await measureWithJobs(options.runner, target, suite, optimize, log, { batchCases: options.jobCases }) : await measureSuiteCases(target, suite, { optimize, log });
  const measuredAt = performance.now();
  const ctx = kernelContextOfCore(target.core, target.fpu !== null);
  const cases = suite.map((c, i) => analyzeCase(c, measured[i], ctx));

  const view1 = cases.find((a) => a.c.name === 'view.1')!;
  const view2 = cases.find((a) => a.c.name === 'view.2')!;
  const library = {
    instructions: view1.m.instructions,
    flashBytes: view1.m.flashBytes,
    flashBytesPerIo: (view2.m.flashBytes - view1.m.flashBytes) / (view2.io - view1.io),
    stackBytes: view1.m.stackBytes,
  };
  const libFlash = (io: number) => library.flashBytes + library.flashBytesPerIo * Math.max(0, io - 2);
  // Shared functions (the soft-float multiply then add) are linked once per library: their bytes come off every case's
  // code and are counted once in predictions (library.sharedCode).
  const sharedCode: Record<string, number> = {};
  for (const a of cases) for (const [f, bytes] of Object.entries(a.m.sharedCode ?? {})) sharedCode[f] = Math.max(sharedCode[f] ?? 0, bytes);
  const sharedBytes = (a: CaseAnalysis) => Object.values(a.m.sharedCode ?? {}).reduce((s, b) => s + b, 0);

  const byKey = new Map<string, CaseAnalysis[]>();
  for (const a of cases) {
    if (a.key === null) continue;
    const list = byKey.get(a.key) ?? [];
    list.push(a);
    byKey.set(a.key, list);
  }
  const kernels: Record<string, KernelCalibration> = {};
  const fits: KernelFitReport[] = [];
  let perMac = 0;
  let perElement = 0;
  let maxCode = 0;
  let maxStack = library.stackBytes;
  for (const [key, list] of [...byKey].sort(([a], [b]) => compareStrings(a, b))) {
    const model = [...KERNEL_MODELS.values()].find((k) => k.keys.includes(key))!;
    const timeRows: FitRow[] = list.map((a) => ({ terms: a.time, y: a.m.instructions - library.instructions }));
    const codeRows: FitRow[] = list.map((a) => ({ terms: a.code, y: a.m.flashBytes - a.weights - libFlash(a.io) - sharedBytes(a) }));
    const t = fitTerms(model.timeTerms, timeRows, TIME_FLOOR);
    const c = fitTerms(model.codeTerms, codeRows, CODE_FLOOR);
    const codeErrors = codeRows.map((r) => Math.abs(model.codeTerms.reduce((s, term) => s + c.coefficients[term] * (r.terms[term] ?? 0), 0) - r.y));
    const stackBytes = Math.max(...list.map((a) => a.m.stackBytes));
    kernels[key] = {
      instructions: r6(t.coefficients),
      codeBytes: r6(c.coefficients),
      stackBytes,
      fit: {
        cases: list.length,
        instructionsMaxError: roundSignificant(t.maxRelError, 4),
        instructionsRmsError: roundSignificant(t.rmsRelError, 4),
        codeMaxErrorBytes: roundSignificant(Math.max(...codeErrors), 4),
        codeRmsErrorBytes: roundSignificant(Math.sqrt(codeErrors.reduce((s, e) => s + e * e, 0) / codeErrors.length), 4),
      },
    };
    fits.push({ key, ...kernels[key].fit });
    for (const [i, a] of list.entries()) {
      if (a.macs > 0 && /conv2d|dense/.test(key)) perMac = Math.max(perMac, timeRows[i].y / a.macs);
      const outElements = a.c.graph.outputs.reduce((s, o) => s + shapeSize(staticInfo(a.c.graph, o.name).shape), 0);
      if (a.macs === 0 && !/POW|TANH|ERF|EXP|LOG|SIGMOID|softmax/.test(key)) perElement = Math.max(perElement, timeRows[i].y / Math.max(1, outElements));
      maxCode = Math.max(maxCode, codeRows[i].y);
    }
    maxStack = Math.max(maxStack, stackBytes);
  }
  if (byKey.size === 0) throw new UserError('the calibration suite selected no kernel cases');
  const compiler = `${await compilerVersion()} -${optimize} ${['-mcpu=' + target.core, target.fpu ? `-mfpu=${target.fpu} -mfloat-abi=hard` : '-mfloat-abi=soft'].join(' ')}`;
  let fallback = { instructionsPerMac: roundSignificant(perMac), instructionsPerElement: roundSignificant(perElement), codeBytes: Math.round(maxCode), stackBytes: maxStack };
  const old = options.update;
  if (old) {
    const kept = Object.keys(old.kernels).filter((k) => !(k in kernels));
    const stale = staleKeys(old, kept);
    if (old.compiler !== compiler || old.optimize !== optimize) {
      throw new UserError(`cannot update the calibration of ${target.name}: it was made with '${old.compiler}', now '${compiler}'`, `recalibrate all of it: edgeprune calibrate --target ${target.name}`);
    }
    if (stale.length) throw new UserError(`cannot update the calibration of ${target.name}: the kernels of ${stale.join(', ')} changed since it was made and are not in the selected cases`, `recalibrate all of it: edgeprune calibrate --target ${target.name}`);
    for (const k of kept) kernels[k] = old.kernels[k];
    for (const [f, bytes] of Object.entries(old.library.sharedCode ?? {})) sharedCode[f] ??= bytes;
    fallback = {
      instructionsPerMac: Math.max(fallback.instructionsPerMac, old.fallback.instructionsPerMac),
      instructionsPerElement: Math.max(fallback.instructionsPerElement, old.fallback.instructionsPerElement),
      codeBytes: Math.max(fallback.codeBytes, old.fallback.codeBytes),
      stackBytes: Math.max(fallback.stackBytes, old.fallback.stackBytes),
    };
  }

  const calibration: Calibration = {
    format: CALIBRATION_FORMAT,
    about: about(target),
    target: target.name,
    measuredOn: `qemu-system-arm -M ${target.emulator.machine} -icount shift=0 (instructions from SysTick at ${target.emulator.systickHz / 1e6} MHz: resolution ${roundSignificant(1e9 / target.emulator.systickHz, 4)} instructions)`,
    compiler,
    optimize,
    kernelHeaders: currentKernelHeaders(true),
    library: Object.keys(sharedCode).length ? { ...library, sharedCode } : library,
    fallback,
    kernels: Object.fromEntries(Object.entries(kernels).sort(([a], [b]) => compareStrings(a, b))),
  };
  const file = options.file === null ? null : options.file ?? calibrationPath(target);
  if (file) writeCalibrationFile(calibration, file);
  return { calibration, file, fits, cases: suite.length, durationMs: { measure: measuredAt - started, total: performance.now() - started } };
}
