// Worst-case coefficients of the data-dependent kernel keys of a target (targets/calibration/worst-case/<name>.json):
// each key's instruction formula fitted on the calibration suite's cases run on adversarial vectors (the largest count
// over them), then raised so that it bounds every one of those cases. Written by calibrate-worst-case.ts (edgeprune calibrate).

import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { UserError } from '../errors.js';
import type { McuTarget } from '../targets/schema.js';
import { CALIBRATION_DIR, roundSignificant } from './calibration.js';

export const WORST_CASE_FORMAT = 'edgeprune-worst-case-calibration/1';

const worstKey = z.object({
  instructions: z.record(z.string(), z.number().nonnegative()),
  /**
   * The largest, over the key's cases, of the case's worst count ÷ its count on its typical vector (library excluded):
   * the worst case as a multiple of the typical prediction, tighter than the raised fit where the dependence is small.
   */
  worstOverTypical: z.number().positive().optional(),
  /**
   * The worst case as the typical prediction plus an excess: coefficients of the key's terms that give at least every
   * case's spread, its largest − smallest count over the vectors (worst-case-fit.ts excessFit), tighter than the ratio
   * where the dependence is a few instructions per output (int8 requantization) and the small cases set the ratio.
   */
  excess: z.object({ instructions: z.record(z.string(), z.number().nonnegative()), raisedBy: z.number().positive() }).optional(),
  fit: z.object({
    cases: z.number().int().positive(),
    /** The fitted formula's largest under-prediction over the cases, which multiplied the coefficients (≥ 1). */
    raisedBy: z.number().positive(),
    /** After raising: the largest over-prediction (how loose the bound is on the cases). */
    maxOverPrediction: z.number().nonnegative(),
  }),
});

export const worstCaseCalibrationSchema = z.object({
  format: z.literal(WORST_CASE_FORMAT),
  about: z.array(z.string()),
  target: z.string(),
  /** The typical calibration's kernel header hashes when this was made (stale when they differ). */
  kernelHeaders: z.record(z.string(), z.string()),
  vectors: z.array(z.string()),
  kernels: z.record(z.string(), worstKey),
});

export type WorstCaseCalibration = z.infer<typeof worstCaseCalibrationSchema>;

export function worstCaseCalibrationPath(target: McuTarget | string, dir = path.join(CALIBRATION_DIR, 'worst-case')): string {
  return path.join(dir, `${typeof target === 'string' ? target : target.name}.json`);
}

/** Where the worst-case calibration going with the calibration file `file` is written: worst-case/<its name> beside it. */
export function worstCasePathBeside(file: string): string {
  return path.join(path.dirname(file), 'worst-case', path.basename(file));
}

/** The target's worst-case calibration, or null when it has none. */
export function loadWorstCaseCalibration(target: McuTarget | string): WorstCaseCalibration | null {
  const file = worstCaseCalibrationPath(target);
  return fs.existsSync(file) ? readWorstCaseCalibrationFile(file) : null;
}

/** Parse and validate a worst-case calibration file. */
export function readWorstCaseCalibrationFile(file: string): WorstCaseCalibration {
  let data: unknown;
  try {
    data = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UserError(`worst-case calibration '${file}' is not readable JSON: ${(e as Error).message}`);
  }
  const parsed = worstCaseCalibrationSchema.safeParse(data);
  if (!parsed.success) throw new UserError(`worst-case calibration '${file}' is invalid: ${parsed.error.issues[0]?.message}`, 'recalibrate the target: edgeprune calibrate --target <name>');
  return parsed.data;
}

/**
 * The target's worst-case calibration when it was made with the kernels of its typical calibration `cal` (the same
 * header hashes), else null: stale coefficients are not used (the factors of worst-case-coefficients.ts are).
 */
export function currentWorstCaseCalibration(target: McuTarget | string, cal: { kernelHeaders: Record<string, string> }): WorstCaseCalibration | null {
  const w = loadWorstCaseCalibration(target);
  if (!w) return null;
  const same = (a: Record<string, string>, b: Record<string, string>) => Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([k, v]) => b[k] === v);
  return same(w.kernelHeaders, cal.kernelHeaders) ? w : null;
}

export function writeWorstCaseCalibration(cal: WorstCaseCalibration, file: string): void {
  const checked = worstCaseCalibrationSchema.parse({
    ...cal,
    kernels: Object.fromEntries(Object.entries(cal.kernels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => [k, {
      instructions: Object.fromEntries(Object.entries(v.instructions).map(([t, c]) => [t, roundSignificant(c)])),
      ...(v.worstOverTypical !== undefined ? { worstOverTypical: Math.ceil(v.worstOverTypical * 1e6) / 1e6 } : {}),
      // Rounded up: the excess must still bound every case.
      ...(v.excess !== undefined ? { excess: { instructions: Object.fromEntries(Object.entries(v.excess.instructions).map(([t, c]) => [t, Math.ceil(c * 1e4) / 1e4])), raisedBy: roundSignificant(v.excess.raisedBy, 4) } } : {}),
      fit: { cases: v.fit.cases, raisedBy: roundSignificant(v.fit.raisedBy, 4), maxOverPrediction: roundSignificant(v.fit.maxOverPrediction, 4) },
    }])),
  });
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(checked, null, 2)}\n`);
  fs.renameSync(tmp, file);
}
