// The order test files start in: the slowest first, so that the two workers finish together instead of one waiting on
// a long file that started last. vitest orders by the durations of the last run when its cache has them all; a fresh
// clone (CI) has no cache, and vitest then starts the largest files first, which puts short files with long tool runs
// (QEMU, Yosys, nextpnr) at the end. There, the durations of a measured run (SECONDS) order the files of each project;
// the files not listed follow, largest first. A stale figure only moves a file in the queue.
import path from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Seconds per file in a full `vitest run` of a fresh clone on the idle 2-core machine (e94cf27, vitest's per-file
 * durations), the files above 12 s; only their order matters.
 */
export const SECONDS: Record<string, number> = {
  'test/cli/build-recovery.test.ts': 98, 'test/cli/build-int8.test.ts': 80,
  'test/conformance/c-backend.test.ts': 68, 'test/c-kernels/cross-compile.test.ts': 25, 'test/cli/int8.test.ts': 66,
  'test/cli/build.test.ts': 36, 'test/cli/build-fpga.test.ts': 57, 'test/security/cleanup.test.ts': 56,
  'test/c-kernels/int8-qemu.test.ts': 49, 'test/security/bad-numbers.test.ts': 52,
  'test/cost/fpga-cost-xc7.test.ts': 41, 'test/cli/train-prune.test.ts': 47, 'test/cli/fpga-verify.test.ts': 16,
  'test/security/hostile-names.test.ts': 40, 'test/cli/tfjs-model.test.ts': 32,
  'test/cli/fpga-verify-port.test.ts': 35, 'test/cli/verify.test.ts': 35,
  'test/c-kernels/int8-sparse-qemu.test.ts': 30, 'test/c-kernels/int8-kernels.test.ts': 20,
  'test/cli/quantize-qat.test.ts': 22, 'test/build/measured-over-budget.test.ts': 27,
  'test/cli/quantize.test.ts': 26, 'test/cli/c-library.test.ts': 17, 'test/cli/exporter-styles-verify.test.ts': 15,
  'test/cost/calibrate.test.ts': 16, 'test/cost/accuracy.test.ts': 23, 'test/cost/calibrate-jobs.test.ts': 23,
  'test/jobs/redis-queue.test.ts': 21, 'test/verilog/conv-stream-synthesis.test.ts': 21,
  'test/cli/fpga-compile-cnn.test.ts': 21, 'test/cost/accuracy-int8.test.ts': 20, 'test/cli/inspect.test.ts': 20,
  'test/hls/hls-models.test.ts': 19, 'test/emit/compile-c.test.ts': 19, 'test/cli/argmax-accuracy.test.ts': 18,
  'test/cli/fpga-compile.test.ts': 18, 'test/c-kernels/int8-sparse-kernels.test.ts': 9,
  'test/cli/verify-trace.test.ts': 17, 'test/verilog/dense-rf1-synthesis.test.ts': 17, 'test/cli/hls.test.ts': 17,
  'test/train/training.test.ts': 15, 'test/cli/verify-argmax.test.ts': 15, 'test/cost/fpga-cost.test.ts': 15,
  'test/quant/qat.test.ts': 15, 'test/cli/verify-int8-residual.test.ts': 15, 'test/cli/package-install.test.ts': 15,
  'test/cost/targets-smoke.test.ts': 14, 'test/cli/idx-train.test.ts': 14, 'test/cli/npy-data.test.ts': 13,
  'test/c-kernels/sparse-qemu.test.ts': 13, 'test/cli/command-line-errors.test.ts': 13,
  'test/hw-sim/qemu.test.ts': 13,
  // Added in session 12, from targeted runs on the loaded machine (not yet a full fresh-clone run).
  'test/cli/build-levels.test.ts': 50, 'test/c-kernels/mac-ct.test.ts': 20, 'test/levels/levels-qemu.test.ts': 15,
  // Added in session 11, from their targeted runs (not yet a full fresh-clone run).
  'test/build/search-fanout.test.ts': 25, 'test/build/fine-tune-kind.test.ts': 15, 'test/verify/worst-case-qemu.test.ts': 15,
  // Session 12 (suite2): the figures above less the CPU-seconds each file's change saved in targeted runs (the loaded
  // machine stretches wall times; CPU is what the change removes): cross-compile 66 × 88.9/116.6, build-recovery,
  // build-fpga and build less the training or search step they no longer run; sweep (unlisted before) from a session-11
  // fresh-clone log (32.6 s) less its training.
  'test/cli/sweep.test.ts': 23,
  // Session 13 (suite3b): build, c-library and calibrate less the CPU-seconds their change removed in targeted runs (an
  // MLP for the unmet build, one compile and one calibration fewer).
  // Session 13 (suite3a): int8-kernels 30 × 50.9/74.1 and int8-sparse-kernels 17 × 16.3/27.1 (CPU-s of targeted runs
  // before/after the harness's run-time calls went through one out-of-line copy of each kernel).
  // Session 14 (suite4a): build, build-int8, tfjs-model, quantize-qat, c-library, exporter-styles-verify,
  // verify-argmax, build-levels and sweep scaled by after/before CPU-s of targeted runs (fewer verifies, refusals and
  // fine-tunes per file).
  // Session 14 (suite4c): cross-compile 50 × 65.6/131.2, int8-qemu 52 × 54.0/57.0, int8-sparse-qemu 32 × 46.6/49.2,
  // int8-sparse-kernels 10 × 17.9/19.0, int8-kernels 21 × 37.0/39.3 (CPU-s of targeted runs after/before, each pair on the same loaded machine).
  // Session 15 (suite5f): build-fpga 56 × 97.8/95.3 (it also runs verify --synth of its model, a placement lookup);
  // fpga-verify 43 × 18.7/50.7 (its iCE40 place and route, 32 CPU-s, moved to build-fpga's lookup); fpga-cost-xc7 kept
  // (it or fpga-verify synthesizes the chain they share, whichever comes first).
  // Session 15 (suite5c): build-recovery 103 and training 16 × 0.95, the CPU of the digits CNN's build with the
  // JavaScript MaxPoolGrad over wasm's (two alternating pairs: 36.7/38.7, 32.3/34.0 CPU-s of the main process).
  // Session 15 (fpga2): fpga-cost-xc7 50 × 0.82, its five multiplies in one Yosys run (two pairs of targeted runs:
  // 44.3/57.3, 49.5/57.1 CPU-s).
  // Session 17 (suite17): build-int8 84 × 0.955, its default build without the uniform contender (two pairs of targeted
  // runs after/before: 58.4/60.9, 58.9/61.7 CPU-s).
};

export class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const relative = (f: TestSpecification) => path.relative(this.ctx.config.root, f.moduleId).split(path.sep).join('/');
    if (sorted.every((f) => this.ctx.cache.getFileTestResults(`${f.project.name}:${relative(f)}`))) return sorted;
    // Projects stay in vitest's order (they run one after the other); within each, the listed files first, slowest first.
    const projects = new Map<string, TestSpecification[]>();
    for (const f of sorted) projects.set(f.project.name, [...(projects.get(f.project.name) ?? []), f]);
    const seconds = (f: TestSpecification) => SECONDS[relative(f)] ?? 0;
    return [...projects.values()].flatMap((group) => group.map((f, i) => ({ f, i })).sort((a, b) => seconds(b.f) - seconds(a.f) || a.i - b.i).map(({ f }) => f));
  }
}
