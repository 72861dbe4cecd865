// build's search flags become the search's options: weight averaging and the refit on train + validation are MCU
// defaults, an FPGA build averages only when asked and never refits, and an explicit 0 turns averaging off.
import { describe, expect, it } from 'vitest';
import { DEFAULT_AVERAGE_EPOCHS, searchOptions, type SearchCliOptions } from '../../src/cli/build-options.js';

const flags = (extra: Partial<SearchCliOptions> = {}): SearchCliOptions => ({
  maxDrop: 1.5, dropReserve: 0.5, proposalEpochs: 1, finalEpochs: 10, maxIterations: 40, criterion: 'l1', weightProposals: true,
  finalOnValidation: true, // commander's default for --no-final-on-validation
  ...extra,
} as SearchCliOptions);

describe('searchOptions', () => {
  it('MCU builds average the last epochs and refit on train + validation by default', () => {
    const o = searchOptions(flags());
    expect(o.averageLastEpochs).toBe(DEFAULT_AVERAGE_EPOCHS);
    expect(o.finalOnValidation).toBe(true);
  });

  it('--average-epochs 0 and --no-final-on-validation turn them off', () => {
    const o = searchOptions(flags({ averageEpochs: 0, finalOnValidation: false }));
    expect(o.averageLastEpochs).toBeUndefined();
    expect(o.finalOnValidation).toBeUndefined();
  });

  it('FPGA builds average only when asked and never refit', () => {
    expect(searchOptions(flags(), 'fpga')).not.toHaveProperty('averageLastEpochs');
    expect(searchOptions(flags(), 'fpga')).not.toHaveProperty('finalOnValidation');
    expect(searchOptions(flags({ averageEpochs: 3 }), 'fpga').averageLastEpochs).toBe(3);
  });
});
