// Calibrate the worst-case coefficients of a target's data-dependent kernel keys: the calibration suite's cases of
// those keys (and suite-worst-case.ts's) run in QEMU on adversarial vectors (and their own typical one), each key's
// instruction formula fitted to the largest count per case as calibrate.ts fits the typical ones, then raised until it
// bounds every case.

import type { McuTarget } from '../targets/schema.js';
import type { Optimize } from '../../hw-sim/index.js';
import { calibrationAdversarialVectors } from '../verify/adversarial-vectors.js';
import type { JobRunner } from '../jobs/runner.js';
import { calibrationContext, loadCalibration, type Calibration } from './calibration.js';
import { coreClassOf, kernelDependence } from './data-dependence.js';
import { addTerms, analyzeCall, KERNEL_MODELS } from './kernels.js';
import { lowerForCost } from './lowered.js';
import { measureSuiteCases } from './measure.js';
import { measureWithJobs } from './calibrate-jobs.js';
import type { SuiteCase } from './suite.js';
import { worstCaseMeasureCase, worstCaseSuite } from './suite-worst-case.js';
import { excessFit, raisedFit } from './worst-case-fit.js';
import { WORST_CASE_FORMAT, worstCaseCalibrationPath, writeWorstCaseCalibration, type WorstCaseCalibration } from './worst-case-calibration.js';

const TIME_FLOOR = 1000;

export interface WorstCaseCalibrationRun {
  calibration: WorstCaseCalibration;
  file: string | null;
  cases: number;
}

/** The case's key and its terms with no zero activations (zero weights count as they are). */
function termsOf(c: SuiteCase, ctx: ReturnType<typeof calibrationContext>): { key: string | null; time: Record<string, number> } {
  const calls = lowerForCost(c.graph, { sparse: c.sparse }).steps.flatMap((s) => s.calls);
  const time: Record<string, number> = {};
  let key: string | null = null;
  for (const call of calls) {
    const use = analyzeCall(call, () => 0, ctx);
    key = use.key;
    addTerms(time, use.time);
  }
  return { key, time };
}

export interface WorstCaseCalibrationOptions {
  /** The typical calibration the coefficients go with (default: the target's own); only its data-dependent keys are calibrated. */
  cal?: Calibration;
  /** The compiler optimization the typical calibration was made with (default O2). */
  optimize?: Optimize;
  /** Where to write (default: the target's targets/calibration/worst-case/<name>.json; null: not written). */
  file?: string | null;
  /** Measure through jobs (local workers or a Redis queue) instead of in this process: the same counts. */
  runner?: JobRunner;
  log?: (l: string) => void;
}

/** A partial calibration gets a partial worst-case one: the data-dependent keys among its own. */
export async function calibrateWorstCase(target: McuTarget, o: WorstCaseCalibrationOptions = {}): Promise<WorstCaseCalibrationRun | { nothingToCalibrate: string }> {
  const log = o.log ?? (() => {});
  const cal = o.cal ?? loadCalibration(target);
  const optimize = o.optimize ?? 'O2';
  const ctx = calibrationContext(cal);
  const core = coreClassOf(target);
  const selected = worstCaseSuite().map((c) => ({ c, ...termsOf(c, ctx) }))
    .filter((a) => a.key !== null && a.key in cal.kernels && kernelDependence(a.key, core).dependent);
  if (selected.length === 0) return { nothingToCalibrate: `${target.name}: no data-dependent kernel key among the ${Object.keys(cal.kernels).length} calibrated` };
  const vectorNames = ['the case\'s typical vector', ...new Set(selected.flatMap(({ c }) => calibrationAdversarialVectors(c.graph).map((a) => a.name)))];
  log(`worst-case calibration of ${target.name} (${core}): ${selected.length} cases × ${vectorNames.length} vectors`);
  const cases = selected.map(({ c }) => c);
  const measured = o.runner
    ? await measureWithJobs(o.runner, target, cases, optimize, log, { suite: 'worst-case' })
    : await measureSuiteCases(target, cases.map((c) => worstCaseMeasureCase(c)), { optimize, log });
  const byKey = new Map<string, { time: Record<string, number>; y: number; typical: number; spread: number }[]>();
  selected.forEach((a, i) => {
    const rows = byKey.get(a.key!) ?? [];
    // runs[0]: the case's typical vector; instructions: the largest count over every vector.
    rows.push({ time: a.time, y: measured[i].instructions - cal.library.instructions, typical: measured[i].runs[0] - cal.library.instructions, spread: measured[i].instructions - Math.min(...measured[i].runs) });
    byKey.set(a.key!, rows);
  });
  const kernels: WorstCaseCalibration['kernels'] = {};
  for (const [key, rows] of byKey) {
    const model = [...KERNEL_MODELS.values()].find((k) => k.keys.includes(key))!;
    const fit = raisedFit(model.timeTerms, rows.map((r) => ({ terms: r.time, y: r.y })), TIME_FLOOR);
    if (!fit) throw new Error(`worst-case calibration of ${key}: no fit of its terms bounds every case (a case with instructions and no term)`);
    const ratios = rows.filter((r) => r.typical > 0).map((r) => r.y / r.typical);
    // The excess bounds each case's spread (largest − smallest count over its vectors), not only worst − typical: a
    // model's typical vectors may sit at the low end of its kernels' range (the prediction is at least that end).
    const excess = excessFit(model.timeTerms, rows.map((r) => ({ terms: r.time, y: r.spread })), rows.map((r) => r.typical), TIME_FLOOR);
    kernels[key] = {
      instructions: fit.coefficients,
      ...(ratios.length === rows.length ? { worstOverTypical: Math.max(...ratios) } : {}),
      ...(excess ? { excess: { instructions: excess.coefficients, raisedBy: excess.raisedBy } } : {}),
      fit: { cases: rows.length, raisedBy: fit.raisedBy, maxOverPrediction: fit.maxOverPrediction },
    };
  }
  const calibration: WorstCaseCalibration = {
    format: WORST_CASE_FORMAT,
    about: [
      `Worst-case coefficients of the data-dependent kernel keys of '${target.name}' (${core}; src/cost/data-dependence.ts says which).`,
      'Each key: the calibration suite\'s cases of that key run on the vectors below in QEMU, its instruction formula fitted (non-negative least squares, as the typical calibration) to the largest count per case, then multiplied by raisedBy so that it is at least every case\'s count.',
      'Written by `edgeprune calibrate --target <name>` after the typical calibration (src/cost/calibrate-worst-case.ts). Do not edit by hand.',
      'excess (when present): the same terms fitted to each case\'s spread (its largest − smallest count over the vectors) and bounding every case; a call is priced at the smallest of the raised fit, worstOverTypical × its typical price, and its typical price + the excess.',
    ],
    target: target.name,
    kernelHeaders: cal.kernelHeaders,
    vectors: vectorNames,
    kernels,
  };
  const file = o.file === null ? null : o.file ?? worstCaseCalibrationPath(target);
  if (file) writeWorstCaseCalibration(calibration, file);
  return { calibration, file, cases: selected.length };
}
