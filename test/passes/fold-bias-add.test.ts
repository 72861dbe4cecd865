// Folding a constant per-channel Add into a bias-less Conv / Gemm / MatMul: same bits in the interpreter, and the
// C backend then fuses the Relu after it; no fold for a run-time Add, a shared output, a wrong broadcast or a bias.
import { describe, expect, it } from 'vitest';
import { compileToC } from '../../src/emit/c/compile-c.js';
import { lowerForCost } from '../../src/cost/lowered.js';
import { attr, GraphBuilder } from '../../src/ir/builder.js';
import type { Graph } from '../../src/ir/graph.js';
import { runGraph } from '../../src/ir/interpreter.js';
import { shapeSize, Tensor } from '../../src/ir/tensor.js';
import { mnistCntkStyleCnn } from '../../src/models/sample-models.js';
import { eliminateDeadCode } from '../../src/passes/eliminate-dead-code.js';
import { foldBiasAdd, perChannelBias } from '../../src/passes/fold-bias-add.js';
import { runPasses } from '../../src/passes/pass.js';
import { Random } from '../../src/util/random.js';

const rng = new Random(13);
const rand = (shape: number[], lo = -1, hi = 1) => Tensor.fromNumbers('float32', shape, Array.from({ length: shapeSize(shape) }, () => rng.uniform(lo, hi)));

const fold = (g: Graph) => runPasses(g, [foldBiasAdd, eliminateDeadCode]);

/** The folded graph gives the source graph's output bits on a few random inputs. */
function expectSameBits(g: Graph, folded: Graph): void {
  const input = g.inputs[0];
  const out = g.outputs[0].name;
  for (let i = 0; i < 3; i++) {
    const x = rand(input.shape as number[]);
    const want = runGraph(g, { [input.name]: x }).get(out)!;
    const got = runGraph(folded, { [input.name]: x }).get(out)!;
    expect(got.shape).toEqual(want.shape);
    expect(new Uint32Array((got.data as Float32Array).buffer)).toEqual(new Uint32Array((want.data as Float32Array).buffer));
  }
}

/** x [1,3,6,6] → Conv 3x3 3→4 pad 1 (no bias) → Add(constant of `biasShape`) → Relu. */
function convAdd(biasShape: number[], options: { convBias?: boolean; constantFirst?: boolean } = {}): Graph {
  const b = new GraphBuilder('conv_add');
  const x = b.input('x', 'float32', [1, 3, 6, 6]);
  const w = b.initializer('w', rand([4, 3, 3, 3]));
  const inputs = options.convBias ? [x, w, b.initializer('b0', rand([4]))] : [x, w];
  const y = b.op('Conv', inputs, { kernel_shape: attr.ints([3, 3]), pads: attr.ints([1, 1, 1, 1]) }, 'conv');
  const c = b.initializer('plus', rand(biasShape));
  const sum = b.op('Add', options.constantFirst ? [c, y] : [y, c], {}, 'plus_node');
  b.output(b.op('Relu', [sum], {}, 'relu'));
  return b.build();
}

