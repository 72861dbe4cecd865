// The order test files start in: the slowest first, so that the two workers finish together instead of one waiting on
// a long file that started last. vitest orders by the durations of the last run when its cache has them all; a fresh
// clone (CI) has no cache, and vitest then starts the largest files first, which puts short files with long tool runs
// (QEMU, Yosys, nextpnr) at the end. There, the durations of a measured run (SECONDS) order the files of each project;
// the files not listed follow, largest first. A stale figure only moves a file in the queue.
import path from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Seconds per file in a full `vitest run` on the 2-core machine under load (vitest's JSON report, cff7e3b; about twice
 * the idle figures: only their order matters), the files above 30 s; c-backend's from a run without the conformance cache.
 */
export const SECONDS: Record<string, number> = {
  'test/cli/fpga-verify.test.ts': 386, 'test/cli/build-fpga.test.ts': 382, 'test/cost/fpga-cost.test.ts': 377,
  'test/cli/build-int8.test.ts': 255, 'test/cli/build.test.ts': 248, 'test/c-kernels/cross-compile.test.ts': 190,
  'test/cost/fpga-cost-xc7.test.ts': 162, 'test/security/bad-numbers.test.ts': 138,
  'test/c-kernels/int8-qemu.test.ts': 125, 'test/cli/tfjs-model.test.ts': 124, 'test/cli/verify.test.ts': 120,
  'test/cli/int8.test.ts': 114, 'test/cli/argmax-accuracy.test.ts': 107, 'test/cli/quantize-qat.test.ts': 102,
  'test/cost/targets-smoke.test.ts': 92, 'test/cli/exporter-styles-verify.test.ts': 91,
  'test/cli/quantize.test.ts': 87, 'test/cost/accuracy.test.ts': 87, 'test/cli/fpga-verify-port.test.ts': 85,
  'test/cli/verify-argmax.test.ts': 85, 'test/verilog/dense-rf1-synthesis.test.ts': 85,
  'test/train/training.test.ts': 80, 'test/security/cleanup.test.ts': 74, 'test/cli/fpga-compile.test.ts': 73,
  'test/verilog/conv-stream-synthesis.test.ts': 72, 'test/cli/train-prune.test.ts': 71,
  'test/c-kernels/int8-sparse-qemu.test.ts': 70, 'test/cli/verify-int8-residual.test.ts': 70,
  'test/cli/verify-trace.test.ts': 70, 'test/security/hostile-names.test.ts': 69,
  'test/conformance/c-backend.test.ts': 65, 'test/build/measured-over-budget.test.ts': 63,
  'test/cost/accuracy-int8.test.ts': 63, 'test/c-kernels/int8-sparse-kernels.test.ts': 55,
  'test/cost/calibrate.test.ts': 52, 'test/quant/qat.test.ts': 52, 'test/cli/fpga-compile-cnn.test.ts': 50,
  'test/cli/hls.test.ts': 43, 'test/c-kernels/int8-per-tensor-qemu.test.ts': 39, 'test/cli/npy-data.test.ts': 37,
  'test/verilog/place-ice40.test.ts': 34, 'test/c-kernels/int8-kernels.test.ts': 33,
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
