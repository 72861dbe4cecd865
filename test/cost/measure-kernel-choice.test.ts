// The calibrations measure a suite case with the kernel their analysis prices it as (lowerForCost, no estimator):
// measureOnTarget's kernelChoice 'built-in'. With the target's cost model choosing instead, conv.c6x10k1m3 ran the
// sparse conv on stm32f405 and was fitted as the dense conv, and a refit could flip the choice back.
import { describe, expect, it } from 'vitest';
import { lowerForCost } from '../../src/cost/lowered.js';
import { measureOnTarget } from '../../src/cost/measure.js';
import { calibrationSuite } from '../../src/cost/suite.js';
import { findMcuTarget } from '../../src/targets/load-targets.js';
import { skipWithoutTools } from '../support/toolchain.js';

const skip = await skipWithoutTools('test/cost/measure-kernel-choice.test.ts', ['arm-none-eabi-gcc', 'qemu-system-arm']);

describe.skipIf(skip)('measureOnTarget kernelChoice', () => {
  it("'built-in' runs the kernel lowerForCost prices; 'target' may run another", async () => {
    const target = findMcuTarget('stm32f405');
    const c = calibrationSuite().find((s) => s.name === 'conv.c6x10k1m3')!;
    expect(c.sparse).toBeUndefined();
    expect(lowerForCost(c.graph, { sparse: c.sparse }).steps.flatMap((s) => s.calls).map((k) => k.kernel)).toEqual(['ep_conv2d_f32']);
    const one = (name: string, sparse?: 'never') => ({ name, graph: c.graph, sparse, inputs: c.inputs });
    const [dense] = await measureOnTarget(target, [one('dense', 'never')], { kernelChoice: 'target' });
    const [builtIn] = await measureOnTarget(target, [one('builtin')], { kernelChoice: 'built-in' });
    const [byTarget] = await measureOnTarget(target, [one('target')], { kernelChoice: 'target' });
    expect({ instructions: builtIn.instructions, flash: builtIn.flashBytes }).toEqual({ instructions: dense.instructions, flash: dense.flashBytes });
    // The calibrated cost model predicts the sparse conv cheaper for this 1×1 conv: other code, another count.
    expect(byTarget.flashBytes).not.toBe(dense.flashBytes);
    expect(byTarget.instructions).not.toBe(dense.instructions);
  });
});
