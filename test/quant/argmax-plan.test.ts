// How the quantizer plans a final ArgMax: on the int8 values, a Softmax over the same axis before it dropped; refusals.
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { attr } from '../../src/ir/builder.js';
import type { Graph } from '../../src/ir/graph.js';
import { planQuantization } from '../../src/quant/plan.js';
import { quantizeModel } from '../../src/quant/quantize.js';
import { feeds, ModelBuilder } from './quant-models.js';

/** input [1, 4] → Gemm 4→3 → (Softmax over softmaxAxis) → ArgMax over argMaxAxis (→ Cast, when the index is read on). */
function head(o: { softmaxAxis?: number; argMaxAxis?: number; castAfter?: boolean } = {}): Graph {
  const m = new ModelBuilder('head');
  let y = m.dense(m.b.input('x', 'float32', [1, 4]), 4, 3, 'fc');
  if (o.softmaxAxis !== undefined) y = m.b.op('Softmax', [y], { axis: attr.int(o.softmaxAxis) }, 'softmax');
  y = m.b.op('ArgMax', [y], { axis: attr.int(o.argMaxAxis ?? 1), keepdims: attr.int(1) }, 'argmax');
  if (o.castAfter) y = m.b.op('Cast', [y], { to: attr.int(1) }, 'cast');
  m.b.output(y);
  return m.b.build();
}

function refusal(g: Graph): UserError {
  try {
    quantizeModel(g, feeds(g, 4));
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    return e as UserError;
  }
  throw new Error('quantizeModel did not refuse');
}

describe('the quantization plan of a final ArgMax', () => {
  it('reads the int8 logits, with the Softmax over the same axis (-1 is 1 here) dropped', () => {
    const plain = planQuantization(head()).steps.at(-1)!;
    expect(plain).toMatchObject({ kind: 'index-tail', input: 'fc_out', output: 'argmax_out' });
    const softmax = planQuantization(head({ softmaxAxis: -1 })).steps;
    expect(softmax.map((s) => s.kind)).toEqual(['dense', 'index-tail']);
    expect(softmax[1]).toMatchObject({ input: 'fc_out', dropped: { name: 'softmax' } });
    expect(planQuantization(head({ softmaxAxis: -1 })).calibrated).not.toContain('argmax_out');
  });

  it('keeps ArgMax only as the last op', () => {
    expect(refusal(head({ castAfter: true })).message).toBe(
      "node 'argmax' (ArgMax): an ArgMax is kept only as the last op (its int64 indices are a graph output); here its output feeds other nodes",
    );
  });

  it('keeps a Softmax over another axis than the ArgMax\'s (not monotonic along it), and refuses it there', () => {
    expect(refusal(head({ softmaxAxis: 1, argMaxAxis: 0 })).message).toMatch(/^node 'softmax' \(Softmax\): a Softmax is kept only as the last op/);
  });
});
