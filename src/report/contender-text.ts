// The report's sentence on the build's uniform contender (src/build/uniform-contender.ts): what it cut, how it scored
// against the search's model, and which of the two the build kept.

import type { ContenderRecord } from '../build/search.js';

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;

/** One sentence (not escaped: the caller escapes it for its context), or null when there was no contender. */
export function contenderText(c: ContenderRecord<string> | null | undefined): string | null {
  if (!c) return null;
  if (c.description === null) return `Uniform contender: none (${c.skipped ?? 'not made'}).`;
  const tie = c.validation === c.searchValidation && c.loss !== null && c.searchLoss !== null;
  const losses = tie ? ` (a tie: validation loss ${c.loss!.toFixed(4)} against ${c.searchLoss!.toFixed(4)})` : '';
  const verdict = c.chosen ? 'kept in place of the search\'s model' : 'not kept';
  return `Uniform contender: ${c.description}, fine-tuned ${c.epochs} epochs: validation ${pct(c.validation ?? NaN)} against the search's ${pct(c.searchValidation)}${losses}; ${verdict}.`;
}
