// The int8 kernels of the digits CNN and MLP on lm3s6965 (Cortex-M3, no DSP extension) in QEMU: the keys the
// data-dependence table marks independent (the tiled conv, the max pool, the dense layers and the addition at the usual
// requantization shifts) give one count on every adversarial vector, and the calls found varying there (the
// quantization's rounding ties, the exact requantization of the generic conv, of a global average pool of four taps, of
// an addition and of a dense layer whose shift is below 33) are marked dependent and measure at most verify's bound of
// them.
import { describe, expect, it } from 'vitest';
import { missingTools } from '../../bench/kernels/bench-lib.js';
import { loadCalibration } from '../../src/cost/calibration.js';
import { counterResolution } from '../../src/cost/check-independence.js';
import { lowerForCost } from '../../src/cost/lowered.js';
import { measureOnTarget } from '../../src/cost/measure.js';
import { calibrationSuite } from '../../src/cost/suite.js';
import { currentWorstCaseCalibration } from '../../src/cost/worst-case-calibration.js';
import { predictWorstCase } from '../../src/cost/worst-case.js';
import { GraphBuilder } from '../../src/ir/builder.js';
import { Tensor } from '../../src/ir/tensor.js';
import { findMcuTarget } from '../../src/targets/load-targets.js';
import { adversarialVectors, calibrationAdversarialVectors } from '../../src/verify/adversarial-vectors.js';
import { int8AddModel, int8DenseModel } from '../support/int8-models.js';
import { skipForMissingTools } from '../support/toolchain.js';

const skip = skipForMissingTools('test/verify/int8-worst-case-qemu.test.ts', await missingTools());

/** The digits CNN's input quantization (scale and zero point of its int8 build on the digits data). */
function cnnQuantize() {
  const b = new GraphBuilder('quantize_s8');
  const x = b.input('x', 'float32', [1, 64]);
  b.output(b.op('QuantizeLinear', [x, b.initializer('scale', Tensor.fromNumbers('float32', [1], [0.06279085])), b.initializer('zero_point', Tensor.fromNumbers('int8', [1], [-128]))]));
  return b.build();
}

describe.skipIf(skip)('int8 worst case on lm3s6965 in QEMU', () => {
  it('gives one count for the independent int8 keys and at most the priced worst for the varying ones', async () => {
    const target = findMcuTarget('lm3s6965');
    const cal = loadCalibration(target);
    const worstCal = currentWorstCaseCalibration(target, cal);
    expect(worstCal).not.toBeNull();
    const suite = new Map(calibrationSuite().map((c) => [c.name, c]));
    const independent = ['conv_s8.c8x8k3p1m16', 'maxpool_s8.k2s2x8', 'dense_s8.r1k64n64relu', 'dense_s8_pt.r1k64n32relu.zp-1', 'add_s8.1x8x8x8_1x8x8x8relu'].map((n) => suite.get(n)!);
    const dependent = [
      { name: 'quantize_s8.cnn', graph: cnnQuantize(), inputs: undefined },
      ...['conv_s8.gen3x12k3d2m4', 'gavgpool_s8.32x2x2'].map((n) => suite.get(n)!),
      // Int8Add's output shift 31 (a literal argument, test/support/int8-models.ts): the exact rule too.
      { name: 'add_s8.exact', graph: int8AddModel([1, 8, 8, 8], 1e-7), inputs: undefined },
      { name: 'dense_s8.exact', graph: int8DenseModel(0.001), inputs: undefined },
    ];
    const cases = [...independent, ...dependent];
    const typical = (c: (typeof cases)[number]) => c.inputs?.[0] ?? adversarialVectors(c.graph)[2].inputs;
    const measured = await measureOnTarget(target, cases.map((c) => ({ name: c.name, graph: c.graph, inputs: [typical(c), ...calibrationAdversarialVectors(c.graph).map((a) => a.inputs)] })));
    const resolution = counterResolution(target);
    independent.forEach((c, i) => {
      const p = predictWorstCase(lowerForCost(c.graph), target, cal, worstCal);
      expect(p.independent, c.name).toBe(true);
      const runs = measured[i].runs;
      expect(runs.length, c.name).toBeGreaterThanOrEqual(6);
      expect(Math.max(...runs) - Math.min(...runs), `${c.name}: ${runs.join(' ')}`).toBeLessThanOrEqual(resolution);
    });
    dependent.forEach((c, j) => {
      const runs = measured[independent.length + j].runs;
      const p = predictWorstCase(lowerForCost(c.graph), target, cal, worstCal);
      for (const k of p.kernels) expect(k.dependent, `${c.name}: ${k.key}`).toBe(true);
      // As verify bounds a dependent step (src/cost/step-bound.ts; a case is one step): the priced worst plus the cost
      // model's under-prediction of the typical vector, each measured count within the counter's resolution.
      const bound = p.worst + Math.max(0, runs[0] - p.typical + resolution) + resolution;
      expect(Math.max(...runs), `${c.name}: ${runs.join(' ')} against ${p.worst} priced`).toBeLessThanOrEqual(bound);
    });
    // The exact rule is what makes the dense layer with shift 32 and the addition with output shift 31 vary (the same
    // kernels at shifts in [33, 55] did not).
    for (const j of [dependent.length - 2, dependent.length - 1]) {
      const exact = measured[independent.length + j].runs;
      expect(Math.max(...exact) - Math.min(...exact), `${dependent[j].name}: ${exact.join(' ')}`).toBeGreaterThan(resolution);
    }
    // The rounding-tie fills are what exposes the quantization: dearer than every other vector.
    const q = measured[independent.length].runs;
    const ties = calibrationAdversarialVectors(dependent[0].graph).map((a, i) => ({ name: a.name, n: q[i + 1] }));
    const tieMax = Math.max(...ties.filter((t) => t.name.startsWith('quantization ties')).map((t) => t.n));
    expect(tieMax).toBeGreaterThan(Math.max(q[0], ...ties.filter((t) => !t.name.startsWith('quantization ties')).map((t) => t.n)));
  });
});
