// `edgeprune calibrate --target <name>`: run the cost model's calibration suite on the target's
// emulator (an MCU) or through Yosys (an FPGA), fit every kernel's or module's coefficients, print the fit quality
// and write targets/calibration/<name>.json atomically; for an MCU then the worst-case coefficients of its
// data-dependent kernels (targets/calibration/worst-case/<name>.json).

import type { Command } from 'commander';
import { calibrateTarget, type CalibrationRun } from '../../cost/calibrate.js';
import { UserError } from '../../errors.js';
import { findTarget, isFpgaTarget, requireMcuTarget } from '../../targets/load-targets.js';
import { calibrateFpgaTarget, type FpgaCalibrationRun } from '../../cost/fpga/calibrate.js';
import { fpgaCalibrationPath } from '../../cost/fpga/calibration.js';
import { versionLine } from '../../../hw-sim/nextpnr/place-ice40.js';
import { yosys } from '../../../hw-sim/yosys/synth.js';
import type { FpgaTarget } from '../../targets/schema.js';
import { calibrationPath, loadCalibration, writeCalibrationFile } from '../../cost/calibration.js';
import { calibrateWorstCase, type WorstCaseCalibrationRun } from '../../cost/calibrate-worst-case.js';
import { worstCasePathBeside, writeWorstCaseCalibration } from '../../cost/worst-case-calibration.js';
import { checkOutputFile } from '../../util/output-path.js';
import { renderTable } from '../format.js';
import { terminalJson } from '../../util/escape.js';
import { addJobOptions, runnerFromOptions } from '../job-options.js';

