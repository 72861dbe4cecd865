// Per-step instruction counts in QEMU: a step-marks build of the firmware (model.c calls the harness's ephw_step_mark
// before its first step and after each; hw-sim/firmware/harness.c) runs every vector; a step's count is the difference
// of the marks around it less one mark's cost, which the harness measures (its K command).

import { buildFirmware, openQemuSession, type ModelLibrary } from '../../hw-sim/index.js';
import { UserError } from '../errors.js';
import { kernelDefines } from '../targets/flags.js';
import type { McuTarget } from '../targets/schema.js';

/** One vector's run in the step-marks build. */
export interface StepRun {
  /** The step-marks build's count of the whole run (its marks included). */
  total: number;
  /** Each step's count, one mark's cost taken off, in execution order. */
  steps: number[];
}

export interface StepCounts {
  /** Instructions of one mark (the harness's measurement, rounded: it is a whole number). */
  markCost: number;
  runs: StepRun[];
}

/**
 * A run's steps from its marks (raw ticks before the first step and after each of `steps`): each difference in
 * instructions (`perTick` each, not rounded: a constant step then measures within one tick) less `markCost`. Throws when
 * the marks are not the model's (a firmware that is not a step-marks build of this model).
 */
export function stepsFromMarks(marks: readonly number[], steps: number, markCost: number, perTick: number): number[] {
  if (marks.length !== steps + 1) throw new Error(`the step-marks build made ${marks.length} marks, expected ${steps + 1} (one before the first of the ${steps} steps with code and one after each)`);
  return marks.slice(1).map((m, j) => (m - marks[j]) * perTick - markCost);
}

/**
 * One mark's instructions from the harness's measurement over `turns` loop turns (`perTurn`, within the counter's
 * resolution ÷ turns × 2 of a whole number): that whole number, or an error when it is not near one.
 */
export function wholeMarkCost(perTurn: number, resolution: number, turns: number): number {
  const whole = Math.round(perTurn);
  const slack = (2 * resolution) / turns;
  if (!(Math.abs(perTurn - whole) <= slack + 1e-9) || whole <= 0) throw new Error(`the step mark measured ${perTurn} instructions, not within ${slack} of a whole positive number: the harness's mark is not branch-free`);
  return whole;
}

/** Loop turns of the harness's mark-cost measurement (the counter's resolution ÷ this is its error). */
export const MARK_COST_TURNS = 4096;

/** The marks a run can keep (EPHW_STEP_MARKS_MAX in hw-sim/firmware/harness.h): one more than the steps with code. */
export const MAX_MARKS = 256;

/**
 * Build the step-marks firmware of `models` (libraries compiled with stepMarks) for `target`, run model `model` on
 * every vector of `vectors` in QEMU and return each run's per-step counts over `steps` steps with code.
 */
export async function measureStepCounts(opts: {
  /** resolution: the counter's instructions per tick (counterResolution). */
  workDir: string; models: ModelLibrary[]; sources?: string[]; target: McuTarget; resolution: number;
  runs: { model: number; steps: number; vectors: Uint8Array[][] }[];
}): Promise<StepCounts[]> {
  const { target } = opts;
  const most = Math.max(...opts.runs.map((r) => r.steps));
  if (most + 1 > MAX_MARKS) throw new UserError(`the worst-case bound counts each layer step in QEMU, at most ${MAX_MARKS - 1} steps with code; this model has ${most}`, 'drop --worst-case (or the worst-case budget), or verify a model with fewer layers');
  const firmware = await buildFirmware({ workDir: opts.workDir, models: opts.models, sources: opts.sources, target, defines: { ...kernelDefines(target), EPHW_STEP_MARKS: '1' } });
  const session = await openQemuSession(firmware.elf, target, { transfer: 'files' });
  try {
    const perTurn = session.stepMarkCost ? await session.stepMarkCost(MARK_COST_TURNS) : null;
    if (perTurn === null) throw new Error(`${target.name}: the emulator gave no instruction count for the step marks`);
    const markCost = wholeMarkCost(perTurn, opts.resolution, MARK_COST_TURNS);
    const out: StepCounts[] = [];
    for (const r of opts.runs) {
      const results = await session.runMany(r.model, r.vectors);
      out.push({
        markCost,
        runs: results.map((run) => {
          if (run.instructions === null || !run.marks) throw new Error(`${target.name}: the step-marks build gave no ${run.marks ? 'instruction count' : 'marks'}`);
          return { total: run.instructions, steps: stepsFromMarks(run.marks, r.steps, markCost, opts.resolution) };
        }),
      });
    }
    return out;
  } finally {
    await session.close();
  }
}
