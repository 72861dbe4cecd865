// The cost model against the emulator on int8 models: predicted instructions and model-library flash next to what
// QEMU measures for the int8 bench models (bench/cost-models.ts int8BenchModels: the MNIST-like CNN, the digits MLP
// and CNN, pruned variants, quantized by quantizeModel), on every target: the DSP path of the int8 kernels on the
// Cortex-M4/M7 targets, the portable one on the Cortex-M3 lm3s6965.
//
//   npx tsc -p . && node dist/bench/cost-model-int8.js [--targets a,b] [--json]
//
// Prints one table per target and, last, the largest relative error per target (the goal: ≤ 10%).

import { costModelMain } from './cost-model.js';
import { int8BenchModels } from './cost-models.js';
import { isMain } from './kernels/bench-lib.js';

if (isMain(import.meta.url)) {
  costModelMain(int8BenchModels()).catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exitCode = 1;
  });
}
