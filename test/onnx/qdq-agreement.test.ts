// Agreement with onnxruntime on the exported QDQ model (bench/qdq-agreement.ts) and the reason for the differences:
// with exact float arithmetic (power-of-two scales) every difference is a tie, rounded half up by edgeprune and half
// to even by onnxruntime's QuantizeLinear.
import { describe, expect, it } from 'vitest';
import { measureAgreement, MODELS, ORT_MODES } from '../../bench/qdq-agreement.js';
import { attr, GraphBuilder } from '../../src/ir/builder.js';
import { runGraph } from '../../src/ir/interpreter.js';
import { Tensor } from '../../src/ir/tensor.js';
import { exportOnnx } from '../../src/onnx/export.js';
import { EDGEPRUNE_DOMAIN } from '../../src/ops/util/int8-params.js';
import { roundHalfToEven } from '../../src/ops/util/quant-round.js';
import { lowerInt8ToQdq } from '../../src/quant/onnx/qdq-export.js';
import { Random } from '../../src/util/random.js';
import { runOnnxruntime } from '../support/ort.js';
import { f32, ints, randomInts } from '../support/quantized-models.js';

describe('agreement with onnxruntime (bench/qdq-agreement.ts)', () => {
  it('realistic scales: every int8 tensor and output within 1 LSB, at least 99.9% equal, in every onnxruntime mode', async () => {
    for (const name of ['int8 MNIST-like CNN', 'int8 digits MLP', 'residual CNN (Add, average pools), quantized']) {
      const rows = await measureAgreement(name, MODELS[name], 12);
      expect(new Set(rows.map((r) => r.mode))).toEqual(new Set(Object.keys(ORT_MODES)));
      for (const r of rows) {
        expect(r.elements, `${r.mode} ${r.tensor}`).toBeGreaterThan(0);
        expect(r.maxLsb, `${r.mode} ${r.tensor}`).toBeLessThanOrEqual(1);
        expect(r.equalShare, `${r.mode} ${r.tensor}`).toBeGreaterThanOrEqual(0.999);
      }
    }
  });

  it('power-of-two scales: the layers differ (ties are frequent), by at most 1 LSB per layer', async () => {
    const rows = await measureAgreement('pow2', MODELS['int8 MNIST-like CNN, power-of-two scales'], 12);
    const layers = rows.filter((r) => !r.tensor.includes('float output'));
    expect(layers.some((r) => r.equalShare < 0.999)).toBe(true);
    for (const r of layers) expect(r.maxLsb).toBeLessThanOrEqual(1);
  });

  it('with exact float arithmetic every difference is a tie: edgeprune rounds it up, onnxruntime to even', async () => {
    // One Int8Conv on an int8 input, power-of-two scales: onnxruntime's float conv and y / y_scale are exact, so its
    // QuantizeLinear sees the exact real value v; ours computes the same v from the integer accumulator.
    const rng = new Random(11);
    const b = new GraphBuilder('pow2_conv');
    const inputs = [
      b.input('x', 'int8', [1, 3, 8, 8]),
      b.initializer('xs', f32([2 ** -6])),
      b.initializer('xz', ints('int8', [1], [-9])),
      b.initializer('w', ints('int8', [4, 3, 3, 3], randomInts(rng, 108, -3, 3))),
      // Real multipliers x_scale·w_scale/y_scale of 2, 1, 1/2 and 1/4: ties on half the outputs of channel 2, a quarter of channel 3's.
      b.initializer('ws', f32([2 ** -8, 2 ** -9, 2 ** -10, 2 ** -11])),
      b.initializer('ys', f32([2 ** -15])),
      b.initializer('yz', ints('int8', [1], [5])),
      b.initializer('bias', ints('int32', [4], [17, -30, 25, 0])),
    ];
    const [y] = b.node('Int8Conv', inputs, { pads: attr.ints([1, 1, 1, 1]) }, { name: 'conv', domain: EDGEPRUNE_DOMAIN });
    b.output(y);
    const int8 = b.build();
    // The QDQ graph, with the float value QuantizeLinear rounds as a second output.
    const qdq = lowerInt8ToQdq(int8);
    const beforeRounding = qdq.nodes.find((n) => n.outputs[0] === y)!.inputs[0];
    qdq.outputs.push({ ...qdq.values.get(beforeRounding)! });
    const bytes = exportOnnx(qdq);
    let ties = 0;
    let differ = 0;
    for (let seed = 0; seed < 6; seed++) {
      const x = Tensor.fromNumbers('int8', [1, 3, 8, 8], randomInts(new Random(seed), 192, -30, 12));
      const ours = runGraph(int8, { x }).get(y)!;
      const ort = await runOnnxruntime(bytes, { x });
      const theirs = ort.get(y)!;
      const real = ort.get(beforeRounding)!;
      for (let i = 0; i < ours.size; i++) {
        const v = real.at(i) / 2 ** -15; // the real value in output LSB, before the zero point (5) is added
        const tie = v - Math.floor(v) === 0.5;
        const clamp = (q: number) => Math.max(-128, Math.min(127, q + 5)) + 0; // (+ 0: no -0)
        expect(ours.at(i), `element ${i}: ${v}`).toBe(clamp(tie ? Math.floor(v) + 1 : Math.round(v)));
        expect(theirs.at(i), `element ${i}: ${v}`).toBe(clamp(roundHalfToEven(v)));
        if (tie) ties++;
        if (ours.at(i) !== theirs.at(i)) differ++;
      }
    }
    expect(ties).toBeGreaterThan(100);
    expect(differ).toBeGreaterThan(50);
  });
});
