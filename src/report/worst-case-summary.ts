// The build report's worst-case line: typical, worst measured on adversarial vectors, the bound, and the margin in per
// cent against the worst-case budget (--deadline-ms / --max-instructions-worst-case) when there is one.

import type { Budget, BudgetName } from '../build/budgets.js';
import type { WorstCaseReport } from '../verify/worst-case-report.js';

export interface WorstCaseSummary {
  typicalInstructions: number;
  worstMeasuredInstructions: number;
  worstVector: string;
  instructionsWorstCase: number;
  exact: boolean;
  basis: string;
  /** The worst-case budget and (limit − bound) ÷ limit × 100: negative when the bound misses it. */
  deadline: { limit: number; givenAs: string; marginPercent: number } | null;
  /** Per layer step with code (nodes as in the model: escape them for display): typical and worst measured, its share of the bound. */
  steps: WorstCaseStepSummary[];
  /** What would tighten the bound (WorstCaseReport.tighten). */
  tighten: string[];
}

export interface WorstCaseStepSummary {
  step: number;
  nodes: string[];
  dependent: boolean;
  typical: number;
  worstMeasured: number;
  bound: number;
}

export function worstCaseSummary(w: WorstCaseReport | null | undefined, budgets: readonly Budget<BudgetName>[]): WorstCaseSummary | null {
  if (!w) return null;
  const b = budgets.find((x) => x.name === 'instructionsWorstCase');
  return {
    typicalInstructions: w.typicalInstructions,
    worstMeasuredInstructions: w.worstMeasuredInstructions,
    worstVector: w.worstVector,
    instructionsWorstCase: w.instructionsWorstCase,
    exact: w.exact,
    basis: w.basis,
    deadline: b ? { limit: b.limit, givenAs: b.givenAs, marginPercent: ((b.limit - w.instructionsWorstCase) / b.limit) * 100 } : null,
    // Counts in whole instructions (a share of the bound rounded up).
    steps: w.steps.map((s) => ({ step: s.step, nodes: s.nodes, dependent: s.dependent, typical: Math.round(s.typical), worstMeasured: Math.round(s.worstMeasured), bound: Math.ceil(s.bound) })),
    tighten: w.tighten,
  };
}
