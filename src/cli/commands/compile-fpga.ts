// `edgeprune compile <model> --target <fpga> --out <dir>`: the model's Verilog, its board top, testbench, constraints,
// open-flow Makefile and README (src/emit/verilog/fpga-project.ts).

import { mappingText, multipliersSummary } from '../../emit/verilog/fpga-project.js';
import { fpgaOutputFiles, HLS_VECTORS } from '../../emit/fpga-output.js';
import { hardwareLayers } from '../../emit/verilog/emit-rtl.js';
import { loadModel } from '../../import/load-model.js';
import type { InputShapes } from '../../passes/fix-input-shapes.js';
import type { FpgaTarget } from '../../targets/schema.js';
import { terminalJson, terminalText } from '../../util/escape.js';
import { checkOutputDir, writeDirAtomically } from '../../util/write-dir.js';
import { modelForFpga } from '../fpga-model.js';
import type { PrecisionOptions } from '../precision-options.js';
import { reuseFactorsFor, type ReuseFactorSpec } from '../reuse-factor-option.js';
import type { MultiplierMapping } from '../../emit/verilog/fpga-project.js';

export interface CompileFpgaOptions extends PrecisionOptions {
  out: string;
  prefix?: string;
  force?: boolean;
  json?: boolean;
  inputShape?: InputShapes;
  reuseFactor?: ReuseFactorSpec;
  multipliers?: MultiplierMapping;
}

export async function compileForFpga(file: string, target: FpgaTarget, options: CompileFpgaOptions): Promise<void> {
  const outOptions = { force: options.force, inputs: options.calibrationData ? [file, options.calibrationData] : [file] };
  checkOutputDir(options.out, outOptions);
  const model = await loadModel(file, { inputShapes: options.inputShape });
  const { graph, choice } = modelForFpga(model, target, options, 'compile');
  const { project, hls, files } = fpgaOutputFiles(graph, target, { top: options.prefix, reuseFactors: reuseFactorsFor(graph, options.reuseFactor), multipliers: options.multipliers });
  writeDirAtomically(options.out, files, outOptions);
  const layers = hardwareLayers(project.design).map((l) => ({
    node: l.node, op: l.op, module: l.hardware.module, reuseFactor: l.hardware.reuseFactor ?? 1, latencyCycles: l.hardware.latencyCycles,
    weightMultipliers: l.hardware.multipliers.weights, requantizers: l.hardware.multipliers.requantizers,
  }));
  const summary = {
    out: options.out,
    target: target.name,
    precision: choice.precision,
    precisionReason: choice.reason,
    top: project.design.top,
    boardTop: project.boardTop,
    files: [...files.keys()].sort(),
    hls: { top: hls.top, vectors: HLS_VECTORS, ran: 'nothing: verify --hls C-simulates it with g++; Vitis HLS (hls/build.tcl) was not run' },
    latencyCycles: project.latencyCycles,
    initiationInterval: project.initiationInterval,
    multipliers: multipliersSummary(project),
    layers,
  };
  if (options.json) {
    console.log(terminalJson(summary));
    return;
  }
  console.log(`wrote ${summary.files.length} files to ${terminalText(options.out)} for ${target.name} (${target.family})`);
  console.log(`  precision: ${terminalText(choice.reason)}`);
  console.log(`  core ${project.design.top}: ${layers.length} layers, latency ${summary.latencyCycles} cycles, a new input every ${summary.initiationInterval} cycle(s), ${project.multiplierCount} multipliers (${mappingText(summary.multipliers)}: ${terminalText(project.multipliersReason)})`);
  console.log(target.pnr ? `  build: make -C ${terminalText(options.out)}   (Yosys, nextpnr-ice40, icepack → ${project.design.top}.bin)` : `  synthesis estimate: make -C ${terminalText(options.out)}   (Yosys; place and route need Vivado)`);
  console.log(`  verify in Verilator: edgeprune verify <model> --target ${target.name}`);
  console.log(`  HLS C++ in hls/ (top ${hls.top}): edgeprune verify <model> --target ${target.name} --hls (g++ C simulation); ${target.family === 'xc7' ? 'vitis_hls -f build.tcl for synthesis (not run here)' : 'Vitis HLS synthesizes for AMD parts only'}`);
}
