// The order test files start in: the slowest first, so that the two workers finish together instead of one waiting on
// a long file that started last. vitest orders by the durations of the last run when its cache has them all; a fresh
// clone (CI) has no cache, and vitest then starts the largest files first, which puts short files with long tool runs
// (QEMU, Yosys, nextpnr) at the end. There, the durations of a measured run (SECONDS) order the files of each project;
// the files not listed follow, largest first. A stale figure only moves a file in the queue.
import path from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Seconds per file in a full `make test` of a fresh clone on the 2-core machine (session 20, b4717d1, vitest's per-file
 * durations; the machine was busier than idle, so the figures run high), the files of 12 s or more; only their order
 * matters. Files added later keep their place until the next such run. (Session 25: build-recovery took over
 * build.test's CNN build, so it leads and build.test, now about 10 s, left the list.)
 */
export const SECONDS: Record<string, number> = {
  'test/cli/build-fpga.test.ts': 132, 'test/cli/build-recovery.test.ts': 150, 'test/cli/build-int8.test.ts': 102,
  'test/cost/fpga-cost-xc7.test.ts': 91, 'test/c-kernels/cross-compile.test.ts': 76, 'test/cli/int8.test.ts': 61,
'test/cost/accuracy-int8.test.ts': 49,
  'test/c-kernels/int8-qemu.test.ts': 45, 'test/cost/accuracy.test.ts': 42, 'test/cli/sweep.test.ts': 41,
  'test/cli/tfjs-model.test.ts': 34, 'test/conformance/c-backend.test.ts': 33,
  'test/cli/fpga-compile-cnn.test.ts': 33, 'test/cost/fpga-cost.test.ts': 32, 'test/cli/train-prune.test.ts': 32,
  'test/c-kernels/int8-sparse-qemu.test.ts': 32, 'test/train/training.test.ts': 29, 'test/cli/verify.test.ts': 29,
  'test/jobs/redis-queue.test.ts': 28, 'test/build/search-fanout.test.ts': 28,
  'test/verilog/conv-stream-synthesis.test.ts': 27, 'test/verilog/dense-rf1-synthesis.test.ts': 26,
  'test/cost/calibrate-jobs.test.ts': 26, 'test/build/measured-over-budget.test.ts': 26,
  'test/cli/fpga-verify-port.test.ts': 25, 'test/cli/quantize-qat.test.ts': 23, 'test/security/cleanup.test.ts': 22,
  'test/cli/package-install.test.ts': 22, 'test/cli/build-levels.test.ts': 22,
  'test/levels/int8-levels-shared-qemu.test.ts': 21, 'test/cli/verify-int8-residual.test.ts': 21,
  'test/cost/calibrate.test.ts': 20, 'test/security/hostile-names.test.ts': 17, 'test/cli/c-library.test.ts': 17,
  'test/c-kernels/sparse-qemu.test.ts': 17, 'test/cli/verify-argmax.test.ts': 16,
  'test/cli/command-line-errors.test.ts': 16, 'test/levels/search-levels.test.ts': 15,
  'test/cli/argmax-accuracy.test.ts': 15, 'test/verilog/place-ice40.test.ts': 14, 'test/cli/quantize.test.ts': 14,
  'test/verify/worst-case-qemu.test.ts': 13, 'test/quant/qat.test.ts': 13, 'test/verilog/yosys-timing.test.ts': 12,
  'test/verilog/requant.test.ts': 12, 'test/cost/targets-smoke.test.ts': 12,
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
