// The FPGA cost model's calibration suite: small seeded int8 MLPs (Int8Gemm chains, built directly in edgeprune's
// int8 ops) lowered to RTL at reuse factors, mappings and multiplier widths that vary every term of features.ts:
// folded layers with vector and serial input, products as shifts and adds or as multiplies, per-channel and
// per-tensor requantization, 15- (iCE40) or 16-bit (xc7) and 31-bit multipliers, layers at reuse factor 1 dense and
// pruned, collectors and argmax. calibrate.ts synthesizes each layer of each design on its own.

import { lowerToRtl, type RtlDesign } from '../../emit/verilog/lower-rtl.js';
import { attr, GraphBuilder } from '../../ir/builder.js';
import type { Graph } from '../../ir/graph.js';
import { Tensor } from '../../ir/tensor.js';
import { EDGEPRUNE_DOMAIN } from '../../ops/util/int8-params.js';
import { Random } from '../../util/random.js';
import type { FpgaMapping } from './features.js';

export interface SuiteMlp {
  /** Layer widths, input first (8-16-4: two Int8Gemm layers). */
  sizes: number[];
  seed: number;
  /** One weight scale per layer (shared requantization constants) instead of one per output. */
  perTensor?: boolean;
  /** The quantizer's multiplier_bits (default 31). */
  multiplierBits?: number;
  /** Fraction of weights set to zero. */
  sparsity?: number;
  argmax?: boolean;
}

/** float [1, sizes[0]] → QuantizeLinear → Int8Gemm layers fc1, fc2, ... (no activation clamp; output zero point −128, the last's 5) [→ ArgMax]. */
export function suiteMlp(m: SuiteMlp): Graph {
  const b = new GraphBuilder(`mlp_${m.sizes.join('_')}`);
  const rng = new Random(m.seed);
  const float = (v: number[], name: string, shape = [v.length]) => b.initializer(name, Tensor.fromNumbers('float32', shape, v));
  const int8 = (v: number, name: string) => b.initializer(name, Tensor.fromNumbers('int8', [1], [v]));
  let x = b.node('QuantizeLinear', [b.input('x', 'float32', [1, m.sizes[0]]), float([1 / 32], 'xs'), int8(-3, 'xz')], {}, { name: 'q', outputs: ['xq'] })[0];
  let zp = -3;
  for (let i = 1; i < m.sizes.length; i++) {
    const [nIn, nOut] = [m.sizes[i - 1], m.sizes[i]];
    const w = Array.from({ length: nIn * nOut }, () => (rng.uniform(0, 1) < (m.sparsity ?? 0) ? 0 : rng.int(255) - 127));
    const scales = Array.from({ length: m.perTensor ? 1 : nOut }, () => rng.uniform(0.5, 4) / (16 * Math.sqrt(nIn) * 64));
    const bias = Array.from({ length: nOut }, () => rng.int(2001) - 1000);
    const last = i === m.sizes.length - 1;
    x = b.node(
      'Int8Gemm',
      [x, float([1 / 32], `xs${i}`), int8(zp, `xz${i}`), b.initializer(`w${i}`, Tensor.fromNumbers('int8', [nOut, nIn], w)), float(scales, `ws${i}`), float([1 / 32], `ys${i}`), int8(last ? 5 : -128, `yz${i}`), b.initializer(`b${i}`, Tensor.fromNumbers('int32', [nOut], bias))],
      { act_min: attr.int(-128), ...(m.multiplierBits ? { multiplier_bits: attr.int(m.multiplierBits) } : {}) },
      { name: `fc${i}`, outputs: [`h${i}`], domain: EDGEPRUNE_DOMAIN },
    )[0];
    zp = last ? 5 : -128;
  }
  if (m.argmax) x = b.node('ArgMax', [x], { axis: attr.int(1), keepdims: attr.int(1) }, { name: 'class', outputs: ['cls'] })[0];
  b.output(x);
  return b.build();
}

