// buildReport: budget lines (measured over estimated), the failed list, per-layer before/after, steps and estimated costs, from a hand-made SearchResult.
import { describe, expect, it } from 'vitest';
import { buildReport } from '../../src/report/build-report.js';
import { renderHtmlReport } from '../../src/report/html-report.js';
import { renderBuildSummary } from '../../src/cli/commands/build.js';
import type { VerifyReport } from '../../src/verify/verify-mcu.js';
import { budgets, denseCosts, finalCosts, reportInput, searchResult, verification } from './fixtures.js';

const measured = { instructions: 11_000, instructionsWorstCase: 11_000, ramBytes: 1000, flashBytes: 5500 };

describe('buildReport', () => {
  it('judges each budget on the measured figure when there is one', () => {
    const r = buildReport(reportInput({ verification: verification(true), measured }));
    expect(r.budgets).toEqual([
      // Estimated within the limit, measured over it: fails.
      { name: 'instructions', label: 'instructions per inference', givenAs: '--max-instructions 10000', limit: 10_000, estimated: 9000, measured: 11_000, pass: false,
        smallestSeen: { cost: 8_000, description: 'fc1: 5 of 6 neurons', validation: 0.5 } },
      // Estimated over the limit, measured within it: passes.
      { name: 'ramBytes', label: 'RAM (bytes)', givenAs: '--ram-kb 1', limit: 1024, estimated: 1200, measured: 1000, pass: true, smallestSeen: null },
      { name: 'flashBytes', label: 'flash (bytes)', givenAs: '--flash-kb 6', limit: 6144, estimated: 5000, measured: 5500, pass: true, smallestSeen: null },
    ]);
    expect(r.failed).toEqual([
      'instructions per inference: 11,000 > 10,000 (--max-instructions 10000)',
      'accuracy: dropped 5.00 points on the test split, more than --max-drop 2',
    ]);
    expect(r.passed).toBe(false);
  });

  it('judges each budget on the estimate when nothing was measured', () => {
    const r = buildReport(reportInput({ maxDrop: 10 }));
    expect(r.budgets.map((b) => [b.name, b.measured, b.pass])).toEqual([['instructions', null, true], ['ramBytes', null, false], ['flashBytes', null, true]]);
    expect(r.failed).toEqual(['RAM (bytes): 1,200 > 1,024 (--ram-kb 1)']);
    expect(r.passed).toBe(false);
    expect(r.verification).toBeNull();
  });

  it('carries the search\'s fine-tuning tally, and the summary says it', () => {
    const r = buildReport(reportInput({ maxDrop: 10 }));
    expect(r.fineTuning).toEqual({ epochs: 9, keptEpochs: 5 });
    expect(renderBuildSummary(r, 'out')).toContain('fine-tuning: 9 epochs in all, 5 on the deployed model\'s path');
  });

  it('a refit on train + validation (--final-on-validation): the report and the summary say the model saw validation, whose figure is the decided model\'s', () => {
    const plain = buildReport(reportInput({ maxDrop: 10 }));
    expect(plain.refit).toBeNull();
    expect(plain.averaging).toBeNull();
    expect(buildReport(reportInput({ maxDrop: 10, search: searchResult({ averaging: { lastEpochs: 5, of: 'the final fine-tune' } }) })).averaging).toEqual({ lastEpochs: 5, of: 'the final fine-tune' });
    expect(plain.accuracy.validation).toEqual({ dense: 0.92, final: 0.9 });
    expect(renderBuildSummary(plain, 'out')).not.toContain('refit');
    const refit = { what: 'the final fine-tune', epochs: 10, samples: 1438, decidedOnSamples: 1169, decided: searchResult().graph };
    const r = buildReport(reportInput({ maxDrop: 10, search: searchResult({ refit }) }));
    expect(r.refit).toEqual({ what: 'the final fine-tune', epochs: 10, samples: 1438, decidedOnSamples: 1169, sawValidation: true });
    expect(r.accuracy.validation).toEqual({ dense: 0.92, final: 0.9, finalIs: 'the model as decided, before its refit on train + validation' });
    expect(renderBuildSummary(r, 'out')).toContain('refit: the final fine-tune ran again on train + validation (1438 samples, 10 epochs; decided on 1169): the deployed model saw the validation split');
  });

  it('the summary gives the verified vectors and, with labels, the on-target accuracy next to the interpreter\'s', () => {
    const accuracy = { vectors: 8, onTarget: 0.875, interpreter: 1, agreement: 0.875, maxAbsDiff: 0.5 };
    const summary = renderBuildSummary(buildReport(reportInput({ maxDrop: 10, verification: { ...verification(true), accuracy }, measured })), 'out');
    expect(summary).toContain('verified on qemu netduinoplus2 (8 test vectors): outputs match the interpreter');
    expect(summary).toContain('on-target accuracy: 87.50% on qemu netduinoplus2, interpreter 100.00% (8 labelled vectors) · top-1 agreement 87.50% · largest difference 5.0e-1');
    expect(renderBuildSummary(buildReport(reportInput({ maxDrop: 10, verification: verification(true), measured })), 'out')).not.toContain('on-target accuracy');
  });

  it('a budget equal to its limit passes', () => {
    const r = buildReport(reportInput({ maxDrop: 10, measured: { instructions: 10_000, instructionsWorstCase: 10_000, ramBytes: 1024, flashBytes: 6144 }, verification: verification(true) }));
    expect(r.budgets.every((b) => b.pass)).toBe(true);
    expect(r.failed).toEqual([]);
    expect(r.passed).toBe(true);
  });

  it('lists the accuracy drop only when it exceeds --max-drop', () => {
    const over = buildReport(reportInput({ maxDrop: 4.9, measured, verification: verification(true) }));
    expect(over.accuracy).toEqual({ dense: 0.95, final: 0.9, prunedFloat: 0.9, dropPoints: expect.closeTo(5, 9), maxDropPoints: 4.9, split: 'test', validation: { dense: 0.92, final: 0.9 }, uncertainty: null });
    expect(over.failed).toContain('accuracy: dropped 5.00 points on the test split, more than --max-drop 4.9');
    const within = buildReport(reportInput({ maxDrop: 5.1, measured, verification: verification(true) }));
    expect(within.failed.some((f) => f.startsWith('accuracy'))).toBe(false);
    // An accuracy gain is a negative drop.
    const gain = buildReport(reportInput({ maxDrop: 0, search: searchResult({ final: { validation: 0.95, test: 0.97, costs: finalCosts } }) }));
    expect(gain.accuracy.dropPoints).toBeCloseTo(-2, 9);
    expect(gain.failed.some((f) => f.startsWith('accuracy'))).toBe(false);
    // A drop of exactly --max-drop passes, float noise aside ((0.90 - 0.88) * 100 is 2.0000000000000018).
    const exact = buildReport(reportInput({ maxDrop: 2, measured, verification: verification(true), search: searchResult({ dense: { validation: 0.9, test: 0.9, costs: finalCosts }, final: { validation: 0.88, test: 0.88, costs: finalCosts } }) }));
    expect(exact.accuracy.dropPoints).toBe(2);
    expect(exact.failed.some((f) => f.startsWith('accuracy'))).toBe(false);
  });

  it('lists a failed verification, and passes when everything holds', () => {
    const ok = { instructions: 9500, instructionsWorstCase: 9500, ramBytes: 1000, flashBytes: 5500 };
    const failedVerification = buildReport(reportInput({ maxDrop: 10, measured: ok, verification: verification(false) }));
    expect(failedVerification.failed).toEqual(['verification: the firmware outputs differ from the interpreter']);
    expect(failedVerification.passed).toBe(false);
    expect(failedVerification.verification?.passed).toBe(false);
    // Outputs that match but a count above the worst-case bound: the failure says so, not that outputs differ.
    const problem = 'the worst-case bound 49962 was exceeded: alternating ±max of the range (1) measured 50640 instructions on lm3s6965 (edgeprune\'s bug)';
    const worstCase = { holds: false, problem, steps: [] } as unknown as NonNullable<VerifyReport['worstCase']>;
    const overBound = buildReport(reportInput({ maxDrop: 10, measured: ok, verification: { ...verification(false), maxAbsError: 0, worstCase } }));
    expect(overBound.failed).toEqual([`verification: ${problem}`]);
    const all = buildReport(reportInput({ maxDrop: 10, measured: ok, verification: verification(true) }));
    expect(all.failed).toEqual([]);
    expect(all.passed).toBe(true);
  });

  it('an int8 build: final is the int8 model\'s score, the drop (limited by --max-drop) runs from the dense float model to it', () => {
    const quantization = {
      scheme: 'ptq' as const, calibration: 'mse' as const, calibrationSamples: 500, denseWeights: 'per-channel' as const, qatEpochs: null, qat: null,
      search: { costs: 'int8 deployments', accuracy: 'float validation' },
    };
    // Dense float 0.95, pruned float 0.90 (5 points, within --max-drop 6), int8 0.88: 7 points, over it.
    const r = buildReport(reportInput({ maxDrop: 6, measured, verification: verification(true), precision: 'int8', int8: { test: 0.88, quantization } }));
    expect(r.precision).toBe('int8');
    expect(r.quantization).toEqual(quantization);
    expect(r.accuracy).toMatchObject({ dense: 0.95, prunedFloat: 0.9, final: 0.88, dropPoints: 7, maxDropPoints: 6 });
    expect(r.failed).toContain('accuracy: the int8 model dropped 7.00 points on the test split from the dense float model, more than --max-drop 6');
    const html = renderHtmlReport(r);
    expect(html).toContain('final (int8)');
    expect(html).toMatch(/88\.00%/);
    expect(html).toContain('post-training quantization, mse activation ranges on 500 train samples');
    // A float build has no quantization, and its final is the pruned float model.
    const f = buildReport(reportInput({ maxDrop: 6 }));
    expect(f).toMatchObject({ precision: 'float32', quantization: null, accuracy: { final: 0.9, prunedFloat: 0.9 } });
    expect(renderHtmlReport(f)).not.toContain('final (int8)');
  });

  it('gives every layer of the dense model before and after, null after for removed layers', () => {
    const r = buildReport(reportInput());
    expect(r.layers.map((l) => [l.name, l.op])).toEqual([['fc1', 'Gemm'], ['act1', 'Relu'], ['fc2', 'Gemm'], ['act2', 'Relu'], ['head', 'Gemm'], ['probs', 'Softmax']]);
    const byName = new Map(r.layers.map((l) => [l.name, l]));
    // Predicted instructions are rounded; a layer the cost model did not name gets 0.
    expect(byName.get('fc1')).toEqual({
      name: 'fc1', op: 'Gemm',
      before: { params: 54, macs: 48, sparsity: 0, instructions: 1000 },
      after: { params: 27, macs: 24, sparsity: 0.25, instructions: 501 },
    });
    expect(byName.get('act1')!.before.sparsity).toBeNull();
    expect(byName.get('fc2')!.after).toBeNull();
    expect(byName.get('act2')).toMatchObject({ before: { instructions: 0 }, after: null });
    expect(byName.get('head')).toMatchObject({ before: { params: 15, instructions: 300 }, after: { params: 12, instructions: 250 } });
    expect(byName.get('probs')).toMatchObject({ before: { instructions: 121 }, after: { instructions: 121 } });
  });

  it('maps every search iteration to a step', () => {
    const r = buildReport(reportInput());
    expect(r.steps).toEqual([
      { iteration: 1, constrained: 'instructions', chosen: 'fc1: 3 of 6 neurons', instructions: 10_500, instructionsWorstCase: 10_500, ramBytes: 1400, flashBytes: 7000, validation: 0.91, sparsity: 0.05, params: 160, macs: 120, proposals: 3, seconds: 1.5, recovery: null, repeated: 0 },
      { iteration: 2, constrained: 'ramBytes', chosen: 'fc2: 3 of 4 neurons', instructions: 9000, instructionsWorstCase: 9000, ramBytes: 1200, flashBytes: 5000, validation: 0.895, sparsity: 0.1, params: 120, macs: 90, proposals: 2, seconds: 2.25, recovery: null, repeated: 0 },
      { iteration: 3, constrained: 'ramBytes', chosen: null, instructions: 9000, instructionsWorstCase: 9000, ramBytes: 1200, flashBytes: 5000, validation: 0.895, sparsity: expect.closeTo(0.15, 12), params: 80, macs: 60, proposals: 4, seconds: 0.8, recovery: null, repeated: 0 },
    ]);
  });

  it('carries the estimated costs, the stop reason, the target, the budgets as given and the files', () => {
    const r = buildReport(reportInput({ search: searchResult({ met: false, stoppedBecause: 'the search used its 3 iterations' }) }));
    expect(r.estimatedCosts).toEqual({ dense: denseCosts, final: finalCosts });
    expect(r.stoppedBecause).toBe('the search used its 3 iterations');
    expect(r.target).toMatchObject({ name: 'stm32f405', emulator: 'qemu netduinoplus2' });
    expect(r.budgets.map((b) => b.givenAs)).toEqual(budgets.map((b) => b.givenAs));
    expect(r.files).toEqual(['c/model.c', 'model.onnx', 'report.html', 'report.json']);
    expect(r.model).toBe('tiny-mlp');
    // The report is plain data (it is written as report.json).
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });
});
