// The FPGA cost model on xc7 (synth_xilinx): mul2dsp's DSP48E1 split (25 × 18, signed, slices of 17 bits) and the
// RAMB18E1/RAMB36E1 tiling against Yosys on bare multiplies and a suite layer; the committed xc7a35t and xc7z020
// calibrations (one fit: the same synthesis) up to date with the library; small designs predicted within 15% of Yosys
// with DSP and block RAM exact. The digits MLP on xc7a35t is in bench/fpga-cost-model.ts (--target xc7a35t).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { implementFpgaProject } from '../../hw-sim/fpga/implement.js';
import type { SynthesisResources } from '../../hw-sim/yosys/synth.js';
import { fpgaSuite, layerDesign, synthesizeCore } from '../../src/cost/fpga/calibrate.js';
import { loadFpgaCalibration, staleModules } from '../../src/cost/fpga/calibration.js';
import { layerFeatures } from '../../src/cost/fpga/features.js';
import { predictFpgaProjectCost } from '../../src/cost/fpga/predict.js';
import { bramBlocks, splitMultiply } from '../../src/cost/fpga/structure.js';
import { ICE40_SUITE, suiteDesign, XC7_SUITE } from '../../src/cost/fpga/suite.js';
import { fpgaProject } from '../../src/emit/verilog/fpga-project.js';
import { exportOnnx } from '../../src/onnx/export.js';
import { loadOnnxBytes } from '../../src/onnx/load-onnx.js';
import { findTarget } from '../../src/targets/load-targets.js';
import type { FpgaTarget } from '../../src/targets/schema.js';
import { makeTempDir, removeTempDir } from '../../src/util/temp-dir.js';
import { int8ChainModel } from '../verilog/rtl-models.js';
import { plainNames } from '../support/hostile-names.js';
import { modulesWrapper, synthesizeLeafModulesXc7 } from '../support/yosys-modules.js';

const XC7A35T = findTarget('xc7a35t') as FpgaTarget;
const rel = (predicted: number, measured: number) => Math.abs(predicted - measured) / Math.max(1, measured);

describe('structure on xc7: DSP48E1 tiles and RAMB18E1/RAMB36E1', () => {
  it('splits multiplies as synth_xilinx does (25 × 18 signed, wider operands in 17-bit slices)', () => {
    expect(splitMultiply('xc7', 8, 8, true, true, 16)).toEqual({ dsps: 1, logicBits: 0, pieces: 1 });
    // A requantizer at 16-bit multipliers: acc (≤ 25 bits) × {0, M} (17 bits) fits one block.
    expect(splitMultiply('xc7', 24, 17, true, true, 40)).toEqual({ dsps: 1, logicBits: 0, pieces: 1 });
    // At 31-bit multipliers: 32 × 32 → two 17-bit slices of each operand.
    expect(splitMultiply('xc7', 32, 32, true, true, 63)).toEqual({ dsps: 4, logicBits: 0, pieces: 4 });
    expect(splitMultiply('xc7', 32, 17, true, true, 48)).toEqual({ dsps: 2, logicBits: 0, pieces: 2 });
  });

  it('tiles memories into the cheapest block shape (RAMB18E1 = 0.5)', () => {
    expect(bramBlocks('xc7', 1024, 8)).toBe(0.5);
    expect(bramBlocks('xc7', 64, 32)).toBe(0.5);
    expect(bramBlocks('xc7', 256, 128)).toBe(2);
    expect(bramBlocks('xc7', 96, 48)).toBe(1);
  });

  // The five multiplies in one synth_xilinx run, hierarchy kept (test/support/yosys-modules.ts): each module's cells
  // are those of a `synthesize` run of it alone less the top's I/O buffers (checked, Yosys 0.23), at 5.6 CPU-s instead
  // of 22 for one synth_xilinx per module in one Yosys (a script that loaded each top in turn, removed in session 25)
  // or 33 for a Yosys per module (the file: 55.3 CPU-s instead of 72.6).
  const MULTIPLIES: [number, number][] = [[8, 8], [24, 17], [32, 17], [32, 32], [18, 26]];
  let multiplies: Promise<SynthesisResources[]> | undefined;
  function synthesizeMultiplies(): Promise<SynthesisResources[]> {
    multiplies ??= (async () => {
      const work = makeTempDir('xc7-mul');
      try {
        const file = path.join(work, 'mul.v');
        fs.writeFileSync(file, MULTIPLIES.map(([a, b]) => [
          `module mul_${a}_${b} (input wire clk, input wire signed [${a - 1}:0] a, input wire signed [${b - 1}:0] b, output reg signed [${a + b - 1}:0] y);`,
          '    always @(posedge clk) y <= a * b;',
          'endmodule',
          '',
        ].join('\n')).join(''));
        const modules = MULTIPLIES.map(([a, b]) => ({
          name: `mul_${a}_${b}`,
          ports: [{ name: 'clk', dir: 'input' as const, width: 1 }, { name: 'a', dir: 'input' as const, width: a }, { name: 'b', dir: 'input' as const, width: b }, { name: 'y', dir: 'output' as const, width: a + b }],
        }));
        return await synthesizeLeafModulesXc7([file], modules);
      } finally {
        removeTempDir(work);
      }
    })();
    return multiplies;
  }

  it('wraps the modules in one top that instantiates each once, and refuses a name that is not a plain identifier', () => {
    const ports = [{ name: 'clk', dir: 'input' as const, width: 1 }, { name: 'a', dir: 'input' as const, width: 8 }, { name: 'y', dir: 'output' as const, width: 16 }];
    const top = modulesWrapper([{ name: 'mul_8_8', ports }, { name: 'mul_24_17', ports }]);
    expect(top).toContain('    mul_8_8 u0 (.clk(clk), .a(m0_a), .y(m0_y));');
    expect(top).toContain('    mul_24_17 u1 (.clk(clk), .a(m1_a), .y(m1_y));');
    expect(top.split('\n')[0]).toBe('module ep_test_modules_top (input wire clk, input wire [7:0] m0_a, output wire [15:0] m0_y, input wire [7:0] m1_a, output wire [15:0] m1_y);');
    expect(() => modulesWrapper([{ name: 'm; shell', ports }])).toThrow(/not a plain Verilog identifier/);
  });

  it.each(MULTIPLIES.map(([a, b], i) => [a, b, i]))('a signed %i × %i multiply takes the DSP48E1s the split says', async (a, b, i) => {
    const r = (await synthesizeMultiplies())[i];
    expect(r.dsps).toBe(splitMultiply('xc7', a, b, true, true, a + b).dsps);
  });

  // r8-8-dsp: 64 weights, two of them ±2^n (shifts), one product x[2]·85 shared by two outputs, and x[7]·−56 beside
  // x[7]·−28 (not shared); r6-4-dsp-31bit: 31-bit requantization multipliers whose zero low bits are trimmed (one
  // block each, not two), three ±2^n weights and two shared products.
  it.each([
    ['r8-8-dsp', 69],
    ['r6-4-dsp-31bit', 23],
  ])('a layer at reuse factor 1 on DSP blocks (%s): constant products as Yosys maps them', async (name, blocks) => {
    const s = XC7_SUITE.find((d) => d.name === name)!;
    const design = suiteDesign(s);
    const f = layerFeatures(design.layers[0], 'xc7', s.mapping)!;
    expect(f.dsps).toBe(blocks);
    const r = await synthesizeCore(layerDesign(design, design.layers[0]), 'xc7', s.mapping);
    expect(r.dsps).toBe(f.dsps);
  });

  it('a folded layer with products on DSP blocks and a 32 × 128 weight ROM: DSP and block RAM as Yosys counts them', async () => {
    const s = XC7_SUITE.find((d) => d.name === 'f32x16-rf32-dsp-tensor')!;
    const design = suiteDesign(s);
    const layer = design.layers[0];
    const f = layerFeatures(layer, 'xc7', s.mapping)!;
    const r = await synthesizeCore(layerDesign(design, layer), 'xc7', s.mapping);
    expect({ dsps: r.dsps, brams: r.blockRams }).toEqual({ dsps: f.dsps, brams: f.brams });
    expect(f.dsps).toBe(17); // 16 products and the per-tensor requantizer
    expect(f.brams).toBe(2);
  });
});

