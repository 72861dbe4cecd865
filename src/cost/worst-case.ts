// The cost model's side of a model's worst-case instruction count on an MCU target: each kernel's data dependence and
// its price at its worst branch, per kernel key and per layer step (the bound from per-step counts measured in QEMU
// is src/cost/step-bound.ts's).

import type { MemoryPlan } from '../analysis/memory-plan.js';
import type { CStep } from '../emit/c/c-step.js';
import { exactRequantShifts } from '../emit/c/requant-shifts.js';
import type { Graph } from '../ir/graph.js';
import type { McuTarget } from '../targets/schema.js';
import { calibrationContext, type Calibration } from './calibration.js';
import { callDependence, coreClassOf, type CoreClass, type DependenceOptions } from './data-dependence.js';
import { callCost } from './estimator.js';
import { analyzeCall, CostModelError, macTermOf } from './kernels.js';
import { nanFreeValues } from './nan-free.js';
import type { WorstCaseCalibration } from './worst-case-calibration.js';
import { FPU_DEPENDENT_WORST_FACTOR, SOFT_FLOAT_WORST_FACTOR, SOFT_MAC_CONSTANT_TIME, SOFT_MAC_NORMAL, SOFT_MAC_WORST_BOTH_FACTORS, SOFT_MAC_WORST_ONE_FACTOR } from './worst-case-coefficients.js';

export interface KernelDependenceUse {
  key: string;
  dependent: boolean;
  on: string[];
  /** Predicted instructions of the key's calls: normal operands, and the worst branch. */
  typical: number;
  worst: number;
  /** How the worst branch was priced: the key's worst-case calibration, or a measured factor (worst-case-coefficients.ts). */
  worstFrom?: 'calibration' | 'factor';
}

/** One layer step with code: its price on normal operands and at its data-dependent calls' worst. */
export interface StepWorstCase {
  /** The step's index in the program (model_step<k>). */
  step: number;
  nodes: string[];
  /** Some call of the step is data-dependent. */
  dependent: boolean;
  typical: number;
  worst: number;
  /**
   * The most the step's count can vary over inputs: the sum of its dependent calls' excess (the worst-case calibration's
   * fit to its cases' largest − smallest count, raised to bound every case); Infinity when a dependent call has none.
   */
  spread: number;
}

export interface WorstCasePrediction {
  core: CoreClass;
  /** The cost model on normal operands without zero products, and with each data-dependent kernel at its worst. */
  typical: number;
  worst: number;
  kernels: KernelDependenceUse[];
  /** Per layer step with code, in execution order. */
  steps: StepWorstCase[];
  /** True when every kernel is data-independent. */
  independent: boolean;
}

type Program = { graph: Graph; steps: CStep[]; plan: MemoryPlan };

const hasSubnormal = (data: ArrayLike<number>): boolean => {
  for (let i = 0; i < data.length; i++) {
    const a = Math.abs(data[i]);
    if (a !== 0 && a < 2 ** -126) return true;
  }
  return false;
};

/** A call's terms priced at `coefficients` (a key's worst-case coefficients, or its excess over the typical price). */
function calibratedWorst(call: CStep['calls'][number], coefficients: Record<string, number>, cal: Calibration): number {
  const time = analyzeCall(call, () => 0, calibrationContext(cal)).time;
  return Object.entries(time).reduce((s, [term, n]) => s + (coefficients[term] ?? 0) * n, 0);
}

/** The worst price of one call whose normal-operand price is `typical`, without a worst-case calibration of its key. */
function factorWorst(call: CStep['calls'][number], typical: number, core: CoreClass, cal: Calibration): number {
  const mac = macTermOf(call.kernel);
  if (mac && core === 'thumb2-soft') {
    const executed = analyzeCall(call, () => 0, calibrationContext(cal)).time[mac.term] ?? 0;
    const other = mac.other === undefined ? undefined : call.args[mac.other];
    // The other factor: a weight array (its own values decide) or a run-time value (anything).
    const bothSubnormal = other?.kind !== 'weight' || hasSubnormal(other.weight.tensor.data as ArrayLike<number>);
    const worst = bothSubnormal ? SOFT_MAC_WORST_BOTH_FACTORS : SOFT_MAC_WORST_ONE_FACTOR;
    return typical + executed * (worst - SOFT_MAC_NORMAL);
  }
  return typical * (core === 'fpu' ? FPU_DEPENDENT_WORST_FACTOR : SOFT_FLOAT_WORST_FACTOR);
}

