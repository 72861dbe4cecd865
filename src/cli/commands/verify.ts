// `edgeprune verify <model> --target <name>`: build, run on the emulated board (or a real one), compare, measure.

import type { Command } from 'commander';
import { loadModel, modelDisplayName } from '../../import/load-model.js';
import type { InputShapes } from '../../passes/fix-input-shapes.js';
import { DEFAULT_TARGET_NAME, findTarget, isFpgaTarget } from '../../targets/load-targets.js';
import { verifyOnTarget, type VerifyReport } from '../../verify/verify-mcu.js';
import { checkConstantTimeMac, CONSTANT_TIME_MAC_FLAG, CONSTANT_TIME_MAC_HELP } from '../../emit/c/constant-time-mac.js';
import { terminalJson, terminalName, terminalText } from '../../util/escape.js';
import { formatBytes, formatCount, renderTable } from '../format.js';
import { collectInputShape, parseIntOption } from '../options.js';
import { addDataOptions, DATA_HELP } from '../data-options.js';
import { loadVerifyVectors, type VerifyDataOptions } from '../verify-data.js';
import type { OnTargetAccuracy } from '../../verify/on-target-accuracy.js';
import { UserError } from '../../errors.js';
import { addPrecisionOptions, modelForPrecision, type PrecisionOptions } from '../precision-options.js';
import { renderTrace, renderTraceSummary } from '../render-trace.js';
import { checkFloatReference } from '../../verify/float-reference.js';
import { parseMultiplierMapping, parseReuseFactor, type ReuseFactorSpec } from '../reuse-factor-option.js';
import type { MultiplierMapping } from '../../emit/verilog/fpga-project.js';
import { verifyForFpga } from './verify-fpga.js';
import { verifyHlsForFpga } from './verify-hls.js';
import { refuseOtherKindFlags } from '../target-kind-flags.js';
import { addProbeOptions, flashChoice, type ProbeOptions } from '../flash-options.js';
import type { WorstCaseReport } from '../../verify/worst-case-report.js';

/** Exit code when the firmware's outputs do not match. */
export const EXIT_VERIFY_FAILED = 4;

interface VerifyCliOptions extends PrecisionOptions, VerifyDataOptions, ProbeOptions {
  flash?: boolean;
  target: string;
  prefix?: string;
  optimize: 'O2' | 'O3' | 'Os';
  port?: string;
  keepBuild?: boolean;
  json?: boolean;
  inputShape?: InputShapes;
  floatModel?: string;
  trace?: boolean;
  reuseFactor?: ReuseFactorSpec;
  multipliers?: MultiplierMapping;
  synth?: boolean;
  hls?: boolean;
  worstCase?: boolean;
  inputRange?: [number, number];
  constantTimeMac?: boolean;
}

const sci = (x: number | null) => (x === null ? '-' : x === 0 ? '0' : x.toExponential(1));

/** What the passed vectors met: the tolerance (float32) or bit-exactness (int8), and the expected outputs when given. */
function passedHow(r: VerifyReport): string {
  const within = `within ${r.tolerance.atol} + ${r.tolerance.rtol}·|x| of`;
  const expected = r.maxAbsErrorExpected === null ? '' : r.comparison === 'bit-exact' ? ` and ${within} the expected outputs` : ' and the expected outputs';
  return `${r.comparison === 'bit-exact' ? 'bit-exact with' : within} the interpreter${expected}`;
}

/** Rows of the per-vector table at most: the first vectors and every failing one up to this; --json has them all. */
const TABLE_ROWS = 20;

/** The vectors the table shows: all of a short run, else the failing ones first, then the first ones, up to TABLE_ROWS. */
function shownResults(r: VerifyReport): VerifyReport['results'] {
  if (r.results.length <= TABLE_ROWS) return r.results;
  const failing = r.results.filter((v) => !v.passed).slice(0, TABLE_ROWS);
  const rest = r.results.filter((v) => v.passed).slice(0, TABLE_ROWS - failing.length);
  return [...failing, ...rest].sort((a, b) => a.index - b.index);
}

