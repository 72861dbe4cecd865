// Before the search, the dense model (its int8 deployment in an int8 build) runs once in the target's emulator: its
// measured instructions against the cost model's prediction are the model's own calibration, from which the search
// aims its instruction limit (aimedLimits). Skipped, saying why, when there is nothing to aim or it cannot run.

import { UserError } from '../errors.js';
import type { Graph } from '../ir/graph.js';
import type { McuTarget } from '../targets/schema.js';
import type { Budget, Costs } from './budgets.js';

/** The dense model's predicted and measured costs. */
export interface DenseCheck {
  predicted: Costs;
  measured: Costs;
}

export interface DenseCheckInput {
  graph: Graph;
  target: McuTarget;
  budgets: Budget[];
  predict(g: Graph): Costs;
  /** The model as deployed (an int8 build quantizes it) and measured in the emulator. */
  measure(g: Graph): Promise<Costs>;
}

/** Measure the dense model, or null (logged) when no instruction budget is given or it cannot run on the target. */
export async function measureDense(input: DenseCheckInput, log: (line: string) => void): Promise<DenseCheck | null> {
  if (!input.budgets.some((b) => b.name === 'instructions')) return null;
  const predicted = input.predict(input.graph);
  const { ram, flash } = input.target;
  if (predicted.ramBytes > ram.bytes || predicted.flashBytes > flash.bytes) {
    log(`the dense model does not fit ${input.target.name} (predicted RAM ${predicted.ramBytes.toLocaleString('en-US')} B, flash ${predicted.flashBytes.toLocaleString('en-US')} B): the search aims at the budgets as given`);
    return null;
  }
  log(`measuring the dense model on ${input.target.name} (qemu ${input.target.emulator.machine}): the cost model's error on it aims the search's instruction limit`);
  try {
    return { predicted, measured: await input.measure(input.graph) };
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
    log(`the dense model could not be measured (${e.message}): the search aims at the budgets as given`);
    return null;
  }
}

/**
 * One line on the aim: what the dense model measured against its prediction, and the limit the search aims at (while
 * it runs) or aimed at (in the reports).
 */
export function aimText(check: DenseCheck, givenLimit: number, aimedLimit: number, verb: 'aims' | 'aimed' = 'aims'): string {
  const n = (x: number) => Math.round(x).toLocaleString('en-US');
  const { predicted, measured } = check;
  const error = (predicted.instructions / measured.instructions - 1) * 100;
  const what = `the dense model measured ${n(measured.instructions)} instructions, predicted ${n(predicted.instructions)} (${error >= 0 ? '+' : ''}${error.toFixed(1)}%)`;
  return aimedLimit === givenLimit
    ? `${what}: the search ${verb} at the instruction budget as given (${n(givenLimit)})`
    : `${what}: the search ${verb} at ${n(aimedLimit)} predicted for the ${n(givenLimit)} budget`;
}
