// Non-negative least squares (Lawson-Hanson) for the calibration fits: every term of a kernel formula
// counts work or code, so its weight cannot be negative. Columns are scaled to unit norm first (terms
// range from 1 to millions), sub-problems are solved by Householder QR.

/** Least squares min |A x - b| over the columns in `cols` (others 0), by Householder QR. */
function lstsq(A: number[][], b: number[], cols: number[]): number[] {
  const m = A.length;
  const n = cols.length;
  const R = A.map((row) => cols.map((j) => row[j]));
  const y = [...b];
  for (let k = 0; k < n; k++) {
    let norm = 0;
    for (let i = k; i < m; i++) norm += R[i][k] * R[i][k];
    norm = Math.sqrt(norm);
    if (norm === 0) continue;
    const alpha = R[k][k] > 0 ? -norm : norm;
    const v = new Array<number>(m).fill(0);
    for (let i = k; i < m; i++) v[i] = R[i][k];
    v[k] -= alpha;
    let vv = 0;
    for (let i = k; i < m; i++) vv += v[i] * v[i];
    if (vv === 0) continue;
    for (let j = k; j < n; j++) {
      let d = 0;
      for (let i = k; i < m; i++) d += v[i] * R[i][j];
      const f = (2 * d) / vv;
      for (let i = k; i < m; i++) R[i][j] -= f * v[i];
    }
    let d = 0;
    for (let i = k; i < m; i++) d += v[i] * y[i];
    const f = (2 * d) / vv;
    for (let i = k; i < m; i++) y[i] -= f * v[i];
  }
  const x = new Array<number>(n).fill(0);
  for (let k = Math.min(n, m) - 1; k >= 0; k--) {
    let s = y[k];
    for (let j = k + 1; j < n; j++) s -= R[k][j] * x[j];
    x[k] = Math.abs(R[k][k]) > 1e-12 ? s / R[k][k] : 0;
  }
  return x;
}

/** x ≥ 0 minimizing |A x - b| (Lawson and Hanson 1974). */
export function nnls(A: number[][], b: number[], maxIterations = 200): number[] {
  const m = A.length;
  const n = A[0]?.length ?? 0;
  if (m === 0 || n === 0) return new Array<number>(n).fill(0);
  // Unit-norm columns; an all-zero column gets weight 0.
  const scale = Array.from({ length: n }, (_, j) => Math.sqrt(A.reduce((s, row) => s + row[j] * row[j], 0)));
  const As = A.map((row) => row.map((v, j) => (scale[j] > 0 ? v / scale[j] : 0)));
  const x = new Array<number>(n).fill(0);
  const passive = new Set<number>();
  const residual = () => b.map((bi, i) => bi - As[i].reduce((s, a, j) => s + a * x[j], 0));
  const gradient = (r: number[]) => Array.from({ length: n }, (_, j) => As.reduce((s, row, i) => s + row[j] * r[i], 0));
  const tol = 1e-10 * Math.max(1, Math.sqrt(b.reduce((s, v) => s + v * v, 0)));
  for (let it = 0; it < maxIterations; it++) {
    const w = gradient(residual());
    let best = -1;
    for (let j = 0; j < n; j++) if (!passive.has(j) && scale[j] > 0 && w[j] > tol && (best < 0 || w[j] > w[best])) best = j;
    if (best < 0) break;
    passive.add(best);
    for (let inner = 0; inner < maxIterations; inner++) {
      const cols = [...passive].sort((p, q) => p - q);
      const z = lstsq(As, b, cols);
      if (z.every((v) => v > 0)) {
        x.fill(0);
        cols.forEach((j, k) => (x[j] = z[k]));
        break;
      }
      let alpha = Infinity;
      cols.forEach((j, k) => {
        if (z[k] <= 0) alpha = Math.min(alpha, x[j] / (x[j] - z[k]));
      });
      cols.forEach((j, k) => (x[j] += alpha * (z[k] - x[j])));
      for (const j of cols) if (x[j] <= 1e-14) {
        x[j] = 0;
        passive.delete(j);
      }
    }
  }
  return x.map((v, j) => (scale[j] > 0 ? v / scale[j] : 0));
}

export interface FitRow {
  terms: Record<string, number>;
  /** The measured value the terms must explain. */
  y: number;
}

export interface FitResult {
  coefficients: Record<string, number>;
  /** Largest and root-mean-square relative error over the rows. */
  maxRelError: number;
  rmsRelError: number;
  rows: number;
}

/**
 * Fit non-negative coefficients of `terms` to the rows, minimizing relative errors (each row is
 * weighted by 1 / max(y, floor), so that small cases, where the counter's resolution dominates,
 * count less than their relative error would make them).
 */
export function fitTerms(terms: string[], rows: FitRow[], floor: number): FitResult {
  const used = terms.filter((t) => rows.some((r) => (r.terms[t] ?? 0) !== 0));
  const A = rows.map((r) => used.map((t) => (r.terms[t] ?? 0) / Math.max(Math.abs(r.y), floor)));
  const b = rows.map((r) => r.y / Math.max(Math.abs(r.y), floor));
  const x = rows.length ? nnls(A, b) : [];
  const coefficients: Record<string, number> = Object.fromEntries(terms.map((t) => [t, 0]));
  used.forEach((t, j) => (coefficients[t] = x[j]));
  const errors = rows.map((r) => {
    const p = terms.reduce((s, t) => s + coefficients[t] * (r.terms[t] ?? 0), 0);
    return Math.abs(p - r.y) / Math.max(Math.abs(r.y), floor);
  });
  return {
    coefficients,
    maxRelError: errors.length ? Math.max(...errors) : 0,
    rmsRelError: errors.length ? Math.sqrt(errors.reduce((s, e) => s + e * e, 0) / errors.length) : 0,
    rows: rows.length,
  };
}