export interface SuiteDesign {
  name: string;
  mlp: SuiteMlp;
  /** Reuse factor per layer (fc1, fc2, ...; absent: 1). */
  reuse: number[];
  mapping: FpgaMapping;
  productsInLogic?: boolean;
}

/** The iCE40 suite (15-bit multipliers as FPGA commands quantize for iCE40, and some at 31 bits). */
export const ICE40_SUITE: readonly SuiteDesign[] = [
  // Folded, vector input, products as shifts and adds, requantizers on DSP blocks (the digits MLP's mapping).
  { name: 'f16x8-rf32-logic', mlp: { sizes: [16, 8], seed: 1, multiplierBits: 15 }, reuse: [32], mapping: 'dsp', productsInLogic: true },
  { name: 'f32x16-rf64-logic', mlp: { sizes: [32, 16], seed: 2, multiplierBits: 15 }, reuse: [64], mapping: 'dsp', productsInLogic: true },
  { name: 'f32x32-rf256-logic', mlp: { sizes: [32, 32], seed: 3, multiplierBits: 15, perTensor: true }, reuse: [256], mapping: 'dsp', productsInLogic: true },
  { name: 'f64x16-rf256-logic', mlp: { sizes: [64, 16], seed: 4, multiplierBits: 15 }, reuse: [256], mapping: 'dsp', productsInLogic: true },
  { name: 'f24x12-rf72-logic', mlp: { sizes: [24, 12], seed: 5, multiplierBits: 31 }, reuse: [72], mapping: 'dsp', productsInLogic: true },
  // Folded chains: the second layer at P = 1 takes its input serially (block RAM), collected at the end.
  { name: 'f16-16-8-serial', mlp: { sizes: [16, 16, 8], seed: 6, multiplierBits: 15 }, reuse: [64, 128], mapping: 'dsp', productsInLogic: true },
  { name: 'f32-32-10-serial', mlp: { sizes: [32, 32, 10], seed: 7, multiplierBits: 15 }, reuse: [512, 320], mapping: 'dsp', productsInLogic: true },
  { name: 'f8-48-24-serial', mlp: { sizes: [8, 48, 24], seed: 8, multiplierBits: 15, perTensor: true }, reuse: [96, 1152], mapping: 'dsp', productsInLogic: true },
  { name: 'f64-32-serial', mlp: { sizes: [16, 64, 32], seed: 9, multiplierBits: 15 }, reuse: [512, 2048], mapping: 'dsp', productsInLogic: true },
  // Folded with products as multiplies: on DSP blocks, and everything in logic.
  { name: 'f16x8-rf16-dsp', mlp: { sizes: [16, 8], seed: 10, multiplierBits: 15 }, reuse: [16], mapping: 'dsp' },
  { name: 'f32x8-rf64-dsp', mlp: { sizes: [32, 8], seed: 11, multiplierBits: 31 }, reuse: [64], mapping: 'dsp' },
  { name: 'f16x8-rf32-lut', mlp: { sizes: [16, 8], seed: 12, multiplierBits: 15 }, reuse: [32], mapping: 'lut' },
  { name: 'f32x16-rf128-lut', mlp: { sizes: [32, 16, 4], seed: 13, multiplierBits: 15 }, reuse: [128, 64], mapping: 'lut' },
  { name: 'f24x8-rf24-lut', mlp: { sizes: [24, 8], seed: 14, multiplierBits: 31, perTensor: true }, reuse: [24], mapping: 'lut' },
  // Reuse factor 1 in logic (what auto mapping picks on iCE40 for all but tiny layers), dense and pruned, with argmax.
  { name: 'r4-4-4-argmax', mlp: { sizes: [4, 4, 4], seed: 15, argmax: true }, reuse: [1, 1], mapping: 'lut' },
  { name: 'r8-6-15bit', mlp: { sizes: [8, 6], seed: 16, multiplierBits: 15 }, reuse: [1], mapping: 'lut' },
  { name: 'r12-8-pruned', mlp: { sizes: [12, 8, 5], seed: 17, multiplierBits: 15, sparsity: 0.6, argmax: true }, reuse: [1, 1], mapping: 'lut' },
  { name: 'r6-10-argmax', mlp: { sizes: [6, 10], seed: 18, argmax: true }, reuse: [1], mapping: 'lut' },
  { name: 'r16-4-pruned', mlp: { sizes: [16, 4], seed: 19, multiplierBits: 31, sparsity: 0.8 }, reuse: [1], mapping: 'lut' },
  { name: 'r4-4-dsp', mlp: { sizes: [4, 3], seed: 20, multiplierBits: 15 }, reuse: [1], mapping: 'dsp' },
];

