// EP_RQ_FAST_ONLY: model.c defines it when every per-channel requantization shift of the model (conv, dense, sparse:
// ep__rq_apply_ch) is in [33, 55], and the kernels then carry no test of the shift and no exact rule's code; a layer
// with a shift outside keeps both (src/emit/c/requant-shifts.ts). The shifts that are literal arguments (Int8Add's
// output) or read once per call (the average pool's whole windows) keep their test either way. Every case bit-exact
// against the interpreter and the host C in QEMU on lm3s6965 (Cortex-M3) and mps2-an386 (Cortex-M4, DSP path), on
// the adversarial vectors (random int8 among them): the exact rule, out of line, where a shift needs it.
import { describe, expect, it } from 'vitest';
import { missingTools } from '../../bench/kernels/bench-lib.js';
import { compileToC } from '../../src/emit/c/compile-c.js';
import { compileInt8LevelsToC } from '../../src/levels/compile-levels.js';
import { GraphBuilder } from '../../src/ir/builder.js';
import type { Graph } from '../../src/ir/graph.js';
import { findMcuTarget } from '../../src/targets/load-targets.js';
import { adversarialVectors } from '../../src/verify/adversarial-vectors.js';
import { zeroPointVectors } from '../../src/verify/zero-point-vectors.js';
import { verifyOnTarget } from '../../src/verify/verify-mcu.js';
import { int8AddModel, int8AveragePoolModel, int8DenseModel } from '../support/int8-models.js';
import { skipForMissingTools } from '../support/toolchain.js';

const skip = skipForMissingTools('test/c-kernels/requant-fast-only-qemu.test.ts', await missingTools());

const DEFINE = '#define EP_RQ_FAST_ONLY 1';
const defines = (g: Graph) => compileToC(g).files.get('model.c')!.includes(DEFINE);

/** The models, each with its shifts inside the fast form's range and outside. */
const CASES: [string, Graph, Graph][] = [
  ['dense (per-channel shift 36 / 32)', int8DenseModel(0.01), int8DenseModel(0.001)],
  ['Int8Add (output shift 51 / 31)', int8AddModel([1, 4, 5, 5], 0.07), int8AddModel([1, 4, 5, 5], 1e-7)],
  ['average pool (whole-window shift 34 / 32)', int8AveragePoolModel(0.2), int8AveragePoolModel(0.05)],
];

describe('EP_RQ_FAST_ONLY in model.c', () => {
  it('is defined for a dense layer whose per-channel shifts are in [33, 55], not for one with a shift outside', () => {
    expect(defines(int8DenseModel(0.01))).toBe(true);
    expect(defines(int8DenseModel(0.001))).toBe(false);
  });

  it('is defined whatever the shifts of an Int8Add or an average pool, which keep their own test', () => {
    for (const [, inside, outside] of CASES.slice(1)) {
      expect(defines(inside)).toBe(true);
      expect(defines(outside)).toBe(true);
    }
  });

  it('is not written for a float model, and a levels library defines it only when every level may', () => {
    const b = new GraphBuilder('float');
    const x = b.input('x', 'float32', [1, 8]);
    b.output(b.op('Relu', [x]));
    expect(compileToC(b.build()).files.get('model.c')).not.toContain('EP_RQ_FAST_ONLY');
    // Two "levels" of one interface: the same layer, the second at a shift outside in the second library.
    const levels = (...gs: Graph[]) => [...compileInt8LevelsToC(gs).files.values()].some((f) => f.includes(DEFINE));
    expect(levels(int8DenseModel(0.01), int8DenseModel(0.01))).toBe(true);
    expect(levels(int8DenseModel(0.01), int8DenseModel(0.001))).toBe(false);
  });
});

describe.skipIf(skip)('both builds in QEMU: interpreter = host C = target, bit for bit', () => {
  it.each(['lm3s6965', 'mps2-an386'])('on %s', async (name) => {
    for (const [label, ...graphs] of CASES) {
      for (const g of graphs) {
        // Zeros, both extremes, alternating extremes (saturating sums), random int8; and each input at its zero point.
        const vectors = [...adversarialVectors(g), ...zeroPointVectors(g)].map((a) => a.inputs);
        const r = await verifyOnTarget(g, 'requant', { target: findMcuTarget(name), vectors: { inputs: vectors, source: 'random and adversarial' } });
        expect(r.results.filter((v) => v.problem).map((v) => v.problem), label).toEqual([]);
        expect(r.bitExactVectors, label).toBe(vectors.length);
        expect(r.hostBitIdentical, label).toBe(true);
      }
    }
  }, 600_000);
});
