// Predict what a model costs on a target from its lowered kernel calls and the target's calibration:
// instructions per inference (per step and total), an estimated time, flash (weights + code), RAM
// (arena + stack). No C is compiled: a prediction is arithmetic over the calls' literal arguments.

import type { MemoryPlan } from '../analysis/memory-plan.js';
import type { CStep } from '../emit/c/c-step.js';
import type { SparseMode } from '../emit/c/sparse-choice.js';
import { staticInfo, type Graph } from '../ir/graph.js';
import { shapeSize } from '../ir/tensor.js';
import { nodeMacsOf } from '../prune/structure/channel-cost.js';
import type { McuTarget } from '../targets/schema.js';
import { loadCalibration, staleHeaders, staleKeys, type Calibration } from './calibration.js';
import { CostModelError, modelOfKey } from './kernels.js';
import { callCost, kernelEstimator } from './estimator.js';
import { lowerForCost, type LoweredProgram } from './lowered.js';
import { weightArrayBytes } from './weight-bytes.js';

export interface PredictOptions {
  /** The calibration to use (default: loadCalibration(target)). */
  calibration?: Calibration;
  /**
   * A kernel the cost model has no formula (or no calibration) for: 'error' (default) throws a
   * CostModelError naming it; 'fallback' predicts it conservatively (the most instructions per MAC of
   * any calibrated conv/dense case, the largest calibrated code size) and marks the layer `fallback`.
   */
  unknownKernels?: 'error' | 'fallback';
  /** compileToC's `sparse` option the model will be compiled with (default 'auto', as compileToC and verify). */
  sparse?: SparseMode;
  /**
   * Zero fractions of run-time values on representative data (valueZeroFractions, activation-zeros.ts): on soft-float
   * targets a zero product is cheaper, so this refines the instruction count; without it no zeros are assumed (the
   * calibration's inputs have none), which over-predicts there and changes nothing on targets with an FPU.
   */
  valueZeros?: ReadonlyMap<string, number>;
}

export interface LayerCost {
  /** IR nodes the step implements. */
  nodes: string[];
  /** The step's kernel (its calls' kernels joined by '+' when they differ); 'view' for a step with no code. */
  kernel: string;
  summary: string;
  instructions: number;
  /** The step's code plus the weights it is the first to use. */
  flashBytes: number;
  codeBytes: number;
  weightBytes: number;
  /** Nominal multiply-accumulates. */
  macs: number;
  /** Predicted with the conservative fallback (a kernel without a calibrated formula). */
  fallback?: boolean;
}

export interface CostPrediction {
  target: string;
  /** Instructions per inference (what QEMU's -icount measures; DWT cycles on a board differ). */
  instructions: number;
  /** An estimate: instructions × cyclesPerInstruction / clockHz (targets/<name>.json). */
  estimatedMs: number;
  estimateBasis: string;
  /** The model library in flash: weights + code (as verifyOnTarget's flashBytes). */
  flashBytes: number;
  /** Weight arrays as stored, 8-byte aligned each. */
  weightBytes: number;
  /** Everything else: the kernel call sites and the library's fixed functions. */
  codeBytes: number;
  /** arenaBytes (static) + stackBytes. */
  ramBytes: number;
  /** The library's static RAM (its arena; as verifyOnTarget's ramBytes). */
  staticRamBytes: number;
  arenaBytes: number;
  arenaLowerBoundBytes: number;
  /** Predicted stack of one inference (the largest frame any of its kernels needed in calibration). */
  stackBytes: number;
  macs: number;
  layers: LayerCost[];
  /** Stale calibration, fallbacks. */
  warnings: string[];
}

const WEIGHT_ALIGN = 8;
/** Stack added per kernel key beyond the first (spill slots of several kernels in one frame). */
const STACK_PER_KEY = 8;

function stepOutputElements(g: Graph, step: CStep): number {
  return step.outputs.reduce((s, o) => s + shapeSize(staticInfo(g, o).shape), 0);
}

