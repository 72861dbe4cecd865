// The C backend on int8 graphs without a toolchain: typed arena pointers, int8_t weights and I/O, byte-sized buffers at
// the lower bound, refusals by domain and dtype, the precision a command chooses, and the quantization inspect shows.
import { describe, expect, it } from 'vitest';
import { modelPrecision } from '../../src/analysis/model-precision.js';
import { tensorQuantization } from '../../src/analysis/quantization.js';
import { valueBytes } from '../../src/emit/c/arena.js';
import { compileToC } from '../../src/emit/c/compile-c.js';
import { cBackendOps, lowerGraph } from '../../src/emit/c/lower.js';
import { GraphBuilder } from '../../src/ir/builder.js';
import { int8MnistLikeCnn } from '../../src/models/int8-sample-models.js';
import { mnistLikeCnn } from '../../src/models/sample-models.js';
import { INT8_OPS } from '../../src/ops/families/int8.js';
import { EDGEPRUNE_DOMAIN } from '../../src/ops/util/int8-params.js';
import { findMcuTarget } from '../../src/targets/load-targets.js';
import { chooseBuildPrecision, choosePrecision, defaultPrecision } from '../../src/targets/precision.js';
import { Tensor } from '../../src/ir/tensor.js';
import { firstBitDifference, sameOutputs, tensorFromBytes } from '../../src/verify/output-bits.js';
import { int8MovesModel, int8PoolModel } from '../support/int8-models.js';