/**
 * The extra instructions of a call built with --constant-time-mac (ep_mac_ct.h) over the calibration's price of it on
 * normal operands: each executed MAC at SOFT_MAC_CONSTANT_TIME instead of SOFT_MAC_NORMAL (0 for other kernels).
 */
export function constantTimeMacExtra(call: CStep['calls'][number], cal: Calibration): number {
  const mac = macTermOf(call.kernel);
  if (!mac) return 0;
  const executed = analyzeCall(call, () => 0, calibrationContext(cal)).time[mac.term] ?? 0;
  return executed * (SOFT_MAC_CONSTANT_TIME - SOFT_MAC_NORMAL);
}

/** constantTimeMacExtra over every call of a lowered program. */
export function constantTimeMacExtraOf(program: Pick<Program, 'steps'>, cal: Calibration): number {
  return program.steps.reduce((s, step) => s + step.calls.reduce((t, call) => t + constantTimeMacExtra(call, cal), 0), 0);
}

/**
 * Price a lowered program (compileToC's graph, steps and plan) on normal operands and at each kernel's worst;
 * `constantTimeMac`: built with --constant-time-mac (a soft-float Thumb-2 target).
 */
export function predictWorstCase(program: Program, target: McuTarget, cal: Calibration, worstCal: WorstCaseCalibration | null = null, options: DependenceOptions = {}): WorstCasePrediction {
  const core = coreClassOf(target);
  const constantTime = options.constantTimeMac === true && core === 'thumb2-soft';
  const byKey = new Map<string, KernelDependenceUse>();
  const steps: StepWorstCase[] = [];
  const nanFree = nanFreeValues(program);
  for (const [index, step] of program.steps.entries()) {
    const stepUse: StepWorstCase = { step: index, nodes: step.nodes, dependent: false, typical: 0, worst: 0, spread: 0 };
    if (step.calls.length) steps.push(stepUse);
    for (const call of step.calls) {
      const priced = callCost(call, cal, () => 0);
      if (priced.problem !== undefined) throw new CostModelError(`worst case of step '${step.summary}': ${priced.problem}`);
      const c = constantTime ? { ...priced, instructions: priced.instructions + constantTimeMacExtra(call, cal) } : priced;
      const input = call.args[0];
      const dep = callDependence(c.key, core, { nanFreeInput: input?.kind === 'value' && nanFree.has(input.name), exactRequant: exactRequantShifts(call) }, options);
      // With the constant-time MAC the worst-case calibration of a MAC kernel is not used (its cases ran the library
      // MAC); the other kernels' code is the same with the flag, and their calibration cases ran on ±infinity too (what
      // a layer before them makes of ±float32 max), so it prices them.
      const calibrated = dep.dependent && !(constantTime && macTermOf(call.kernel)) ? worstCal?.kernels[c.key] : undefined;
      const coefficients = calibrated?.instructions;
      // Three bounds of every calibration case: the raised fit, the typical price × the worst ratio, and the typical
      // price + the excess formula; the smallest.
      const excess = calibrated?.excess ? calibratedWorst(call, calibrated.excess.instructions, cal) : Infinity;
      const worst = !dep.dependent ? c.instructions
        : calibrated ? Math.min(
          calibratedWorst(call, calibrated.instructions, cal),
          c.instructions * (calibrated.worstOverTypical ?? Infinity),
          c.instructions + excess)
        : factorWorst(call, c.instructions, core, cal);
      let use = byKey.get(c.key) ?? { key: c.key, dependent: dep.dependent, on: dep.on, typical: 0, worst: 0 };
      // A key is dependent when one of its calls is (a max pool on an FPU is not when its input holds no NaN).
      if (dep.dependent && !use.worstFrom) use = { ...use, dependent: true, on: dep.on, worstFrom: coefficients ? 'calibration' : 'factor' };
      use.typical += c.instructions;
      use.worst += worst;
      byKey.set(c.key, use);
      stepUse.typical += c.instructions;
      stepUse.worst += worst;
      stepUse.dependent ||= dep.dependent;
      if (dep.dependent) stepUse.spread += excess;
    }
  }
  const kernels = [...byKey.values()];
  const sum = (f: (k: KernelDependenceUse) => number) => cal.library.instructions + kernels.reduce((s, k) => s + f(k), 0);
  return { core, typical: sum((k) => k.typical), worst: sum((k) => k.worst), kernels, steps, independent: kernels.every((k) => !k.dependent) };
}