/** Predict from an already lowered program (compileToC's graph, steps and plan, or lowerForCost's). */
export function predictLowered(program: { graph: Graph; steps: CStep[]; plan: MemoryPlan }, target: McuTarget, options: PredictOptions = {}): CostPrediction {
  const cal = options.calibration ?? loadCalibration(target);
  const fallbackOk = options.unknownKernels === 'fallback';
  const zeroFraction = (name: string) => options.valueZeros?.get(name);
  const warnings: string[] = [];
  const g = program.graph;
  const seenWeights = new Set<string>();
  let weightOffset = 0;
  let nodeMacs: Map<string, number> | undefined;
  let stack = cal.library.stackBytes;
  let fallbacks = 0;
  const usedKeys = new Set<string>();
  const layers: LayerCost[] = program.steps.map((step) => {
    let instructions = 0;
    let code = 0;
    let weights = 0;
    let macs = 0;
    let fallback = false;
    const kernels: string[] = [];
    for (const call of step.calls) {
      if (!kernels.includes(call.kernel)) kernels.push(call.kernel);
      for (const a of call.args) {
        if (a.kind !== 'weight' || seenWeights.has(a.weight.key)) continue;
        seenWeights.add(a.weight.key);
        const before = weightOffset;
        weightOffset = Math.ceil(weightOffset / WEIGHT_ALIGN) * WEIGHT_ALIGN + weightArrayBytes(a);
        weights += weightOffset - before;
      }
      const c = callCost(call, cal, zeroFraction);
      if (c.key) usedKeys.add(c.key);
      if (c.problem !== undefined) {
        if (!fallbackOk) throw new CostModelError(`step '${step.summary}' [${step.nodes.join(', ')}]: ${c.problem}`);
        fallback = true;
      } else {
        instructions += c.instructions;
        code += c.codeBytes;
        stack = Math.max(stack, c.stackBytes);
        macs += c.macs;
      }
    }
    if (fallback) {
      // Conservative: the whole step at the worst calibrated rate (its nodes' nominal MACs, or its output elements).
      nodeMacs ??= nodeMacsOf(g);
      const stepMacs = step.nodes.reduce((s, n) => s + (nodeMacs!.get(n) ?? 0), 0);
      instructions = stepMacs > 0 ? stepMacs * cal.fallback.instructionsPerMac : stepOutputElements(g, step) * cal.fallback.instructionsPerElement;
      code = cal.fallback.codeBytes;
      stack = Math.max(stack, cal.fallback.stackBytes);
      macs = stepMacs;
      fallbacks++;
    }
    return {
      nodes: step.nodes,
      kernel: step.calls.length ? kernels.join('+') : 'view',
      summary: step.summary,
      instructions,
      flashBytes: code + weights,
      codeBytes: code,
      weightBytes: weights,
      macs,
      ...(fallback ? { fallback: true } : {}),
    };
  });
  const stale = staleKeys(cal, usedKeys);
  if (stale.length) warnings.push(`the kernels of ${stale.join(', ')} changed since ${target.name} was calibrated (${staleHeaders(cal).join(', ')}): recalibrate with edgeprune calibrate --target ${target.name}`);
  if (fallbacks) warnings.push(`${fallbacks} step(s) predicted with the conservative fallback (kernels without a calibrated formula)`);
  const io = g.inputs.length + g.outputs.length;
  const libraryFlash = cal.library.flashBytes + cal.library.flashBytesPerIo * Math.max(0, io - 2);
  const instructions = cal.library.instructions + layers.reduce((s, l) => s + l.instructions, 0);
  const weightBytes = layers.reduce((s, l) => s + l.weightBytes, 0);
  const codeBytes = libraryFlash + sharedCodeBytes(cal, usedKeys) + layers.reduce((s, l) => s + l.codeBytes, 0);
  const staticRamBytes = Math.max(program.plan.arenaBytes, 1);
  // Each step is a function of its own (EP_STEP): the deepest step frame decides; 8 bytes per further kernel key is margin.
  const stackBytes = stack + STACK_PER_KEY * Math.max(0, usedKeys.size - 1);
  return {
    target: target.name,
    instructions: Math.round(instructions),
    estimatedMs: ((instructions * target.cyclesPerInstruction) / target.clockHz) * 1000,
    estimateBasis: `estimate: instructions × ${target.cyclesPerInstruction} cycles/instruction at ${target.clockHz / 1e6} MHz (targets/${target.name}.json)`,
    flashBytes: Math.round(weightBytes + codeBytes),
    weightBytes,
    codeBytes: Math.round(codeBytes),
    ramBytes: staticRamBytes + stackBytes,
    staticRamBytes,
    arenaBytes: program.plan.arenaBytes,
    arenaLowerBoundBytes: program.plan.lowerBoundBytes,
    stackBytes,
    macs: layers.reduce((s, l) => s + l.macs, 0),
    layers,
    warnings,
  };
}

/** The shared functions the used kernels link (the soft-float multiply then add), once per library. */
function sharedCodeBytes(cal: Calibration, usedKeys: Set<string>): number {
  const functions = new Set([...usedKeys].flatMap((key) => modelOfKey(key)?.sharedCode ?? []));
  return [...functions].reduce((s, f) => s + (cal.library.sharedCode?.[f] ?? 0), 0);
}

/** Predict the cost of `g` on `target` (lowers it as compileToC does; no C is compiled). */
export function predictCost(g: Graph, target: McuTarget, options: PredictOptions = {}): CostPrediction {
  const calibration = options.calibration ?? loadCalibration(target);
  // Lowered as compileToC lowers it for this target: the dense/sparse choice by the target's cost model.
  const program = lowerForCost(g, { sparse: options.sparse, estimator: kernelEstimator(target, calibration) });
  return predictLowered(program, target, { ...options, calibration });
}

export type { LoweredProgram };