export function renderVerify(r: VerifyReport): string {
  const shown = shownResults(r);
  const rows = shown.map((v) => [
    String(v.index), sci(v.maxAbsError), sci(v.maxAbsErrorExpected), v.hostBitIdentical ? 'yes' : 'NO',
    v.instructions !== null ? formatCount(v.instructions) : v.cycles !== null ? `${formatCount(v.cycles)} cycles` : '-',
    v.stackBytes !== null ? `${v.stackBytes} B` : '-', v.passed ? 'ok' : `FAIL: ${v.problem}`,
  ]);
  const lines = [
    `verify ${terminalName(r.model)} on ${r.target} (${terminalText(r.runOn)})`,
    `vectors: ${terminalText(r.vectorSource)}`,
    '',
    renderTable(['#', '|C - interpreter|', '|C - expected|', 'host = target', 'instructions', 'stack', 'result'], rows, [true, true, true, false, true, true, false]),
    ...(shown.length < r.results.length ? [`(${r.results.length - shown.length} more vectors not shown, ${r.results.filter((v) => !v.passed).length} failing in all; --json lists every one)`] : []),
    '',
    r.passed ? `PASSED: ${r.vectors}/${r.vectors} vectors ${passedHow(r)}; host and target outputs bit-identical` : `FAILED: ${r.results.filter((v) => !v.passed).length} of ${r.vectors} vectors${r.comparison === 'bit-exact' ? ` (bit-exact with the interpreter: ${r.bitExactVectors}/${r.vectors})` : ''}`,
    `precision: ${terminalText(r.precision.reason)}${r.constantTimeMac ? ' · constant-time MAC (--constant-time-mac)' : ''}`,
  ];
  if (r.accuracy) lines.push(onTargetAccuracyLine(r.accuracy, r.runOn));
  const f = r.floatReference;
  if (f) {
    const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
    const agreement = f.top1Agreement !== null ? `top-1 agreement ${pct(f.top1Agreement)} of ${f.vectors} vectors · ` : '';
    const accuracy = f.accuracy
      ? ` · accuracy on ${f.labelled} labelled vectors: int8 ${pct(f.accuracy.int8)}, float ${pct(f.accuracy.float)} (${signedPoints(-f.accuracy.dropPoints)} points)`
      : ' · no labels in the data: no accuracy';
    lines.push(`against the float model ${terminalName(f.model)}: ${agreement}largest difference ${sci(f.maxAbsDiff)}${accuracy}`);
  }
  if (r.instructions !== null) {
    const perMac = r.instructionsPerMac !== null ? ` (${r.instructionsPerMac.toFixed(2)} per MAC)` : '';
    lines.push(`instructions per inference: ${formatCount(r.instructions)}${perMac} → ${r.estimatedMs!.toFixed(2)} ms (${r.estimateBasis})`);
  } else if (r.cycles !== null) {
    lines.push(`cycles per inference: ${formatCount(r.cycles)} → ${r.estimatedMs!.toFixed(2)} ms (${r.estimateBasis})`);
  }
  lines.push(`flash: model ${formatBytes(r.flashBytes)} (weights ${formatBytes(r.weightBytes)} + code ${formatBytes(r.codeBytes)}) · whole test firmware ${formatBytes(r.firmwareFlashBytes)}`);
  lines.push(`RAM: model ${formatBytes(r.ramBytes)} (arena ${formatBytes(r.arenaBytes)}, lower bound ${formatBytes(r.arenaLowerBoundBytes)}) · whole test firmware ${formatBytes(r.firmwareRamBytes)} + stack${r.stackBytes !== null ? ` (inference used ${r.stackBytes} B)` : ''}`);
  lines.push(`time: compile ${(r.durationsMs.compile / 1000).toFixed(2)} s · build ${(r.durationsMs.build / 1000).toFixed(2)} s · run ${(r.durationsMs.run / 1000).toFixed(2)} s`);
  if (r.worstCase !== undefined) lines.push(renderWorstCase(r.worstCase));
  if (r.buildDir) lines.push(`build kept in ${terminalText(r.buildDir)}`);
  if (r.trace) lines.push('', renderTrace(r.trace));
  if (r.hostTrace) lines.push(renderTraceSummary(r.hostTrace));
  else if (!r.passed) lines.push('to find the first layer that diverges from the interpreter, run again with --trace');
  return lines.join('\n');
}