describe.each(['xc7a35t', 'xc7z020'])('the committed calibration of %s', (name) => {
  it('is the xc7 suite fitted: every module, folded layers within 10% rms', () => {
    const cal = loadFpgaCalibration(name);
    expect(cal.family).toBe('xc7');
    expect(fpgaSuite(findTarget(name) as FpgaTarget)).toBe(XC7_SUITE);
    expect(XC7_SUITE).not.toBe(ICE40_SUITE);
    for (const m of ['ep_dense_folded', 'ep_dense_rf1', 'ep_collect', 'ep_argmax', 'ep_uart_top']) expect(cal.kernels[m], m).toBeDefined();
    expect(cal.kernels.ep_dense_folded.fit.luts.rmsError).toBeLessThan(0.1);
    expect(cal.kernels.ep_dense_folded.fit.luts.maxError).toBeLessThan(0.15);
  });
  it(`is up to date with the library modules (else: edgeprune calibrate --target ${name})`, () => {
    expect(staleModules(loadFpgaCalibration(name))).toEqual([]);
  });
});

describe('resources on xc7a35t: the prediction within 15% of Yosys (synth_xilinx), DSP and block RAM exact', () => {
  // At reuse factor 1 in LUTs the same chain takes synth_xilinx 46 s: bench/fpga-cost-model.ts --target xc7a35t
  // measures it (−7.7%), not the suite.
  it.each([
    ['folded (RF 8, then serial at RF 16), multipliers on DSP blocks', { layer_0: 8, layer_1: 16, layer_2: 16 }, 'dsp'],
  ] as const)('a chain of three 4→4 layers with argmax %s', async (_, reuseFactors: Record<string, number>, multipliers) => {
    // Measured as `verify chain.onnx --target xc7a35t --reuse-factor 16,layer_0=8 --synth` measures it (the model
    // through ONNX, top 'model', the core through Yosys with sta): test/cli/fpga-verify.test.ts runs that command, and
    // the run's FPGA result cache synthesizes the design once for both.
    const graph = loadOnnxBytes(exportOnnx(int8ChainModel(plainNames(3))), 'chain.onnx', { int8Ops: true });
    const project = fpgaProject(graph, XC7A35T, { reuseFactors, multipliers, top: 'model' });
    const predicted = predictFpgaProjectCost(project, XC7A35T).total;
    const measured = (await implementFpgaProject(project, XC7A35T, project.multipliers)).resources;
    expect(rel(predicted.luts, measured.luts), `LUT ${predicted.luts} vs ${measured.luts}`).toBeLessThan(0.15);
    expect(predicted.dsps).toBe(measured.dsps);
    expect(predicted.brams).toBe(measured.blockRams);
  });
});
