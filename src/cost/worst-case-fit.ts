// Bounding fits of the worst-case calibration (calibrate-worst-case.ts): a key's instruction formula fitted to its
// cases' largest counts and raised until it bounds every case, and the excess form: a case's spread over its vectors
// (largest − smallest count), as a formula of the same terms that bounds every case's spread.

import { fitTerms, type FitRow } from './fit.js';

/** A case to bound: its terms (kernels.ts analyzeCall, no zero activations) and the count to bound (library excluded). */
export type BoundingFitRow = FitRow;

export interface BoundingFit {
  coefficients: Record<string, number>;
  /** The factor the least-squares fit was multiplied by so that it bounds every row (≥ 1; 1 for a single-term max). */
  raisedBy: number;
  /** After raising: the largest over-prediction relative to a row's y (rows with y > 0). */
  maxOverPrediction: number;
}

const predictWith = (c: Record<string, number>, terms: Record<string, number>) => Object.entries(c).reduce((s, [t, k]) => s + k * (terms[t] ?? 0), 0);

/** Does `c` give every row at least its y (to floating-point rounding)? */
export const boundsEveryRow = (c: Record<string, number>, rows: BoundingFitRow[]): boolean => rows.every((r) => predictWith(c, r.terms) >= r.y - 1e-9 * Math.max(1, Math.abs(r.y)));

function finish(coefficients: Record<string, number>, raisedBy: number, rows: BoundingFitRow[]): BoundingFit {
  const maxOverPrediction = Math.max(0, ...rows.filter((r) => r.y > 0).map((r) => predictWith(coefficients, r.terms) / r.y - 1));
  return { coefficients, raisedBy, maxOverPrediction };
}

/**
 * The non-negative least-squares fit of `terms` to the rows (relative errors, `floor` as fitTerms), multiplied by its
 * largest under-prediction so that it bounds every row. Null when no factor can (a row with y > 0 and no fitted term).
 */
export function raisedFit(terms: string[], rows: BoundingFitRow[], floor: number): BoundingFit | null {
  const fit = fitTerms(terms, rows, floor);
  const predicted = rows.map((r) => predictWith(fit.coefficients, r.terms));
  if (rows.some((r, i) => r.y > 0 && predicted[i] <= 0)) return null;
  const raisedBy = Math.max(1, ...rows.map((r, i) => (predicted[i] > 0 ? r.y / predicted[i] : 1)));
  return finish(Object.fromEntries(Object.entries(fit.coefficients).map(([t, c]) => [t, c * raisedBy])), raisedBy, rows);
}

/** One term priced at its largest y per unit over the rows; null when a row with y > 0 has none of it. */
export function singleTermBound(term: string, terms: string[], rows: BoundingFitRow[]): BoundingFit | null {
  if (rows.some((r) => r.y > 0 && !((r.terms[term] ?? 0) > 0))) return null;
  const perUnit = Math.max(0, ...rows.filter((r) => (r.terms[term] ?? 0) > 0).map((r) => r.y / r.terms[term]));
  return finish(Object.fromEntries(terms.map((t) => [t, t === term ? perUnit : 0])), 1, rows);
}

/**
 * The excess of the worst vector over the others (`rows[i].y` = the case's spread ≥ 0, `typical[i]` its typical
 * count) as a formula that bounds every row: of the raised least-squares fit and each single term at its largest
 * excess per unit, the one whose mean excess ÷ typical over the rows is smallest (ties: the earlier). Null when none
 * bounds every row.
 */
export function excessFit(terms: string[], rows: BoundingFitRow[], typical: number[], floor: number): BoundingFit | null {
  const candidates = [raisedFit(terms, rows, floor), ...terms.map((t) => singleTermBound(t, terms, rows))]
    .filter((c): c is BoundingFit => c !== null && boundsEveryRow(c.coefficients, rows));
  const slack = (c: BoundingFit) => rows.reduce((s, r, i) => s + predictWith(c.coefficients, r.terms) / Math.max(typical[i], 1), 0);
  return candidates.reduce<BoundingFit | null>((best, c) => (best === null || slack(c) < slack(best) ? c : best), null);
}
