// `edgeprune calibrate --target <fpga>`: every layer of every suite design (suite.ts) synthesized on its own by Yosys
// for the target's family (and board tops of several shapes around a black-box core, board.ts), its measured LUTs and flip-flops fitted per module (non-negative least squares over the
// terms of features.ts), the structural DSP and block-RAM counts checked against the same runs, and the calibration
// written atomically to targets/calibration/<fpga>.json.

import fs from 'node:fs';
import path from 'node:path';
import { synthesize, type SynthesisResources } from '../../../hw-sim/yosys/synth.js';
import { renderRtl, rtlLibraryFiles } from '../../emit/verilog/emit-rtl.js';
import type { RtlDesign } from '../../emit/verilog/lower-rtl.js';
import type { RtlLayer } from '../../emit/verilog/rtl-layer.js';
import type { FpgaTarget } from '../../targets/schema.js';
import { makeTempDir, removeTempDir } from '../../util/temp-dir.js';
import { roundSignificant } from '../calibration.js';
import { fitTerms } from '../fit.js';
import { currentModuleHashes, FPGA_CALIBRATION_FORMAT, fpgaCalibrationPath, writeFpgaCalibrationFile, type FpgaCalibration } from './calibration.js';
import { layerFeatures, MODULE_TERMS, type FpgaMapping, type LayerFeatures } from './features.js';
import { ICE40_SUITE, suiteDesign, XC7_SUITE, type SuiteDesign } from './suite.js';
import { measureBoardSuite } from './board.js';

/** One layer of a design as a design of its own (the same instance, the core's ports around it). */
export function layerDesign(design: RtlDesign, layer: RtlLayer, top = 'ep_cost_layer'): RtlDesign {
  return { ...design, top, layers: [layer], input: { value: layer.input, format: layer.inFormat }, output: { value: layer.output, format: layer.outFormat } };
}

/** Yosys's resources of a design's core for the target's family with this mapping. */
export async function synthesizeCore(design: RtlDesign, family: FpgaTarget['family'], mapping: FpgaMapping): Promise<SynthesisResources> {
  const work = makeTempDir('fpga-cost');
  try {
    const file = path.join(work, `${design.top}.v`);
    fs.writeFileSync(file, renderRtl(design));
    return await synthesize({ verilog: [file, ...rtlLibraryFiles(design)], top: design.top, family, dsp: mapping === 'dsp' });
  } finally {
    removeTempDir(work);
  }
}

export interface FpgaCalibrationCase {
  name: string;
  features: LayerFeatures;
  measured: { luts: number; ffs: number; dsps: number; brams: number };
}

export interface FpgaCaseError {
  name: string;
  module: string;
  luts: { measured: number; fitted: number };
  ffs: { measured: number; fitted: number };
  dsps: { measured: number; predicted: number };
  brams: { measured: number; predicted: number };
}

export interface FpgaCalibrationRun {
  calibration: FpgaCalibration;
  cases: FpgaCaseError[];
  file: string | null;
  durationMs: number;
}

/** The suite of a target's family. */
export function fpgaSuite(target: FpgaTarget): readonly SuiteDesign[] {
  return target.family === 'xc7' ? XC7_SUITE : ICE40_SUITE;
}

/** Synthesize every layer of the suite (one Yosys run per layer). */
export async function measureSuite(target: FpgaTarget, suite: readonly SuiteDesign[], log?: (line: string) => void): Promise<FpgaCalibrationCase[]> {
  const cases: FpgaCalibrationCase[] = [];
  for (const s of suite) {
    const design = suiteDesign(s);
    for (const [i, layer] of design.layers.entries()) {
      const features = layerFeatures(layer, target.family, s.mapping);
      if (!features) continue;
      const r = await synthesizeCore(layerDesign(design, layer), target.family, s.mapping);
      const name = `${s.name}/${i}:${features.module}`;
      cases.push({ name, features, measured: { luts: r.luts, ffs: r.flipFlops, dsps: r.dsps, brams: r.blockRams } });
      log?.(`  ${name}: ${r.luts} LUT, ${r.flipFlops} FF, ${r.dsps} DSP, ${r.blockRams} BRAM`);
    }
  }
  return cases;
}

