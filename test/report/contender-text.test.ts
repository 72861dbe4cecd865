// The report's sentence on the uniform contender: kept or not, a tie decided by the loss, none and why.
import { describe, expect, it } from 'vitest';
import { contenderText } from '../../src/report/contender-text.js';

const base = { description: 'every layer 36% (conv1 3 of 8, fc1 12 of 32)', epochs: 16, validation: 0.9851, searchValidation: 0.9814, loss: 0.05, searchLoss: 0.06, costs: null, chosen: true };

describe('contenderText', () => {
  it('names the cut, the epochs, both validation scores and the verdict', () => {
    expect(contenderText(base)).toBe('Uniform contender: every layer 36% (conv1 3 of 8, fc1 12 of 32), fine-tuned 16 epochs: validation 98.51% against the search\'s 98.14%; kept in place of the search\'s model.');
    expect(contenderText({ ...base, validation: 0.97, chosen: false })).toMatch(/validation 97\.00% against the search's 98\.14%; not kept\.$/);
  });

  it('gives the losses that decided a tie', () => {
    expect(contenderText({ ...base, validation: 0.9814 })).toContain('(a tie: validation loss 0.0500 against 0.0600)');
  });

  it('says why there was none, and nothing when none was asked for', () => {
    expect(contenderText({ ...base, description: null, skipped: 'no uniform cut of every layer (up to 99%) meets the budgets', validation: null, chosen: false })).toBe('Uniform contender: none (no uniform cut of every layer (up to 99%) meets the budgets).');
    expect(contenderText(null)).toBeNull();
  });
});
