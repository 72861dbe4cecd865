// What a sweep keeps of one build: met or not, the measured costs, the accuracy, the smallest costs reached when not
// met, and the build's files (base64) for the command to write under builds/<name>/.

import { measuredCosts, type BuildOutput } from '../build/build.js';
import { compareStrings } from '../util/compare.js';
import type { SweepBuildResult } from './sweep-build-kind.js';

/** What the sweep keeps of a build. */
export function sweepResult(out: BuildOutput, wallSeconds: number): SweepBuildResult {
  const r = out.report;
  const v = r.verification;
  if (!v) throw new Error('the build returned no verification');
  const measured = measuredCosts(v);
  const files: Record<string, string> = {};
  for (const [name, content] of [...out.files].sort(([a], [b]) => compareStrings(a, b))) files[name] = Buffer.from(content).toString('base64');
  return {
    met: r.passed,
    failed: r.failed,
    measured: { instructions: measured.instructions, latencyMs: v.estimatedMs, flashBytes: measured.flashBytes, ramBytes: measured.ramBytes },
    accuracy: { dense: r.accuracy.dense, final: r.accuracy.final, dropPoints: r.accuracy.dropPoints },
    smallestReached: r.budgets.filter((b) => !b.pass && b.smallestSeen).map((b) => ({ budget: b.name, limit: b.limit, cost: b.smallestSeen!.cost, description: b.smallestSeen!.description })),
    search: { iterations: r.steps.length, epochs: r.fineTuning.epochs, stoppedBecause: r.stoppedBecause },
    wallSeconds,
    files,
  };
}