describe('C emitter on int8 values', () => {
  it('declares int8 values through int8_t arena pointers, int8 constants as int8_t arrays, and int8 I/O as int8_t', () => {
    const lib = compileToC(int8MovesModel());
    const c = lib.files.get('model.c')!;
    expect(c).toMatch(/#define MODEL_ARENA_S8\(offset\) \(\(int8_t \*\)\(model_arena \+ \(offset\)\)\)/);
    expect(c).toMatch(/ep_transpose_s8\(MODEL_ARENA_S8\(\d+\), MODEL_ARENA_S8\(\d+\), 4,/);
    // The constant block goes 2 bytes into each output row of 3: element offsets become byte offsets.
    expect(c).toMatch(/ep_copy_blocks_s8\(MODEL_ARENA_S8\((\d+)\), 3, model_w_extra, 1, 1, 15\);/);
    const [, first, second] = /ep_copy_blocks_s8\(MODEL_ARENA_S8\((\d+)\), 3, MODEL_ARENA_S8\(\d+\), 2, 2, 15\);\n\s+ep_copy_blocks_s8\(MODEL_ARENA_S8\((\d+)\)/.exec(c)!;
    expect(Number(second) - Number(first)).toBe(2);
    expect(c.split('\n').filter((l) => /^\s+ep_/.test(l)).join('\n')).not.toContain('ARENA_F32(');
    expect(lib.files.get('model_weights.c')).toContain('EP_ALIGN(8) const int8_t model_w_extra[15] = {\n  -128, -111, -94,');
    expect(lib.files.get('model.h')).toContain('int model_invoke(const int8_t *input0, int8_t *output0);');
    expect(lib.files.get('model.h')).toContain('#include <stdint.h>');
    expect(lib.files.get('model.h')).toContain(' * Precision: int8 (int8 weights and activations; inputs and outputs of the types below) */');
    expect(lib.files.get('model.h')).toContain('#define MODEL_INPUT0_ELEMENTS 30 /* int8 1x2x3x5 \'x\' */');
    expect(lib.view.weightBytes).toBe(15);
  });

  it('plans int8 buffers in bytes (4-byte aligned) and reaches the lower bound', () => {
    const g = int8MovesModel();
    const lib = compileToC(g);
    const sizes = valueBytes(lib.graph, lib.steps);
    expect(sizes.get('x')).toBe(30);
    expect(sizes.get('concat_out')).toBe(45);
    for (const b of lib.plan.buffers) {
      expect(b.offset % 4).toBe(0);
      expect(b.bytes % 4).toBe(0);
    }
    // x and the transpose (32 B each) are live together, then the transpose and the concat (32 + 48).
    expect(lib.plan.lowerBoundBytes).toBe(80);
    expect(lib.plan.arenaBytes).toBe(lib.plan.lowerBoundBytes);
  });

  it('keeps the float model\'s API and kernels unchanged: float pointers only', () => {
    const lib = compileToC(mnistLikeCnn());
    expect(lib.files.get('model.h')).toContain('int model_invoke(const float *input0, float *output0);');
    expect(lib.files.get('model.h')).toContain(' * Precision: float32 */');
    const calls = lib.files.get('model.c')!.split('\n').filter((l) => /^\s+ep_/.test(l));
    expect(calls.length).toBeGreaterThan(3);
    for (const l of calls) expect(l).not.toMatch(/ARENA_S8|ARENA_S32/);
  });

  it('emits the same bytes for the same int8 model', () => {
    for (const model of [int8MovesModel, () => int8MnistLikeCnn()]) {
      const a = compileToC(model());
      const b = compileToC(model());
      for (const [name, text] of a.files) expect(b.files.get(name), name).toBe(text);
    }
  });

  it('compiles the int8 MNIST-like CNN: float in and out, int8 in between, the arena at its lower bound in bytes', () => {
    const lib = compileToC(int8MnistLikeCnn());
    expect(lib.steps.map((s) => s.summary)).toEqual([
      'QuantizeLinear float32→int8', 'Int8Conv 5x5 1→8', 'MaxPool 2x2 int8', 'Int8Conv 5x5 8→16', 'MaxPool 3x3 int8', 'Flatten (a view, no code)', 'Int8Gemm 256→10', 'DequantizeLinear int8→float32',
    ]);
    expect(lib.files.get('model.h')).toContain('int model_invoke(const float *input0, float *output0);');
    expect(lib.files.get('model.h')).toContain(' * Precision: int8 (int8 weights and activations; the model quantizes its float inputs and dequantizes its outputs itself) */');
    // The largest live pair: conv1's output (8x28x28 int8) and pool1's (8x14x14 int8).
    expect(lib.plan.lowerBoundBytes).toBe(6272 + 1568);
    expect(lib.plan.arenaBytes).toBe(lib.plan.lowerBoundBytes);
    const c = lib.files.get('model.c')!;
    expect(c).toMatch(/ep_quantize_f32_s8\(MODEL_ARENA_F32\(0\), MODEL_ARENA_S8\(\d+\), 784,/);
    expect(c).toMatch(/ep_dequantize_s8_f32\(MODEL_ARENA_S8\(\d+\), MODEL_ARENA_F32\(0\), 10,/);
    const weights = lib.files.get('model_weights.c')!;
    expect(weights).toMatch(/const int8_t model_w_conv1_weight\[200\]/);
    expect(weights).toMatch(/const int32_t model_w_conv1_bias\[8\]/);
    // 1 byte per weight: 5,960 int8 weights, 34 int32 biases, and each output channel's multiplier (int32) and shift (int8).
    expect(lib.view.weightBytes).toBe(5960 + 34 * 4 + 34 * 5);
  });
});

describe('C lowering refusals by domain and dtype', () => {
  it('names an int8 value an op has no int8 kernel for, and lists the ops int8 values run through', () => {
    const b = new GraphBuilder('int8_relu');
    b.output(b.op('Relu', [b.input('x', 'int8', [1, 4])], {}, 'relu'));
    try {
      compileToC(b.build());
      expect.unreachable();
    } catch (e) {
      expect((e as Error).message).toBe("not supported by the C backend: node 'relu' (Relu): value 'x' is int8; the C backend runs Relu on float32 values");
      expect((e as { hint?: string }).hint).toMatch(/^C kernels exist for: Abs, .*Relu.* \(float32\); ArgMax, Concat, DequantizeLinear, .*MaxPool, QuantizeLinear, .*ai\.edgeprune\.Int8Add, ai\.edgeprune\.Int8AveragePool, ai\.edgeprune\.Int8Conv, ai\.edgeprune\.Int8Gemm, ai\.edgeprune\.Int8GlobalAveragePool \(int8\)$/);
    }
  });

  it('names a value of a type no kernel takes', () => {
    const b = new GraphBuilder('uint16');
    b.output(b.op('Flatten', [b.input('x', 'uint16', [1, 2, 2])], {}, 'flat'));
    expect(() => compileToC(b.build())).toThrow(/node 'flat' \(Flatten\): value 'x' is uint16; the C backend runs Flatten on float32 or int8 values/);
  });

  it('has a C kernel for every int8 op of ai.edgeprune, and names an op of that domain without one with its domain', () => {
    expect(cBackendOps('int8')).toEqual(expect.arrayContaining(INT8_OPS.map((op) => `${EDGEPRUNE_DOMAIN}.${op.opType}`)));
    const g = int8PoolModel();
    const pool = g.nodes.find((n) => n.opType === 'MaxPool')!;
    pool.domain = EDGEPRUNE_DOMAIN;
    pool.opType = 'Int8LpPool';
    expect(() => lowerGraph(g)).toThrow(/node 'pool' \(ai\.edgeprune\.Int8LpPool\): the op has no C kernel/);
  });
});

describe('precision of a command', () => {
  const f405 = findMcuTarget('stm32f405');
  const m3 = findMcuTarget('lm3s6965');

  it('knows a quantized model from a float one', () => {
    expect(modelPrecision(mnistLikeCnn()).precision).toBe('float32');
    const q = modelPrecision(int8PoolModel());
    expect(q.precision).toBe('int8');
    expect(q.firstInt8Node?.opType).toBe('QuantizeLinear');
    expect(modelPrecision(int8MnistLikeCnn()).firstInt8Node?.name).toBe('input_quantize');
  });

  it('defaults to float32 with an FPU and int8 without, and says why', () => {
    expect(defaultPrecision(f405)).toBe('float32');
    expect(defaultPrecision(m3)).toBe('int8');
    expect(choosePrecision(mnistLikeCnn(), f405, { command: 'compile' })).toEqual({ precision: 'float32', reason: "float32 (the default: stm32f405's cortex-m4 has an FPU, fpv4-sp-d16)" });
    expect(choosePrecision(int8PoolModel(), m3, { command: 'compile' })).toEqual({ precision: 'int8', reason: 'int8 (model is quantized)' });
    expect(choosePrecision(int8PoolModel(), f405, { requested: 'int8', command: 'compile' }).reason).toBe('int8 (model is quantized)');
    // A float model on a core without FPU: int8 would be the default, but only a quantized model can run it.
    const soft = choosePrecision(mnistLikeCnn(), m3, { command: 'verify' });
    expect(soft.precision).toBe('float32');
    expect(soft.reason).toMatch(/soft float: lm3s6965's cortex-m3 has no FPU, where int8 is the default, but the model is not quantized \(give --calibration-data, or quantize it with edgeprune quantize\)/);
    // With calibration data, the float model is quantized: for the FPU-less default or when asked.
    expect(choosePrecision(mnistLikeCnn(), m3, { command: 'compile', calibration: '10 samples of d.csv' })).toEqual({
      precision: 'int8', reason: "int8 (the default: lm3s6965's cortex-m3 has no FPU; the float model is quantized here on 10 samples of d.csv)", quantize: true,
    });
    expect(choosePrecision(mnistLikeCnn(), f405, { requested: 'int8', command: 'compile', calibration: 'd' }).quantize).toBe(true);
    expect(choosePrecision(mnistLikeCnn(), f405, { command: 'compile', calibration: 'd' })).toEqual({
      precision: 'float32', reason: "float32 (the default: stm32f405's cortex-m4 has an FPU, fpv4-sp-d16; --calibration-data is not used)",
    });
    expect(choosePrecision(int8PoolModel(), m3, { command: 'compile', calibration: 'd' }).quantize).toBeUndefined();
    expect(choosePrecision(mnistLikeCnn(), m3, { requested: 'float32', command: 'compile' }).reason).toBe('float32 (--precision float32)');
  });

  it('refuses float32 for a quantized model and int8 for a float one, saying what to do', () => {
    expect(() => choosePrecision(int8PoolModel(), f405, { requested: 'float32', command: 'compile' })).toThrow(/--precision float32: the model is quantized \(node 'quantize' \(QuantizeLinear\) computes int8 values\)/);
    try {
      choosePrecision(mnistLikeCnn(), f405, { requested: 'int8', command: 'verify' });
      expect.unreachable();
    } catch (e) {
      expect((e as Error).message).toMatch(/--precision int8: the model is float32, and quantizing it needs calibration data/);
      expect((e as { hint?: string }).hint).toMatch(/give --calibration-data <file> to quantize it here, or run edgeprune quantize <model> --data <calibration data> --out <model-int8\.onnx> first, then verify that model/);
    }
    expect(() => chooseBuildPrecision(int8PoolModel(), f405, undefined)).toThrow(/build prunes and fine-tunes a float model; this one is quantized/);
    // build prunes in float32 and quantizes the pruned model for int8: asked for, or the default without an FPU.
    expect(chooseBuildPrecision(mnistLikeCnn(), f405, 'int8')).toEqual({ precision: 'int8', reason: 'int8 (--precision int8: build prunes in float32, then quantizes the pruned model)', quantize: true });
    expect(chooseBuildPrecision(mnistLikeCnn(), m3, undefined)).toEqual({ precision: 'int8', reason: 'int8 (the default: lm3s6965\'s cortex-m3 has no FPU; build prunes in float32, then quantizes the pruned model)', quantize: true });
    expect(chooseBuildPrecision(mnistLikeCnn(), m3, 'float32')).toEqual({ precision: 'float32', reason: 'float32 (--precision float32)' });
    expect(chooseBuildPrecision(mnistLikeCnn(), f405, undefined).reason).toBe('float32 (the default: stm32f405\'s cortex-m4 has an FPU, fpv4-sp-d16)');
  });
});

describe('quantization of each tensor', () => {
  it('reads scales and zero points from the int8 ops, per channel for weights, through pooling and flattening', () => {
    const g = int8MnistLikeCnn();
    const q = tensorQuantization(g);
    const scalar = (name: string) => g.initializers.get(name)!.at(0) as number;
    expect(q.get('input_quantize_out')).toEqual({ scale: scalar('input.scale'), zeroPoint: -128 });
    expect(q.get('conv1_out')).toEqual({ scale: scalar('conv1.y_scale'), zeroPoint: -128 });
    expect(q.get('pool1_out')).toEqual(q.get('conv1_out'));
    expect(q.get('flatten_out')).toEqual(q.get('conv2_out'));
    const w = q.get('conv2.weight')!;
    expect(w.axis).toBe(0);
    expect(w.scale).toEqual(Array.from(g.initializers.get('conv2.w_scale')!.data as Float32Array));
    expect(w.zeroPoint).toEqual(new Array(16).fill(0));
    const bias = q.get('fc.bias')!;
    expect((bias.scale as number[])[3]).toBe(Math.fround(scalar('fc.x_scale') * (g.initializers.get('fc.w_scale')!.at(3) as number)));
    expect(q.has('logits_out')).toBe(false);
  });
});

describe('C outputs against the interpreter, bit for bit', () => {
  it('reads int8 and float32 outputs by dtype and names the first element whose bits differ', () => {
    const bytes = Uint8Array.from([0x80, 0x7f, 0xff, 0x00]);
    expect(Array.from(tensorFromBytes(bytes, { dtype: 'int8', shape: [4] }).data as Int8Array)).toEqual([-128, 127, -1, 0]);
    expect(tensorFromBytes(bytes, { dtype: 'float32', shape: [1] }).size).toBe(1);
    const f = (...v: number[]) => Tensor.fromNumbers('float32', [v.length], v);
    expect(firstBitDifference(f(1, NaN), f(1, -NaN))).toBeNull();
    expect(firstBitDifference(f(1, -0), f(1, 0))).toBe("element 1 is 0, the interpreter's 0");
    expect(firstBitDifference(f(1, 2), f(1, 2.0000002))).toBe("element 1 is 2, the interpreter's 2.000000238418579");
    const s8 = (...v: number[]) => Tensor.fromNumbers('int8', [v.length], v);
    expect(firstBitDifference(s8(1, 2, 3), s8(1, 2, 3))).toBeNull();
    expect(firstBitDifference(s8(1, -2, 3), s8(1, 2, 3))).toBe("element 1 is -2, the interpreter's 2");
    // Four int8 bytes that read as two different NaNs are still different int8 values.
    expect(sameOutputs(Uint8Array.from([0, 0, 0xc0, 0x7f]), Uint8Array.from([0, 0, 0xc0, 0xff]), 'int8')).toBe(false);
    expect(sameOutputs(Uint8Array.from([0, 0, 0xc0, 0x7f]), Uint8Array.from([0, 0, 0xc0, 0xff]), 'float32')).toBe(true);
  });
});
