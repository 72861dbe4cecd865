// The report's sentence on the refit (--final-on-validation, the MCU default): which fine-tune ran again on train +
// validation, and that the deployed model saw the validation split whose figures the report gives.

import type { BuildReport } from './build-report.js';

/** One sentence (not escaped: the caller escapes it for its context), or null when there was no refit. */
export function refitText(refit: BuildReport['refit']): string | null {
  if (!refit) return null;
  return `refit: ${refit.what} ran again on train + validation (${refit.samples} samples, ${refit.epochs} epochs; decided on ${refit.decidedOnSamples}): the deployed model saw the validation split, whose figures are those of the model as decided`;
}