export function registerVerify(program: Command): void {
  const cmd = program
    .command('verify')
    .description('build the model for a target, run it on the emulated board (or a real one with --port), compare every output with the reference interpreter, and measure instructions, stack, flash and RAM')
    .argument('<model>', 'model file (.onnx)')
    .option('--target <name>', 'target board (edgeprune targets lists them)', DEFAULT_TARGET_NAME)
    .option('--data <path>', `input vectors: the model's own ONNX test data (test_data_set_* folders whose tensors are the model's inputs and expected outputs), or a data set: ${DATA_HELP}; a labelled data set gives the on-target accuracy`)
    .option('--split <part>', 'which part of a data set\'s seeded split to run (as build and eval split it): all, train, validation or test', 'test')
    .option('--vectors <n>', 'how many vectors at most (default: every one of --data on an MCU target; 10 random ones without --data, and on an FPGA target)', parseIntOption('--vectors', 1, 100_000))
    .option('--prefix <name>', 'prefix of the generated C symbols', 'model')
    .option('--optimize <level>', 'compiler optimization: O2, O3 or Os', 'O2')
    .option('--port <path>', 'talk to a real board on this serial port (e.g. /dev/ttyACM0) instead of QEMU; on an FPGA target, a board running the board top compile writes, instead of Verilator')
    .option('--flash', 'with --port: first program the test firmware into the board through a debug probe (--probe; as edgeprune flash)')
    .option('--keep-build', 'keep the build folder and print where it is')
    .option('--float-model <file>', 'for a quantized model: the float model it came from (default: the model itself when verify quantizes it); reports top-1 agreement and, when --data has labels, both accuracies')
    .option('--trace', 'build a firmware that returns every layer\'s output, compare each with the interpreter, and name the first that diverges (slower: every layer crosses the UART)')
    .option('--reuse-factor <spec>', 'FPGA targets: reuse factor of every layer and/or node=factor (as compile)', parseReuseFactor)
    .option('--multipliers <where>', 'FPGA targets: multipliers on DSP blocks (dsp), in LUT logic (lut), or auto: DSP blocks when the design\'s multipliers fit the target\'s', parseMultiplierMapping)
    .option('--synth', 'FPGA targets: also synthesize with Yosys (and on iCE40 place and route with nextpnr, pack with icepack): resources, Fmax, latency in µs')
    .option('--hls', 'FPGA targets: C-simulate the model\'s HLS C++ with g++ instead of its Verilog in Verilator (Vitis HLS is not run)')
    .option('--worst-case', 'MCU targets: also run adversarial vectors (zeros, no zeros, the input range\'s ends, subnormals, float32 extremes) and report the worst-case instruction bound next to the typical and worst measured counts; a count above the bound exits 1')
    .option('--input-range <min,max>', 'with --worst-case: the range the model\'s inputs come from (default -1,1)', parseInputRange)
    .option(CONSTANT_TIME_MAC_FLAG, CONSTANT_TIME_MAC_HELP)
    .option('--json', 'print one JSON object')
    .option('--input-shape <name=dims>', 'fix a dynamic input shape, e.g. input=1x1x28x28 (repeatable)', collectInputShape);
  addProbeOptions(addPrecisionOptions(addDataOptions(cmd, 'of the random vectors (without --data)')), 'with --flash: ').action(async (file: string, options: VerifyCliOptions) => {
    const found = findTarget(options.target);
    if (isFpgaTarget(found)) {
      const mcuFlags = [['--float-model', options.floatModel], ['--trace', options.trace], ['--keep-build', options.keepBuild], ['--flash', options.flash], ['--probe', options.probe], ['--tool', options.tool], ['--worst-case', options.worstCase], [CONSTANT_TIME_MAC_FLAG, options.constantTimeMac]] as const;
      refuseOtherKindFlags(mcuFlags, 'MCU', found.name, (flag) => (flag === '--trace' ? 'FPGA verify traces every layer already' : flag === '--worst-case' ? 'an FPGA design\'s latency is cycle-exact by construction (its RTL has no data-dependent control): the cycles verify reports are the worst case; drop --worst-case' : `drop ${flag}`));
      if (options.hls && (options.synth || options.port)) {
        throw new UserError(`--hls and ${options.synth ? '--synth' : '--port'}: --hls runs the HLS C++ in g++ C simulation only (no synthesis, no board)`, `drop ${options.synth ? '--synth' : '--port'}, or drop --hls to verify the Verilog`);
      }
      if (options.hls) {
        if (options.multipliers) throw new UserError('--hls and --multipliers: the HLS C++ leaves the multipliers to Vitis HLS', 'drop --multipliers');
        const report = await verifyHlsForFpga(file, found, options);
        if (!report.passed) process.exitCode = EXIT_VERIFY_FAILED;
        return;
      }
      if (options.port && options.synth) throw new UserError('--synth and --port: the board runs a bitstream built already', 'drop --synth (verify --synth without --port gives the design\'s resources and Fmax)');
      const report = await verifyForFpga(file, found, options);
      if (!report.passed) process.exitCode = EXIT_VERIFY_FAILED;
      return;
    }
    refuseOtherKindFlags([['--reuse-factor', options.reuseFactor], ['--synth', options.synth], ['--multipliers', options.multipliers], ['--hls', options.hls]], 'FPGA', found.name);
    const target = found;
    if (options.inputRange && !options.worstCase) throw new UserError('--input-range is for --worst-case', 'add --worst-case, or drop --input-range');
    // A trace build's counts take in the UART traffic of every layer's outputs: not the deployed firmware's.
    if (options.trace && options.worstCase) throw new UserError('--trace and --worst-case do not go together: a trace build\'s instruction counts include sending every layer\'s outputs', 'run verify --worst-case and verify --trace separately');
    if (!['O2', 'O3', 'Os'].includes(options.optimize)) throw new UserError(`--optimize must be O2, O3 or Os, got '${options.optimize}'`);
    if (options.flash && !options.port) throw new UserError('--flash programs a real board: it needs --port, the board\'s serial port', 'add --port <path>, or drop --flash to verify in QEMU');
    if (!options.flash && (options.probe || options.tool)) throw new UserError(`${options.probe ? '--probe' : '--tool'} is for --flash`, 'add --flash to program the board first, or drop it');
    const flash = options.flash ? flashChoice(options, target, 'verify --flash') : undefined;
    const model = await loadModel(file, { inputShapes: options.inputShape });
    const { graph: g, choice: precision, floatModel: original } = modelForPrecision(model, target, options, 'verify');
    const floatModel = options.floatModel
      ? { graph: await loadModel(options.floatModel, { inputShapes: options.inputShape }), name: modelDisplayName(options.floatModel) }
      : original && { graph: original, name: modelDisplayName(file) };
    if (floatModel) checkFloatReference(g, floatModel);
    if (options.constantTimeMac) checkConstantTimeMac(target, precision.precision);
    const vectors = loadVerifyVectors(g, options, true);
    const report = await verifyOnTarget(g, modelDisplayName(file), {
      worstCase: options.worstCase ? { range: options.inputRange } : undefined,
      target, vectors, prefix: options.prefix, optimize: options.optimize, port: options.port, flash: flash && { probe: flash.probe, tool: flash.tool }, keepBuild: options.keepBuild, precision, floatModel, trace: options.trace,
      constantTimeMac: options.constantTimeMac,
      log: options.json ? undefined : (line) => process.stderr.write(`${terminalText(line)}\n`),
    });
    console.log(options.json ? terminalJson(report) : renderVerify(report));
    if (!report.passed) process.exitCode = EXIT_VERIFY_FAILED;
    // A bound exceeded is edgeprune's bug, not the model's: exit 1 (renderVerify names the vector).
    if (report.worstCase && !report.worstCase.holds) process.exitCode = 1;
  });
}