describe('fold-bias-add', () => {
  for (const shape of [[4, 1, 1], [1, 4, 1, 1], [1], []]) {
    it(`folds a constant Add of shape [${shape.join(',')}] into a bias-less Conv, bit for bit`, () => {
      const g = convAdd(shape);
      const folded = fold(g);
      expect(folded.nodes.map((n) => n.opType)).toEqual(['Conv', 'Relu']);
      const conv = folded.nodes[0];
      expect(conv.inputs).toHaveLength(3);
      expect(folded.initializers.get(conv.inputs[2])!.shape).toEqual([4]);
      expectSameBits(g, folded);
    });
  }

  it('folds the Add whichever side the constant is on', () => {
    const g = convAdd([4, 1, 1], { constantFirst: true });
    const folded = fold(g);
    expect(folded.nodes.map((n) => n.opType)).toEqual(['Conv', 'Relu']);
    expectSameBits(g, folded);
  });

  it('folds into a Gemm without C (alpha, beta, transB kept exact) and turns a 2-D MatMul + Add into a Gemm', () => {
    for (const kind of ['gemm', 'matmul'] as const) {
      const b = new GraphBuilder('dense_add');
      const x = b.input('x', 'float32', [2, 5]);
      const y = kind === 'gemm'
        ? b.op('Gemm', [x, b.initializer('w', rand([3, 5]))], { transB: attr.int(1), alpha: attr.float(0.5), beta: attr.float(2) })
        : b.op('MatMul', [x, b.initializer('w', rand([5, 3]))]);
      b.output(b.op('Add', [y, b.initializer('c', rand(kind === 'gemm' ? [3] : [1, 3]))]));
      const g = b.build();
      const folded = fold(g);
      expect(folded.nodes.map((n) => n.opType)).toEqual(['Gemm']);
      expectSameBits(g, folded);
    }
  });

  it('does not fold an Add of a run-time value', () => {
    const b = new GraphBuilder('runtime_add');
    const x = b.input('x', 'float32', [1, 4, 5, 5]);
    const y = b.op('Conv', [x, b.initializer('w', rand([4, 4, 1, 1]))], { kernel_shape: attr.ints([1, 1]) });
    b.output(b.op('Add', [y, x]));
    expect(foldBiasAdd.run(b.build()).changed).toBe(false);
  });

  it('does not fold when the layer output has a second consumer or is a graph output', () => {
    const b = new GraphBuilder('shared');
    const x = b.input('x', 'float32', [1, 2, 4, 4]);
    const y = b.op('Conv', [x, b.initializer('w', rand([2, 2, 1, 1]))], { kernel_shape: attr.ints([1, 1]) });
    const sum = b.op('Add', [y, b.initializer('c', rand([2, 1, 1]))]);
    b.output(b.op('Mul', [sum, y]));
    expect(foldBiasAdd.run(b.build()).changed).toBe(false);

    const b2 = new GraphBuilder('output');
    const x2 = b2.input('x', 'float32', [1, 2, 4, 4]);
    const y2 = b2.op('Conv', [x2, b2.initializer('w', rand([2, 2, 1, 1]))], { kernel_shape: attr.ints([1, 1]) });
    b2.output(b2.op('Add', [y2, b2.initializer('c', rand([2, 1, 1]))]));
    b2.output(y2);
    expect(foldBiasAdd.run(b2.build()).changed).toBe(false);
  });

  it('does not fold a constant that broadcasts along another axis than the channels', () => {
    // [C] on NCHW lines up with W (here W = C = 4), [1,1,6,1] with H, [4,6,4] is a full tensor.
    for (const shape of [[4], [1, 1, 6, 1], [4, 6, 4]]) {
      const b = new GraphBuilder('wrong_axis');
      const x = b.input('x', 'float32', [1, 3, 6, 4]);
      const y = b.op('Conv', [x, b.initializer('w', rand([4, 3, 1, 1]))], { kernel_shape: attr.ints([1, 1]) });
      const c = b.initializer('c', rand(shape));
      b.output(b.op('Add', [y, c]));
      expect(foldBiasAdd.run(b.build()).changed, `shape [${shape.join(',')}]`).toBe(false);
    }
    // A constant of higher rank than the output would grow it.
    expect(perChannelBias(rand([1, 1, 4, 1, 1]), 4, 4)).toBeUndefined();
    expect(perChannelBias(rand([1, 4, 1, 1]), 4, 4)).toHaveLength(4);
  });

  it('leaves a layer that already has a bias (two float32 roundings would become one)', () => {
    expect(foldBiasAdd.run(convAdd([4, 1, 1], { convBias: true })).changed).toBe(false);
  });
});

describe('C backend on the CNTK-style MNIST CNN', () => {
  it('runs the bias Adds in the layers and fuses each Relu into its convolution', () => {
    const lib = compileToC(mnistCntkStyleCnn());
    expect(lib.steps.map((s) => s.summary)).toEqual([
      'Conv 5x5 1→8 + Relu', 'MaxPool 2x2', 'Conv 5x5 8→16 + Relu', 'MaxPool 3x3', 'Reshape (a view, no code)', 'Gemm 256→10',
    ]);
    // The cost model lowers the same program.
    expect(lowerForCost(mnistCntkStyleCnn()).steps.map((s) => s.summary)).toEqual(lib.steps.map((s) => s.summary));
  });
});