/**
 * The xc7 suite (16-bit multipliers as FPGA commands quantize for xc7, and some at 31 bits): the iCE40 suite's shapes,
 * and the shapes the DSP48E1 and RAMB18/36 structure turns on (products on DSP blocks per-tensor and at 31 bits, wide
 * weight ROMs that take several block RAMs, layers at reuse factor 1 on DSP blocks). synth_xilinx takes 3 to 40 s a
 * layer here: the whole suite runs in minutes.
 */
export const XC7_SUITE: readonly SuiteDesign[] = [
  // Folded, vector input, products as shifts and adds, requantizers on DSP blocks.
  { name: 'f16x8-rf32-logic', mlp: { sizes: [16, 8], seed: 1, multiplierBits: 16 }, reuse: [32], mapping: 'dsp', productsInLogic: true },
  { name: 'f32x16-rf64-logic', mlp: { sizes: [32, 16], seed: 2, multiplierBits: 16 }, reuse: [64], mapping: 'dsp', productsInLogic: true },
  { name: 'f32x32-rf256-logic', mlp: { sizes: [32, 32], seed: 3, multiplierBits: 16, perTensor: true }, reuse: [256], mapping: 'dsp', productsInLogic: true },
  { name: 'f64x16-rf256-logic', mlp: { sizes: [64, 16], seed: 4, multiplierBits: 16 }, reuse: [256], mapping: 'dsp', productsInLogic: true },
  { name: 'f24x12-rf72-logic', mlp: { sizes: [24, 12], seed: 5, multiplierBits: 31 }, reuse: [72], mapping: 'dsp', productsInLogic: true },
  { name: 'f48x24-rf96-logic', mlp: { sizes: [48, 24], seed: 21, multiplierBits: 16 }, reuse: [96], mapping: 'dsp', productsInLogic: true },
  // Folded chains: the second layer at P = 1 takes its input serially (block RAM), collected at the end.
  { name: 'f16-16-8-serial', mlp: { sizes: [16, 16, 8], seed: 6, multiplierBits: 16 }, reuse: [64, 128], mapping: 'dsp', productsInLogic: true },
  { name: 'f32-32-10-serial', mlp: { sizes: [32, 32, 10], seed: 7, multiplierBits: 16 }, reuse: [512, 320], mapping: 'dsp', productsInLogic: true },
  { name: 'f8-48-24-serial', mlp: { sizes: [8, 48, 24], seed: 8, multiplierBits: 16, perTensor: true }, reuse: [96, 1152], mapping: 'dsp', productsInLogic: true },
  { name: 'f64-32-serial', mlp: { sizes: [16, 64, 32], seed: 9, multiplierBits: 16 }, reuse: [512, 2048], mapping: 'dsp', productsInLogic: true },
  { name: 'f32-16-lut-serial', mlp: { sizes: [32, 16, 8], seed: 22, multiplierBits: 31 }, reuse: [128, 128], mapping: 'lut' },
  // Folded with products on DSP blocks: per-channel and per-tensor, 16 and 31 bits, wide weight ROMs (several block RAMs).
  { name: 'f16x8-rf16-dsp', mlp: { sizes: [16, 8], seed: 10, multiplierBits: 16 }, reuse: [16], mapping: 'dsp' },
  { name: 'f32x8-rf64-dsp', mlp: { sizes: [32, 8], seed: 11, multiplierBits: 31 }, reuse: [64], mapping: 'dsp' },
  { name: 'f32x16-rf32-dsp-tensor', mlp: { sizes: [32, 16], seed: 23, multiplierBits: 16, perTensor: true }, reuse: [32], mapping: 'dsp' },
  { name: 'f64x32-rf128-dsp', mlp: { sizes: [64, 32], seed: 24, multiplierBits: 16 }, reuse: [128], mapping: 'dsp' },
  { name: 'f64x64-rf256-dsp', mlp: { sizes: [64, 64], seed: 25, multiplierBits: 16 }, reuse: [256], mapping: 'dsp' },
  { name: 'f32x10-rf40-dsp', mlp: { sizes: [32, 10], seed: 26, multiplierBits: 16 }, reuse: [40], mapping: 'dsp' },
  // Folded, everything in logic.
  { name: 'f16x8-rf32-lut', mlp: { sizes: [16, 8], seed: 12, multiplierBits: 16 }, reuse: [32], mapping: 'lut' },
  { name: 'f32x16-rf128-lut', mlp: { sizes: [32, 16, 4], seed: 13, multiplierBits: 16 }, reuse: [128, 64], mapping: 'lut' },
  { name: 'f24x8-rf24-lut', mlp: { sizes: [24, 8], seed: 14, multiplierBits: 31, perTensor: true }, reuse: [24], mapping: 'lut' },
  { name: 'f32x8-rf64-lut-tensor', mlp: { sizes: [32, 8], seed: 27, multiplierBits: 16, perTensor: true }, reuse: [64], mapping: 'lut' },
  // Reuse factor 1 in logic, dense and pruned, with argmax; and on DSP blocks.
  { name: 'r4-4-4-argmax', mlp: { sizes: [4, 4, 4], seed: 15, argmax: true }, reuse: [1, 1], mapping: 'lut' },
  { name: 'r8-6-16bit', mlp: { sizes: [8, 6], seed: 16, multiplierBits: 16 }, reuse: [1], mapping: 'lut' },
  { name: 'r12-8-pruned', mlp: { sizes: [12, 8, 5], seed: 17, multiplierBits: 16, sparsity: 0.6, argmax: true }, reuse: [1, 1], mapping: 'lut' },
  { name: 'r6-10-argmax', mlp: { sizes: [6, 10], seed: 18, argmax: true }, reuse: [1], mapping: 'lut' },
  { name: 'r16-4-pruned', mlp: { sizes: [16, 4], seed: 19, multiplierBits: 31, sparsity: 0.8 }, reuse: [1], mapping: 'lut' },
  { name: 'r4-4-dsp', mlp: { sizes: [4, 3], seed: 20, multiplierBits: 16 }, reuse: [1], mapping: 'dsp' },
  { name: 'r8-6-dsp-pruned', mlp: { sizes: [8, 6], seed: 28, multiplierBits: 16, sparsity: 0.5 }, reuse: [1], mapping: 'dsp' },
  { name: 'r6-4-dsp-31bit', mlp: { sizes: [6, 4, 3], seed: 29, multiplierBits: 31, argmax: true }, reuse: [1, 1], mapping: 'dsp' },
  { name: 'r4-4-4-4-dsp-31bit', mlp: { sizes: [4, 4, 4, 4], seed: 30, multiplierBits: 31 }, reuse: [1, 1, 1], mapping: 'dsp' },
  { name: 'r8-8-dsp', mlp: { sizes: [8, 8], seed: 31, multiplierBits: 16 }, reuse: [1], mapping: 'dsp' },
  { name: 'r12-6-dsp-pruned-argmax', mlp: { sizes: [12, 6], seed: 32, multiplierBits: 31, sparsity: 0.7, argmax: true }, reuse: [1], mapping: 'dsp' },
];

/** The suite design's RTL (its layers are the calibration cases). */
export function suiteDesign(s: SuiteDesign): RtlDesign {
  const reuseFactors = Object.fromEntries(s.reuse.map((rf, i) => [`fc${i + 1}`, rf]));
  return lowerToRtl(suiteMlp(s.mlp), { reuseFactors, productsInLogic: s.productsInLogic ?? false });
}
