// An FPGA target's cost-model calibration (targets/calibration/<fpga>.json): per library module, the weights of its
// LUT and flip-flop terms (features.ts), fitted by non-negative least squares to Yosys runs of the calibration suite
// (suite.ts) by calibrate.ts, with the fit's errors; and sha256 of the library's Verilog at calibration time (a
// changed module makes the fit stale).

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { UserError } from '../../errors.js';
import type { FpgaTarget } from '../../targets/schema.js';
import { repoPath } from '../../util/package-root.js';
import { CALIBRATION_DIR } from '../calibration.js';
import { MODULE_TERMS } from './features.js';

export const FPGA_CALIBRATION_FORMAT = 'edgeprune-fpga-cost-calibration/1';

const coefficients = z.record(z.string(), z.number().nonnegative());
const fitQuality = z.object({ cases: z.number().int().nonnegative(), maxError: z.number(), rmsError: z.number() });

export const fpgaCalibrationSchema = z.object({
  format: z.literal(FPGA_CALIBRATION_FORMAT),
  about: z.array(z.string()),
  target: z.string(),
  family: z.enum(['ice40', 'xc7']),
  /** The synthesis the measurements come from (tool version and command). */
  measuredOn: z.string(),
  /** sha256 of each library module's Verilog at calibration time. */
  modules: z.record(z.string(), z.string()),
  kernels: z.record(
    z.string(),
    z.object({
      luts: coefficients,
      ffs: coefficients,
      /** Relative errors of the fitted formulas over the module's calibration cases. */
      fit: z.object({ luts: fitQuality, ffs: fitQuality }),
    }),
  ),
});

export type FpgaCalibration = z.infer<typeof fpgaCalibrationSchema>;

export function fpgaCalibrationPath(target: FpgaTarget | string, dir = CALIBRATION_DIR): string {
  return path.join(dir, `${typeof target === 'string' ? target : target.name}.json`);
}

/** The library files whose Verilog a module's fit depends on (the module and the requantizer it instantiates). */
export function moduleSources(module: string): string[] {
  if (module === 'ep_dense_folded' || module === 'ep_dense_rf1') return [`${module}.v`, 'ep_requant.v'];
  if (module === 'ep_uart_top') return ['ep_uart_top.v', 'ep_uart_rx.v', 'ep_uart_tx.v'];
  return [`${module}.v`];
}

/** sha256 of every library file the calibrated modules use, now. */
export function currentModuleHashes(): Record<string, string> {
  const files = [...new Set(Object.keys(MODULE_TERMS).flatMap(moduleSources))].sort();
  return Object.fromEntries(files.map((f) => [f, crypto.createHash('sha256').update(fs.readFileSync(repoPath('templates/verilog/lib', f))).digest('hex')]));
}

/** Library files changed since the calibration (empty: up to date). */
export function staleModules(cal: FpgaCalibration): string[] {
  const now = currentModuleHashes();
  return Object.keys(now).filter((f) => cal.modules[f] !== now[f]);
}

export function readFpgaCalibrationFile(file: string): FpgaCalibration {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UserError(`cannot read the FPGA cost calibration ${file}: ${(e as Error).message}`, 'run edgeprune calibrate --target <fpga> to write it');
  }
  const parsed = fpgaCalibrationSchema.safeParse(raw);
  if (!parsed.success) throw new UserError(`${file} is not an FPGA cost calibration: ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`, 'run edgeprune calibrate --target <fpga> to write it again');
  return parsed.data;
}

export function loadFpgaCalibration(target: FpgaTarget | string, dir = CALIBRATION_DIR): FpgaCalibration {
  const file = fpgaCalibrationPath(target, dir);
  if (!fs.existsSync(file)) {
    const name = typeof target === 'string' ? target : target.name;
    throw new UserError(`no FPGA cost calibration for ${name} (${file})`, `run edgeprune calibrate --target ${name}`);
  }
  return readFpgaCalibrationFile(file);
}

/** Write atomically (a temporary file renamed over the old one). */
export function writeFpgaCalibrationFile(cal: FpgaCalibration, file: string): void {
  const checked = fpgaCalibrationSchema.parse(cal);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(checked, null, 2)}\n`);
  fs.renameSync(tmp, file);
}
