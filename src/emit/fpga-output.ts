// What an FPGA output folder holds (`compile --target <fpga>` and `build --target <fpga>`): the RTL project (core,
// library, board top, testbench, constraints, Makefile, README) and the HLS C++ of the same core with its reference
// vectors (seeded random inputs, the interpreter's outputs).

import { hlsProjectFiles, referenceVectorLines } from './hls/emit-hls.js';
import { lowerToHls, type HlsDesign } from './hls/hls-design.js';
import { fpgaProject, type FpgaProject, type FpgaProjectOptions } from './verilog/fpga-project.js';
import type { Graph } from '../ir/graph.js';
import type { Tensor } from '../ir/tensor.js';
import type { FpgaTarget } from '../targets/schema.js';
import { loadVectors } from '../verify/vectors.js';

/** Vectors in hls/vectors.txt. */
export const HLS_VECTORS = 10;

export interface FpgaOutput {
  project: FpgaProject;
  hls: HlsDesign;
  /** Relative path → content. */
  files: Map<string, string>;
}

export function fpgaOutputFiles(graph: Graph, target: FpgaTarget, options: FpgaProjectOptions): FpgaOutput {
  const project = fpgaProject(graph, target, options);
  const hls = lowerToHls(graph, { top: options.top, reuseFactors: options.reuseFactors });
  const vectors = loadVectors(graph, { count: HLS_VECTORS, seed: 0 });
  const feeds = vectors.inputs.map((inputs) => Object.fromEntries(graph.inputs.map((v, i) => [v.name, inputs[i]])) as Record<string, Tensor>);
  return { project, hls, files: new Map([...project.files, ...hlsProjectFiles(hls, graph.name, target, referenceVectorLines(graph, hls, feeds))]) };
}
