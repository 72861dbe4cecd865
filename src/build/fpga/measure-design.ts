// The proof of an FPGA build's design: Verilator runs it on test samples (bit-exact with the interpreter, cycles
// measured), then Yosys synthesizes it (and on iCE40 nextpnr places and routes it and icepack writes the bitstream).
// A design nextpnr cannot fit on the device is a measurement too (over the device's logic cells), not an error: the
// build searches on against a tighter limit.

import { DeviceOverflowError } from '../../../hw-sim/nextpnr/place-ice40.js';
import { implementFpgaProject, type FpgaImplementation } from '../../../hw-sim/fpga/implement.js';
import { predictLogicCells } from '../../cost/fpga/logic-cells.js';
import type { FpgaProject } from '../../emit/verilog/fpga-project.js';
import type { Graph } from '../../ir/graph.js';
import type { PrecisionChoice } from '../../targets/precision.js';
import type { FpgaTarget } from '../../targets/schema.js';
import { verifyOnFpga, type FpgaVerifyReport } from '../../verify/verify-fpga.js';
import type { VectorSet } from '../../verify/vectors.js';
import type { FpgaDesignPoint } from './choose-design.js';
import type { FpgaCosts } from './fpga-budgets.js';

export interface MeasuredDesign {
  verification: FpgaVerifyReport;
  implementation: FpgaImplementation | null;
  /** nextpnr could not fit the design on the device: its message. */
  overflow: string | null;
  costs: FpgaCosts;
  /** Where the logic-cell figure comes from. */
  logicCellsSource: string;
}

/** Measure `project`, the RTL of `g` at the design point chosen for it (built once by the caller, who also writes it). */
export async function measureDesign(g: Graph, modelName: string, target: FpgaTarget, project: FpgaProject, point: FpgaDesignPoint, vectors: VectorSet, precision: PrecisionChoice, log?: (line: string) => void): Promise<MeasuredDesign> {
  const options = { reuseFactors: point.reuseFactors, multipliers: point.multipliers, productsInLogic: point.productsInLogic };
  const verification = await verifyOnFpga(g, modelName, { target, vectors, precision, ...options, project, log });
  log?.(`synthesizing ${project.design.top} for ${target.name}${target.pnr ? ', placing and routing' : ''}`);
  const t0 = Date.now();
  let implementation: FpgaImplementation | null = null;
  let overflow: DeviceOverflowError | null = null;
  try {
    implementation = await implementFpgaProject(project, target, project.multipliers);
  } catch (e) {
    if (!(e instanceof DeviceOverflowError)) throw e;
    overflow = e;
  }
  verification.durationsMs.synth = Date.now() - t0;
  const synthesis = implementation?.resources ?? overflow!.synthesis;
  const placedCells = implementation?.placement?.logicCells.used ?? overflow?.used.find((u) => u.type === 'ICESTORM_LC')?.used;
  const logicCells = placedCells ?? predictLogicCells({ luts: synthesis.luts, ffs: synthesis.flipFlops });
  return {
    verification,
    implementation,
    overflow: overflow?.message ?? null,
    costs: { latencyCycles: verification.latencyCycles, luts: synthesis.luts, logicCells, dsps: synthesis.dsps, brams: synthesis.blockRams },
    logicCellsSource: placedCells !== undefined ? 'nextpnr' : 'estimated from Yosys\'s LUTs and flip-flops (no placement)',
  };
}