interface CalibrateCliOptions {
  target: string;
  optimize: 'O2' | 'O3' | 'Os';
  out?: string;
  only?: string;
  update?: boolean;
  json?: boolean;
  worstCase: boolean;
  workers?: string;
  queue?: string;
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

export function renderCalibration(run: CalibrationRun): string {
  const cal = run.calibration;
  const rows = run.fits.map((f) => [f.key, String(f.cases), pct(f.instructionsMaxError), pct(f.instructionsRmsError), `${Math.round(f.codeMaxErrorBytes)} B`, `${Math.round(f.codeRmsErrorBytes)} B`]);
  const worst = run.fits.reduce((w, f) => Math.max(w, f.instructionsMaxError), 0);
  return [
    `calibrated ${cal.target} on ${cal.measuredOn}`,
    `compiler: ${cal.compiler}`,
    '',
    renderTable(['kernel', 'cases', 'instr. max err', 'instr. rms err', 'code max err', 'code rms err'], rows, [false, true, true, true, true, true]),
    '',
    `${run.fits.length} kernel keys from ${run.cases} models; worst instruction fit ${pct(worst)} (errors of the fitted formulas over the calibration cases)`,
    `library: ${cal.library.instructions} instructions, ${cal.library.flashBytes} B flash, ${cal.library.stackBytes} B stack`,
    run.file ? `wrote ${run.file}` : 'not written',
    `time: ${(run.durationMs.measure / 1000).toFixed(1)} s measuring, ${(run.durationMs.total / 1000).toFixed(1)} s in all`,
  ].join('\n');
}

/** The worst-case calibration's lines: each data-dependent key's fit, or why none was made. */
export function renderWorstCaseCalibration(run: WorstCaseCalibrationRun | string): string {
  if (typeof run === 'string') return `worst-case calibration not made: ${run}`;
  const rows = Object.entries(run.calibration.kernels).map(([k, v]) => [k, String(v.fit.cases), v.fit.raisedBy.toFixed(3), pct(v.fit.maxOverPrediction)]);
  return [
    `worst-case calibration: ${rows.length} data-dependent kernel key${rows.length === 1 ? '' : 's'} (every suite case of each) from ${run.cases} models, each on ${run.calibration.vectors.length} vectors (raised by: the factor that makes the fitted formula bound every case; max over-prediction: how loose it then is on the cases)`,
    '',
    renderTable(['kernel', 'cases', 'raised by', 'max over-prediction'], rows, [false, true, true, true]),
    '',
    run.file ? `wrote ${run.file}` : 'not written',
  ].join('\n');
}

const relError = (measured: number, fitted: number) => (measured === 0 ? (fitted === 0 ? '0.0%' : 'n/a') : pct((fitted - measured) / measured));

export function renderFpgaCalibration(run: FpgaCalibrationRun): string {
  const cal = run.calibration;
  const rows = run.cases.map((c) => [
    c.name, String(c.luts.measured), String(c.luts.fitted), relError(c.luts.measured, c.luts.fitted), String(c.ffs.measured), String(c.ffs.fitted), relError(c.ffs.measured, c.ffs.fitted),
    `${c.dsps.measured}/${c.dsps.predicted}`, `${c.brams.measured}/${c.brams.predicted}`,
  ]);
  const fits = Object.entries(cal.kernels).map(([m, k]) => `${m}: ${k.fit.luts.cases} cases, LUT max ${pct(k.fit.luts.maxError)} rms ${pct(k.fit.luts.rmsError)}, FF max ${pct(k.fit.ffs.maxError)} rms ${pct(k.fit.ffs.rmsError)}`);
  const dspOff = run.cases.filter((c) => c.dsps.measured !== c.dsps.predicted).length;
  const bramOff = run.cases.filter((c) => c.brams.measured !== c.brams.predicted).length;
  return [
    `calibrated ${cal.target} (${cal.family}) on ${cal.measuredOn}`,
    '',
    renderTable(['case (suite design/layer:module)', 'LUT', 'fitted', 'err', 'FF', 'fitted', 'err', 'DSP (Yosys/structure)', 'BRAM (Yosys/structure)'], rows, [false, true, true, true, true, true, true, true, true]),
    '',
    ...fits,
    `DSP from structure: ${run.cases.length - dspOff} of ${run.cases.length} cases exact; block RAM: ${run.cases.length - bramOff} of ${run.cases.length}`,
    run.file ? `wrote ${run.file}` : 'not written',
    `time: ${(run.durationMs / 1000).toFixed(1)} s`,
  ].join('\n');
}

async function calibrateFpga(target: FpgaTarget, options: CalibrateCliOptions): Promise<void> {
  if (options.only || options.update) throw new UserError(`--only and --update are for MCU targets; ${target.name} is an FPGA target whose suite runs whole`, 'run edgeprune calibrate --target ' + target.name + ' without them');
  if (options.workers !== undefined || options.queue !== undefined) throw new UserError(`--workers and --queue are for MCU targets; ${target.name} is an FPGA target whose suite runs in this process`, 'run edgeprune calibrate --target ' + target.name + ' without them');
  if (!options.worstCase) throw new UserError(`--no-worst-case is for MCU targets; ${target.name} is an FPGA target, whose latency is cycle-exact (no worst-case calibration)`, 'run edgeprune calibrate --target ' + target.name + ' without it');
  checkOutputFile(options.out ?? fpgaCalibrationPath(target));
  const measuredOn = `${(await versionLine(yosys())) ?? 'Yosys'}: ${target.yosys.command}, every layer on its own`;
  const run = await calibrateFpgaTarget(target, { file: options.out, measuredOn, log: options.json ? undefined : (line) => process.stderr.write(`${line}\n`) });
  console.log(options.json ? terminalJson({ file: run.file, durationMs: run.durationMs, cases: run.cases, calibration: run.calibration }) : renderFpgaCalibration(run));
}

export function registerCalibrate(program: Command): void {
  const cmd = program
    .command('calibrate')
    .description("calibrate the cost model for a target: run tiny models of every kernel on the target's emulator (QEMU), fit each kernel's instruction and code-size formula (an FPGA target: synthesize small layers with Yosys, fit each module's LUT and flip-flop formula), write targets/calibration/<target>.json; for an MCU then run the data-dependent kernels on adversarial vectors and write their worst-case coefficients to targets/calibration/worst-case/<target>.json")
    .requiredOption('--target <name>', 'target board (edgeprune targets lists them)')
    .option('--optimize <level>', 'compiler optimization the models are built with: O2, O3 or Os', 'O2')
    .option('--out <file>', 'write the calibration here instead of targets/calibration/<target>.json')
    .option('--only <prefixes>', 'only the suite cases whose names start with these (comma-separated, e.g. dense.,conv.): a partial calibration, for debugging; write it with --out')
    .option('--update', "with --only: refit the kernel keys of those cases in the target's calibration and keep its other keys (refused when a kept kernel changed since, or the compiler did)")
    .option('--no-worst-case', "MCU: do not run the worst-case calibration after it (the data-dependent kernels on adversarial vectors, written to worst-case/<file> beside the calibration: the worst-case bound's coefficients; without one verify and build price those kernels by default factors, far looser)")
    .option('--json', 'print the calibration and the fit report as JSON');
  addJobOptions(cmd)
    .action(async (options: CalibrateCliOptions) => {
      const found = findTarget(options.target);
      if (isFpgaTarget(found)) return calibrateFpga(found, options);
      const target = requireMcuTarget(found, 'calibrate');
      if (!['O2', 'O3', 'Os'].includes(options.optimize)) throw new UserError(`--optimize must be O2, O3 or Os, got '${options.optimize}'`);
      if (options.update && !options.only) throw new UserError('--update refits the kernels of the --only cases: give --only <prefixes>');
      if (options.only && !options.out && !options.update) throw new UserError('--only makes a partial calibration: give --out <file> so that the target\'s calibration is not replaced, or --update to refit those kernels in it');
      const file = options.out ?? calibrationPath(target);
      const worstFile = worstCasePathBeside(file);
      checkOutputFile(file); // before minutes of measuring, not after
      if (options.worstCase) checkOutputFile(worstFile);
      const log = options.json ? () => {} : (line: string) => void process.stderr.write(`${line}\n`);
      // The suite's batches run as jobs: on local worker processes, or on a Redis queue's workers.
      const runner = runnerFromOptions(options, log);
      let run: CalibrationRun;
      let worst: WorstCaseCalibrationRun | string = '--no-worst-case';
      try {
        // Nothing is written until both are made: a failed worst-case step leaves the old pair as it was, not a new
        // calibration beside a worst-case one made for other kernels.
        run = await calibrateTarget(target, {
          optimize: options.optimize,
          file: null,
          only: options.only ? options.only.split(',').map((p) => p.trim()).filter(Boolean) : undefined,
          update: options.update ? loadCalibration(target) : undefined,
          log,
          runner,
        });
        // The worst-case coefficients go with this calibration's kernels: made after it, from it, beside it, on the same workers.
        if (options.worstCase) {
          log(`worst-case calibration of ${target.name}: the data-dependent kernel keys' cases on adversarial vectors`);
          const made = await calibrateWorstCase(target, { cal: run.calibration, optimize: options.optimize, file: null, runner, log });
          worst = 'nothingToCalibrate' in made ? made.nothingToCalibrate : { ...made, file: worstFile };
        }
      } finally {
        await runner.close();
      }
      writeCalibrationFile(run.calibration, file);
      run = { ...run, file };
      if (typeof worst !== 'string') writeWorstCaseCalibration(worst.calibration, worstFile);
      const worstJson = typeof worst === 'string' ? { made: false, why: worst } : { made: true, file: worst.file, cases: worst.cases, calibration: worst.calibration };
      console.log(options.json
        ? terminalJson({ file: run.file, cases: run.cases, durationMs: run.durationMs, fits: run.fits, calibration: run.calibration, worstCase: worstJson })
        : `${renderCalibration(run)}\n\n${renderWorstCaseCalibration(worst)}`);
    });
}
