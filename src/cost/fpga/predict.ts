// The FPGA cost model's prediction for an RTL design on a target, without running anything: the latency and the
// initiation interval from the layers' schedule (design-schedule.ts: exact, the cycles Verilator measures), and per
// layer the LUTs and flip-flops of its module's calibrated formula, its DSP blocks and block RAMs from structure.

import { designInitiationInterval, designLatency, hardwareLayers } from '../../emit/verilog/emit-rtl.js';
import type { FpgaProject } from '../../emit/verilog/fpga-project.js';
import type { RtlDesign } from '../../emit/verilog/lower-rtl.js';
import { UserError } from '../../errors.js';
import type { FpgaTarget } from '../../targets/schema.js';
import { loadFpgaCalibration, type FpgaCalibration } from './calibration.js';
import { layerFeatures, MODULE_TERMS, type FpgaMapping } from './features.js';
import { BOARD_MODULE, boardFeatures } from './board.js';
import { beatBytes } from '../../emit/verilog/rtl-layer.js';

export interface FpgaResources {
  luts: number;
  ffs: number;
  dsps: number;
  brams: number;
}

export interface FpgaLayerCost extends FpgaResources {
  node: string;
  module: string;
}

export interface FpgaCostPrediction {
  target: string;
  mapping: FpgaMapping;
  /** Exact, from the schedule: first input beat to last output beat, and cycles between inferences. */
  latencyCycles: number;
  initiationInterval: number;
  perLayer: FpgaLayerCost[];
  /** The core (the sum of its layers; LUTs and flip-flops rounded). */
  total: FpgaResources;
}

/** A design with a module the cost model has no formula for (on this target): the model cannot price it. */
export class MissingFormulaError extends UserError {}

const dot = (c: Record<string, number>, terms: Record<string, number>) => Object.entries(terms).reduce((s, [t, v]) => s + (c[t] ?? 0) * v, 0);

/** Predict a design's cycles and resources on a target with its multipliers mapped so (calibration: the target's file). */
export function predictFpgaCost(design: RtlDesign, target: FpgaTarget, mapping: FpgaMapping, calibration: FpgaCalibration = loadFpgaCalibration(target)): FpgaCostPrediction {
  if (calibration.target !== target.name) throw new Error(`the FPGA calibration is for ${calibration.target}, not ${target.name}`);
  const perLayer = hardwareLayers(design).map((l): FpgaLayerCost => {
    const f = layerFeatures(l, target.family, mapping);
    const k = f ? calibration.kernels[f.module] : undefined;
    if (!f || !k) {
      throw new MissingFormulaError(
        `the FPGA cost model has no formula for ${l.hardware.module} (layer '${l.node}') on ${target.name}; it covers ${Object.keys(MODULE_TERMS).filter((m) => m !== BOARD_MODULE && calibration.kernels[m]).join(', ')}`,
        'measure the design instead (edgeprune verify --target <fpga> --synth)',
      );
    }
    return { node: l.node, module: f.module, luts: dot(k.luts, f.lutTerms), ffs: dot(k.ffs, f.ffTerms), dsps: f.dsps, brams: f.brams };
  });
  const sum = (key: keyof FpgaResources) => perLayer.reduce((s, l) => s + l[key], 0);
  return {
    target: target.name,
    mapping,
    latencyCycles: designLatency(design),
    initiationInterval: designInitiationInterval(design),
    perLayer: perLayer.map((l) => ({ ...l, luts: Math.round(l.luts), ffs: Math.round(l.ffs) })),
    total: { luts: Math.round(sum('luts')), ffs: Math.round(sum('ffs')), dsps: sum('dsps'), brams: sum('brams') },
  };
}

/** The prediction for a project as `compile --target <fpga>` builds it (its design and multiplier mapping). */
export interface FpgaProjectCostPrediction extends FpgaCostPrediction {
  /** The board top's share (ep_uart_top around the core), and the core with it (what is placed on the board). */
  boardTop: FpgaResources;
  withBoardTop: FpgaResources;
}

/** The board top's share of a design on a target: the UART line protocol around the core (board.ts). */
export function predictBoardTop(design: RtlDesign, target: FpgaTarget, calibration: FpgaCalibration = loadFpgaCalibration(target)): FpgaResources {
  const f = boardFeatures({
    inBytes: beatBytes(design.input.format), outBytes: beatBytes(design.output.format), nameLength: design.top.length,
    clksPerBit: Math.round(target.clockHz / target.baudRate),
  }, target.family);
  const k = calibration.kernels[BOARD_MODULE];
  if (!k) throw new UserError(`the FPGA calibration of ${target.name} has no board top (${BOARD_MODULE})`, `run edgeprune calibrate --target ${target.name}`);
  return { luts: Math.round(dot(k.luts, f.lutTerms)), ffs: Math.round(dot(k.ffs, f.ffTerms)), dsps: f.dsps, brams: f.brams };
}

/** Two resource counts added. */
export const addResources = (a: FpgaResources, b: FpgaResources): FpgaResources => ({ luts: a.luts + b.luts, ffs: a.ffs + b.ffs, dsps: a.dsps + b.dsps, brams: a.brams + b.brams });

export function predictFpgaProjectCost(project: FpgaProject, target: FpgaTarget, calibration: FpgaCalibration = loadFpgaCalibration(target)): FpgaProjectCostPrediction {
  const core = predictFpgaCost(project.design, target, project.multipliers, calibration);
  const boardTop = predictBoardTop(project.design, target, calibration);
  return { ...core, boardTop, withBoardTop: addResources(core.total, boardTop) };
}