/** The on-target accuracy next to the interpreter's (verify and build print it). */
export function onTargetAccuracyLine(a: OnTargetAccuracy, runOn: string): string {
  const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
  return `on-target accuracy: ${pct(a.onTarget)} on ${terminalText(runOn)}, interpreter ${pct(a.interpreter)} (${a.vectors} labelled vectors) · top-1 agreement ${pct(a.agreement)} · largest difference ${sci(a.maxAbsDiff)}`;
}

/** A change in points with its sign, one decimal: "-1.0", "+0.3", and "0.0" rather than "-0.0". */
function signedPoints(change: number): string {
  const text = Math.abs(change).toFixed(1);
  if (Number(text) === 0) return '0.0';
  return `${change < 0 ? '-' : '+'}${text}`;
}

/** `--input-range min,max`. */
function parseInputRange(text: string): [number, number] {
  const parts = text.split(',').map((p) => Number(p.trim()));
  if (parts.length !== 2 || !parts.every(Number.isFinite) || parts[0] > parts[1]) throw new UserError(`--input-range must be min,max with min ≤ max, got '${text}'`);
  return [parts[0], parts[1]];
}

/** verify --worst-case: typical, worst measured on adversarial vectors, the bound. */
export function renderWorstCase(w: WorstCaseReport | null): string {
  if (w === null) return 'worst case: not available (no instruction count, or the target has no cost-model calibration)';
  const dependent = w.kernels.filter((k) => k.dependent).map((k) => k.key);
  return [
    `worst case (${w.core}): typical ${formatCount(w.typicalInstructions)} · worst adversarial vector ${formatCount(w.worstMeasuredInstructions)} (${terminalText(w.worstVector)}) · ${w.exact ? 'exact' : 'bound'} ${formatCount(w.instructionsWorstCase)} (bound/worst − 1 = ${(w.boundOverWorst * 100).toFixed(1)}%)`,
    `  ${terminalText(w.basis)}`,
    `  data-dependent kernels: ${dependent.length ? dependent.join(', ') : 'none'}`,
    ...w.steps.map((s) => `  step ${s.step} [${terminalText(s.nodes.join(', '))}]${s.dependent ? ' dependent' : ''}: typical ${formatCount(Math.round(s.typical))}, worst measured ${formatCount(Math.round(s.worstMeasured))}, bound share ${formatCount(Math.ceil(s.bound))}`),
    ...(w.problem ? [`  ERROR: ${terminalText(w.problem)}`] : []),
    ...w.tighten.map((t) => `  to tighten: ${terminalText(t)}`),
  ].join('\n');
}
