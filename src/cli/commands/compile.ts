// `edgeprune compile <model> --target <name> --out <dir>`: write the C library and a Makefile for the target.

import type { Command } from 'commander';
import { targetEstimator } from '../../cost/estimator.js';
import { compileToC } from '../../emit/c/compile-c.js';
import { checkConstantTimeMac, CONSTANT_TIME_MAC_FLAG, CONSTANT_TIME_MAC_HELP } from '../../emit/c/constant-time-mac.js';
import type { SparseMode } from '../../emit/c/sparse-choice.js';
import { UserError } from '../../errors.js';
import { checkFitsTarget } from '../../emit/c/size-check.js';
import { projectFiles } from '../../emit/c/project-files.js';
import { loadModel } from '../../import/load-model.js';
import type { InputShapes } from '../../passes/fix-input-shapes.js';
import { DEFAULT_TARGET_NAME, findTarget, isFpgaTarget } from '../../targets/load-targets.js';
import { checkOutputDir, writeDirAtomically } from '../../util/write-dir.js';
import { terminalJson, terminalName, terminalText } from '../../util/escape.js';
import { formatBytes } from '../format.js';
import { collectInputShape } from '../options.js';
import { addPrecisionOptions, modelForPrecision, type PrecisionOptions } from '../precision-options.js';
import { parseMultiplierMapping, parseReuseFactor, type ReuseFactorSpec } from '../reuse-factor-option.js';
import type { MultiplierMapping } from '../../emit/verilog/fpga-project.js';
import { compileForFpga } from './compile-fpga.js';
import { refuseOtherKindFlags } from '../target-kind-flags.js';

interface CompileOptions extends PrecisionOptions {
  target: string;
  out: string;
  prefix?: string;
  sparse: SparseMode;
  keepInputs?: boolean;
  constantTimeMac?: boolean;
  force?: boolean;
  json?: boolean;
  inputShape?: InputShapes;
  reuseFactor?: ReuseFactorSpec;
  multipliers?: MultiplierMapping;
}

export function registerCompile(program: Command): void {
  const cmd = program
    .command('compile')
    .description('generate a self-contained C library of the model (no malloc, static arena) and a Makefile for an MCU target, or its Verilog, testbench, constraints and open-flow Makefile for an FPGA target')
    .argument('<model>', 'model file (.onnx)')
    .option('--target <name>', 'target board (edgeprune targets lists them)', DEFAULT_TARGET_NAME)
    .requiredOption('--out <dir>', 'output directory (must be new or empty, unless --force)')
    .option('--prefix <name>', 'prefix of every C symbol (FPGA: the top module\'s name)', 'model')
    .option('--reuse-factor <spec>', 'FPGA targets: reuse factor of every layer (1: every product in parallel) and/or node=factor, e.g. 1 or 64,fc3=10', parseReuseFactor)
    .option('--multipliers <where>', 'FPGA targets: multipliers on DSP blocks (dsp), in LUT logic (lut), or auto: DSP blocks when the design\'s multipliers fit the target\'s', parseMultiplierMapping)
    .option('--sparse <mode>', 'weight-sparse kernels for pruned layers: auto (per layer, when estimated faster and no bigger), never, always', 'auto')
    .option('--keep-inputs', 'MCU targets: <prefix>_run() leaves its input buffers intact (the arena does not reuse their bytes; a larger arena)')
    .option(CONSTANT_TIME_MAC_FLAG, CONSTANT_TIME_MAC_HELP)
    .option('--force', 'replace an existing output directory')
    .option('--json', 'print a JSON summary')
    .option('--input-shape <name=dims>', 'fix a dynamic input shape, e.g. input=1x1x28x28 (repeatable)', collectInputShape);
  addPrecisionOptions(cmd).action(async (file: string, options: CompileOptions) => {
    const found = findTarget(options.target);
    if (isFpgaTarget(found)) {
      refuseOtherKindFlags([['--keep-inputs', options.keepInputs], [CONSTANT_TIME_MAC_FLAG, options.constantTimeMac]], 'MCU', found.name);
      return compileForFpga(file, found, options);
    }
    refuseOtherKindFlags([['--reuse-factor', options.reuseFactor], ['--multipliers', options.multipliers]], 'FPGA', found.name);
    const target = found;
    if (!['auto', 'never', 'always'].includes(options.sparse)) throw new UserError(`--sparse must be auto, never or always, got '${options.sparse}'`);
    const outOptions = { force: options.force, inputs: options.calibrationData ? [file, options.calibrationData] : [file] };
    checkOutputDir(options.out, outOptions);
    const model = await loadModel(file, { inputShapes: options.inputShape });
    const { graph: g, choice: precision } = modelForPrecision(model, target, options, 'compile');
    if (options.constantTimeMac) checkConstantTimeMac(target, precision.precision);
    const lib = compileToC(g, { prefix: options.prefix, sparse: options.sparse, estimator: targetEstimator(target), target, keepInputs: options.keepInputs, constantTimeMac: options.constantTimeMac });
    checkFitsTarget(lib, target);
    const files = new Map([...lib.files, ...projectFiles(lib, target)]);
    writeDirAtomically(options.out, files, outOptions);
    const summary = {
      out: options.out,
      target: target.name,
      precision: precision.precision,
      precisionReason: precision.reason,
      files: [...files.keys()].sort(),
      arenaBytes: lib.plan.arenaBytes,
      arenaLowerBoundBytes: lib.plan.lowerBoundBytes,
      inputsKept: lib.view.keepInputs,
      constantTimeMac: lib.view.constantTimeMac,
      weightBytes: lib.view.weightBytes,
      layers: lib.steps.length,
      sparseLayers: lib.steps.filter((st) => st.sparse?.kernel === 'sparse').map((st) => st.nodes.join('+')),
    };
    if (options.json) console.log(terminalJson(summary));
    else {
      console.log(`wrote ${summary.files.length} files to ${terminalText(options.out)} for ${target.name}`);
      console.log(`  precision: ${terminalText(precision.reason)}${summary.constantTimeMac ? ' · constant-time MAC (--constant-time-mac)' : ''}`);
      console.log(`  weights ${formatBytes(summary.weightBytes)} (flash) · arena ${formatBytes(summary.arenaBytes)} (RAM; lower bound ${formatBytes(summary.arenaLowerBoundBytes)})`);
      if (summary.sparseLayers.length > 0) console.log(`  weight-sparse kernels: ${summary.sparseLayers.map(terminalName).join(', ')}`);
      console.log(`  build: make -C ${terminalText(options.out)}   (needs arm-none-eabi-gcc), or CMake (CMakeLists.txt) or Zephyr (zephyr/): see README.md`);
    }
  });
}
