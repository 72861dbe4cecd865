// The worst-case bound from per-step instruction counts measured in QEMU: a data-independent step's measured count is
// its worst case; a data-dependent step is priced at the cost model's worst branch plus the cost model's
// under-prediction of that step on the typical vectors; the run's fixed part (its call, the counter) is measured too.

/** One layer step with code, as the cost model prices it. */
export interface StepPrice {
  /** The step's index in model.c (model_step<k>). */
  step: number;
  /** The IR nodes the step implements (from the model: escape before display). */
  nodes: string[];
  dependent: boolean;
  /** The cost model's price of the step with each data-dependent call at its worst branch (= its typical price when independent). */
  worst: number;
  /** The most its count can vary over inputs (the worst-case calibration's excess of its dependent calls); Infinity when unknown. */
  spread: number;
}

/** One vector's measurements: the whole run, and each step of `StepPrice[]` in the same order. */
export interface StepVector {
  name: string;
  /** A typical vector (the user's, or an ordinary adversarial fill): the cost model's error on it is its own. */
  typical: boolean;
  /** The run's count in the firmware as deployed (no marks). */
  total: number;
  /** Each step's count in the step-marks build (one mark's cost taken off). */
  steps: number[];
  /** The cost model's price of each step for this vector (its own zero products); used on typical vectors. */
  predicted: number[];
}

export interface StepBoundRow {
  step: number;
  nodes: string[];
  dependent: boolean;
  /** Largest count over the typical vectors, and over every vector. */
  typical: number;
  worstMeasured: number;
  /** Largest − smallest count over every vector (a data-independent step: within the counter's resolution). */
  spread: number;
  /** Dependent steps: the cost model's worst-branch price, and its largest under-prediction on the typical vectors (≥ 0). */
  price?: number;
  underPrediction?: number;
  /**
   * The step's share of the bound. Independent: its largest count (the resolution of its run of independent steps is in
   * StepBound.resolutionTerm). Dependent: the smaller of price + under-prediction and smallest count + the calibrated
   * spread, each with the resolution of the counts it takes, and at least its largest count + the resolution.
   */
  bound: number;
  /** Dependent steps: which of the two gave the bound ('price', 'spread'), or 'measured' when the largest count did. */
  from?: 'price' | 'spread' | 'measured';
  /** Dependent steps: the smaller of price + under-prediction and smallest count + spread (below the largest count + the resolution: 'measured'). */
  priced?: number;
}

export interface StepBound {
  /** The worst-case count: exact (the largest measured) when no step is data-dependent, else an upper bound. */
  instructionsWorstCase: number;
  exact: boolean;
  /** Largest (run − Σ steps) over the vectors: the model's call and return and the counter's reads. */
  overhead: number;
  /** What the counter's resolution adds: one per measured figure the bound sums (see stepWorstCaseBound). */
  resolutionTerm: number;
  steps: StepBoundRow[];
  /** Data-independent steps whose count varied by more than the resolution (the dependence table is wrong: edgeprune's bug). */
  varying: StepBoundRow[];
  /** How it was obtained, in words (for reports). */
  basis: string;
}

const max = (xs: number[]): number => xs.reduce((m, x) => Math.max(m, x), -Infinity);
const min = (xs: number[]): number => xs.reduce((m, x) => Math.min(m, x), Infinity);
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

/**
 * The bound over `prices` (the steps with code, in execution order) from `vectors`' counts; `resolution`: the counter's
 * (a measured difference of two counter reads is within it of the true count). Each measured figure the bound sums adds
 * one resolution: the overhead (two: the run and the marks' span), each maximal run of consecutive data-independent
 * steps (one: the marks telescope), each dependent step (one, in its bound), and the count it is checked against (one).
 */
export function stepWorstCaseBound(prices: StepPrice[], vectors: StepVector[], resolution: number): StepBound {
  if (!vectors.length) throw new Error('a per-step worst-case bound needs at least one measured vector');
  for (const v of vectors) {
    if (v.steps.length !== prices.length || v.predicted.length !== prices.length) throw new Error(`vector '${v.name}' has ${v.steps.length} step counts and ${v.predicted.length} predictions for ${prices.length} steps`);
  }
  const typical = vectors.filter((v) => v.typical);
  const anyDependent = prices.some((p) => p.dependent);
  if (anyDependent && !typical.length) throw new Error('a data-dependent step needs a typical vector for the cost model\'s error');
  const rows: StepBoundRow[] = prices.map((p, j) => {
    const counts = vectors.map((v) => v.steps[j]);
    const worstMeasured = max(counts);
    const row: StepBoundRow = {
      step: p.step, nodes: p.nodes, dependent: p.dependent,
      typical: typical.length ? max(typical.map((v) => v.steps[j])) : worstMeasured,
      worstMeasured, spread: worstMeasured - min(counts), bound: worstMeasured,
    };
    if (!p.dependent) return row;
    // An over-prediction is not subtracted: typical data can take a step's cheap branches (zeros), which an adversarial
    // vector need not share. A measured count is within the resolution of the true one, so is its error.
    const underPrediction = Math.max(0, max(typical.map((v) => v.steps[j] - v.predicted[j])) + resolution);
    const byPrice = p.worst + underPrediction;
    const bySpread = min(counts) + resolution + p.spread;
    const measured = worstMeasured + resolution;
    const bound = Math.max(measured, Math.min(byPrice, bySpread));
    const from = bound === measured && measured > Math.min(byPrice, bySpread) ? 'measured' : byPrice <= bySpread ? 'price' : 'spread';
    return { ...row, price: p.worst, underPrediction, bound, from, priced: Math.min(byPrice, bySpread) };
  });
  const overhead = max(vectors.map((v) => v.total - v.steps.reduce((s, x) => s + x, 0)));
  const segments = rows.filter((r, j) => !r.dependent && (j === 0 || rows[j - 1].dependent)).length;
  const dependentSteps = rows.filter((r) => r.dependent).length;
  // (+ 1: the runs' counts are rounded to whole instructions, the steps' are not)
  const resolutionTerm = resolution > 0 ? resolution * (2 + segments + 1) + 1 : 0;
  const varying = rows.filter((r) => !r.dependent && r.spread > resolution + 1e-6);
  const largest = max(vectors.map((v) => v.total));
  if (!anyDependent) {
    return {
      instructionsWorstCase: largest, exact: true, overhead, resolutionTerm: 0, steps: rows, varying,
      basis: 'exact: every kernel is data-independent (the measured count)',
    };
  }
  const sum = overhead + rows.reduce((s, r) => s + r.bound, 0) + resolutionTerm;
  const independentSum = rows.filter((r) => !r.dependent).reduce((s, r) => s + r.bound, 0);
  const dependentSum = rows.filter((r) => r.dependent).reduce((s, r) => s + r.bound, 0);
  return {
    instructionsWorstCase: Math.ceil(sum), exact: false, overhead, resolutionTerm, steps: rows, varying,
    basis: `upper bound from per-step counts: ${fmt(independentSum)} (the ${rows.length - dependentSteps} data-independent steps as measured) + ${fmt(dependentSum)} (the ${dependentSteps} data-dependent steps: each at the cost model's worst branch plus its under-prediction of the step on the typical vectors, or at its smallest count plus the calibrated spread of its kernels, whichever is less) + ${fmt(overhead)} (the run's call and the counter, measured)${resolutionTerm > 0 ? ` + ${fmt(resolutionTerm)} (the instruction counter's resolution, ${fmt(resolution)} per measured figure)` : ''}`,
  };
}
