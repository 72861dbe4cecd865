// The MCU cost model: what a graph costs on a target (instructions, estimated time, flash, RAM), predicted
// in milliseconds from the kernel calls the C emitter would produce, without compiling anything.
//
// API
//
//   predictCost(g: Graph, target: McuTarget, options?: PredictOptions): CostPrediction
//     Lowers g as compileToC does (fold BatchNorm, dead code, kernel calls, arena plan; no C rendered) and
//     sums the per-call formulas with the target's calibration. Result:
//       instructions     per inference (what `edgeprune verify` measures in QEMU)
//       estimatedMs      an ESTIMATE: instructions × target.cyclesPerInstruction / target.clockHz (estimateBasis says so)
//       flashBytes       the model library in flash = weightBytes + codeBytes (verify's flashBytes)
//       weightBytes      weight arrays as stored (8-byte aligned each); codeBytes: call sites + fixed library code
//       ramBytes         staticRamBytes (the arena: verify's ramBytes) + stackBytes (predicted, conservative)
//       arenaBytes, arenaLowerBoundBytes, stackBytes, macs
//       layers[]         per step: { nodes, kernel, summary, instructions, flashBytes, codeBytes, weightBytes, macs, fallback? }
//       warnings[]       stale calibration (kernel headers changed), fallback steps
//     options.calibration: a Calibration to use (default loadCalibration(target), cached per process).
//     options.unknownKernels: 'error' (default) throws CostModelError for a kernel call without a formula or
//       without calibration, naming the step and what to do; 'fallback' predicts such a step conservatively
//       (its nominal MACs × the worst instructions-per-MAC of any calibrated conv/dense case, or its output
//       elements × the worst per-element rate; the largest calibrated code size) and marks it `fallback`.
//
//   predictLowered({ graph, steps, plan }, target, options?)  the same from compileToC's or lowerForCost's result.
//   lowerForCost(g): LoweredProgram                            compileToC's graph, steps and plan, without C.
//   loadCalibration(target | name): Calibration                targets/calibration/<name>.json (UserError if missing).
//   staleHeaders(calibration), staleKeys(calibration, keys?)   kernel headers / calibrated keys changed since calibrating.
//   calibrateTarget(target, { optimize?, file?, log?, only? }): Promise<CalibrationRun>
//     Runs the calibration suite (~250 tiny models, many per firmware, one QEMU session per firmware) and
//     fits every kernel key by non-negative least squares; writes the file atomically unless file: null.
//     CLI: `edgeprune calibrate --target <name> [--json]` (src/cli/commands/calibrate.ts, registerCalibrate).
//     { only, update: loadCalibration(target) } (CLI --only <prefixes> --update) refits the kernels of those cases in the
//     target's calibration and keeps the others (refused when a kept kernel's header or the compiler changed).
//   measureOnTarget(target, cases, options?): Promise<Measurement[]>
//     Many models in one firmware: instructions, library flash, static RAM and stack per model, as verify.
//   targetEstimator(target), kernelEstimator(target, calibration?)  compileToC's `estimator`: the dense/sparse choice
//     of each pruned layer by this target's cost model (what compile, verify, build and measureOnTarget pass).
//   analyzeCall(call: CCall, zeroFraction?, ctx?): KernelUse, KERNEL_MODELS   the per-kernel formulas' terms (src/cost/kernels.ts);
//     ctx (KernelContext { dsp, fpu }, kernelContextOfCore(core, fpu)) is the kernels' path: the int8 ones' DSP
//     (Cortex-M4/M7) or portable (Cortex-M3), the float conv tile's VLDM loads with an FPU; predictions take it from the
//     calibration (calibrationContext). int8 models (quantizeModel's graphs:
//     QuantizeLinear, Int8Conv, Int8Gemm, int8 MaxPool, Int8Add, the int8 average pools, the weight-sparse int8
//     kernels, the float Softmax tail) are predicted like float ones.
//
// Speed: a prediction of the bench models takes ~1-5 ms (lowering, weight transposes, tile simulation).
// Accuracy (test/cost/accuracy.test.ts): within 10% of QEMU's instructions and the linked library flash on
// the bench models (measured errors are in the final report and the README).

export { calibrateTarget, type CalibrateOptions, type CalibrationRun, type KernelFitReport } from './calibrate.js';
export {
  calibrationContext,
  CALIBRATION_DIR,
  CALIBRATION_FORMAT,
  calibrationPath,
  loadCalibration,
  readCalibrationFile,
  staleHeaders,
  staleKeys,
  type Calibration,
  type KernelCalibration,
} from './calibration.js';
export { estimateCalls, kernelEstimator, targetEstimator } from './estimator.js';
export { analyzeCall, CostModelError, KERNEL_MODELS, kernelContextOfCore, modelOfKey, type KernelContext, type KernelModel, type KernelUse } from './kernels.js';
export { lowerForCost, type LowerForCostOptions, type LoweredProgram } from './lowered.js';
export { measureOnTarget, type MeasureCase, type MeasureOptions, type Measurement } from './measure.js';
export { predictCost, predictLowered, type CostPrediction, type LayerCost, type PredictOptions } from './predict.js';