const predictTerms = (coefficients: Record<string, number>, terms: Record<string, number>) => Object.entries(terms).reduce((s, [t, v]) => s + (coefficients[t] ?? 0) * v, 0);

/** Fit every module's LUT and flip-flop formulas to the measured cases. */
export function fitFpgaCalibration(target: FpgaTarget, cases: readonly FpgaCalibrationCase[], measuredOn: string): { calibration: FpgaCalibration; errors: FpgaCaseError[] } {
  const kernels: FpgaCalibration['kernels'] = {};
  for (const [module, terms] of Object.entries(MODULE_TERMS)) {
    const mine = cases.filter((c) => c.features.module === module);
    if (mine.length === 0) continue;
    // Relative errors, with a floor of 20 cells so that tiny cases do not dominate the fit.
    const luts = fitTerms([...terms.lut], mine.map((c) => ({ terms: c.features.lutTerms, y: c.measured.luts })), 20);
    const ffs = fitTerms([...terms.ff], mine.map((c) => ({ terms: c.features.ffTerms, y: c.measured.ffs })), 20);
    const round = (r: Record<string, number>) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, roundSignificant(v)]));
    kernels[module] = {
      luts: round(luts.coefficients),
      ffs: round(ffs.coefficients),
      fit: {
        luts: { cases: mine.length, maxError: roundSignificant(luts.maxRelError, 4), rmsError: roundSignificant(luts.rmsRelError, 4) },
        ffs: { cases: mine.length, maxError: roundSignificant(ffs.maxRelError, 4), rmsError: roundSignificant(ffs.rmsRelError, 4) },
      },
    };
  }
  const calibration: FpgaCalibration = {
    format: FPGA_CALIBRATION_FORMAT,
    about: [
      `FPGA cost model of ${target.name} (${target.family}): LUTs and flip-flops of each library module as a linear formula of its terms (src/cost/fpga/features.ts), fitted by non-negative least squares to Yosys runs of every layer of the calibration suite (src/cost/fpga/suite.ts) on its own.`,
      'DSP blocks and block RAMs are not fitted: they follow from the structure (src/cost/fpga/structure.ts); cycles come from the schedule (exact).',
      'Written by edgeprune calibrate --target ' + target.name + '; stale when a module listed under "modules" changes.',
    ],
    target: target.name,
    family: target.family,
    measuredOn,
    modules: currentModuleHashes(),
    kernels,
  };
  const errors = cases.map((c) => {
    const k = kernels[c.features.module];
    return {
      name: c.name,
      module: c.features.module,
      luts: { measured: c.measured.luts, fitted: Math.round(predictTerms(k.luts, c.features.lutTerms)) },
      ffs: { measured: c.measured.ffs, fitted: Math.round(predictTerms(k.ffs, c.features.ffTerms)) },
      dsps: { measured: c.measured.dsps, predicted: c.features.dsps },
      brams: { measured: c.measured.brams, predicted: c.features.brams },
    };
  });
  return { calibration, errors };
}

export interface FpgaCalibrateOptions {
  /** Where to write (default targets/calibration/<target>.json); null: do not write. */
  file?: string | null;
  log?: (line: string) => void;
  /** The measuring tool's description (the Yosys version line). */
  measuredOn: string;
}

export async function calibrateFpgaTarget(target: FpgaTarget, options: FpgaCalibrateOptions): Promise<FpgaCalibrationRun> {
  const t0 = Date.now();
  const suite = fpgaSuite(target);
  if (suite.length === 0) throw new Error(`no FPGA calibration suite for the ${target.family} family`);
  options.log?.(`synthesizing the layers of ${suite.length} suite designs for ${target.name} (Yosys ${target.yosys.command})`);
  const cases = [...(await measureSuite(target, suite, options.log)), ...(await measureBoardSuite(target, options.log))];
  const { calibration, errors } = fitFpgaCalibration(target, cases, options.measuredOn);
  const file = options.file === null ? null : (options.file ?? fpgaCalibrationPath(target));
  if (file) writeFpgaCalibrationFile(calibration, file);
  return { calibration, cases: errors, file, durationMs: Date.now() - t0 };
}
