// Calibration as jobs: the suite split into batches of cases (a job each: one firmware build and one QEMU session
// in a worker, which regenerates the seeded suite and measures the cases it names), and the measurements brought
// back in the suite's order, equal to what one measureSuiteCases call over the whole suite returns.

import type { Optimize } from '../../hw-sim/index.js';
import { UserError } from '../errors.js';
import { allocData, type DType } from '../ir/dtype.js';
import { Tensor } from '../ir/tensor.js';
import type { JobKind } from '../jobs/registry.js';
import { requireResults, type JobRunner } from '../jobs/runner.js';
import { makeJob, type JobSpec, type Json } from '../jobs/spec.js';
import { findMcuTarget } from '../targets/load-targets.js';
import type { McuTarget } from '../targets/schema.js';
import { measureSuiteCases, type Measurement } from './measure.js';
import { calibrationSuite, type SuiteCase } from './suite.js';
import { worstCaseMeasureCase, worstCaseSuite } from './suite-worst-case.js';

export const CALIBRATE_BATCH_KIND = 'calibrate-batch';

/** Cases per job: small enough to spread over the workers, large enough that a firmware link and a QEMU start are shared. */
export const CALIBRATE_BATCH_CASES = 12;

export interface CalibrateBatchPayload {
  target: string;
  optimize: Optimize;
  /** Case names of calibrationSuite() (of worstCaseSuite() when `suite` is 'worst-case'), in suite order. */
  cases: string[];
  /** suite: 'worst-case' (absent for the calibration's own jobs): the worst-case calibration's cases, each on its typical then its adversarial vectors. */
  [key: string]: Json;
}

interface TensorJson {
  dtype: DType;
  shape: number[];
  /** The elements' bytes, base64: exact for every dtype. */
  bytes: string;
  [key: string]: Json;
}

function tensorToJson(t: Tensor): TensorJson {
  return { dtype: t.dtype, shape: [...t.shape], bytes: Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength).toString('base64') };
}

function tensorFromJson(j: TensorJson): Tensor {
  const data = allocData(j.dtype, j.shape.reduce((a, b) => a * b, 1));
  const bytes = Buffer.from(j.bytes, 'base64');
  if (bytes.length !== data.byteLength) throw new Error(`a measured input of shape [${j.shape.join(',')}] came back with ${bytes.length} bytes, expected ${data.byteLength}`);
  new Uint8Array(data.buffer, data.byteOffset, data.byteLength).set(bytes);
  return new Tensor(j.dtype, j.shape, data);
}

/** A measurement as JSON (numbers survive JSON exactly; the vectors' float32 values too). */
export function measurementToJson(m: Measurement): Json {
  return { ...m, runs: [...m.runs], vectors: m.vectors.map((v) => v.map(tensorToJson)) } as unknown as Json;
}

export function measurementFromJson(j: Json): Measurement {
  const m = j as unknown as Omit<Measurement, 'vectors'> & { vectors: TensorJson[][] };
  return { ...m, vectors: m.vectors.map((v) => v.map(tensorFromJson)) };
}

/** The jobs of a calibration: consecutive batches of the suite's cases. */
export function calibrationJobs(target: McuTarget, suite: SuiteCase[], optimize: Optimize, batchCases = CALIBRATE_BATCH_CASES, which?: 'worst-case'): JobSpec<CalibrateBatchPayload>[] {
  const jobs: JobSpec<CalibrateBatchPayload>[] = [];
  for (let i = 0; i < suite.length; i += batchCases) {
    jobs.push(makeJob(CALIBRATE_BATCH_KIND, { target: target.name, optimize, cases: suite.slice(i, i + batchCases).map((c) => c.name), ...(which ? { suite: which } : {}) }));
  }
  return jobs;
}

export const calibrateBatchKind: JobKind = {
  kind: CALIBRATE_BATCH_KIND,
  handler: async (payload, { log }) => {
    const p = payload as CalibrateBatchPayload;
    const target = findMcuTarget(p.target, 'calibrate');
    const worstCase = p.suite === 'worst-case';
    const byName = new Map((worstCase ? worstCaseSuite() : calibrationSuite()).map((c) => [c.name, c]));
    const cases = p.cases.map((name) => {
      const c = byName.get(name);
      if (!c) throw new UserError(`this worker's ${worstCase ? 'worst-case ' : ''}calibration suite has no case '${name}'`, 'run workers from the same edgeprune version as the calibrate command');
      return worstCase ? worstCaseMeasureCase(c) : c;
    });
    const measured = await measureSuiteCases(target, cases, { optimize: p.optimize, log });
    return measured.map(measurementToJson);
  },
};

/** Measure `suite` on `target` through `runner`: the measurements in the order of `suite` (`suite: 'worst-case'`: cases of worstCaseSuite(), on their adversarial vectors too). */
export async function measureWithJobs(
  runner: JobRunner,
  target: McuTarget,
  suite: SuiteCase[],
  optimize: Optimize,
  log: (line: string) => void,
  o: { batchCases?: number; suite?: 'worst-case' } = {},
): Promise<Measurement[]> {
  const batchCases = o.batchCases ?? CALIBRATE_BATCH_CASES;
  const jobs = calibrationJobs(target, suite, optimize, batchCases, o.suite);
  log(`${jobs.length} job${jobs.length === 1 ? '' : 's'} of up to ${batchCases} models on ${runner.description}`);
  const outcomes = await runner.run(jobs, { onSettled: (o, done, total) => log(`job ${done}/${total} ${o.ok ? 'done' : `failed: ${o.error}`}`) });
  const results = requireResults(outcomes);
  const byName = new Map<string, Measurement>();
  for (const job of jobs) {
    const list = results.get(job.id) as Json[];
    job.payload.cases.forEach((name, i) => byName.set(name, measurementFromJson(list[i])));
  }
  return suite.map((c) => byName.get(c.name)!);
}
