// Yosys synthesis of a Verilog design for an FPGA family (synth_xilinx -family xc7, or synth_ice40), flattened so
// that the constants of each instance (weights, requantization multipliers and shifts) reach the logic they feed,
// with the cell counts of `stat -json` summed into the resources a designer budgets: LUTs, flip-flops, DSP blocks,
// block RAM and carry cells. Xilinx figures are a synthesis estimate by Yosys, not Vivado's.

import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../../src/errors.js';
import { makeTempDir, removeTempDir } from '../../src/util/temp-dir.js';
import { runTool, toolVersion, type Tool } from '../build/tools.js';
import { cacheKey, readCachedResult, writeCachedResult } from '../fpga/result-cache.js';
import { scaleForLoad } from '../load.js';

export type FpgaFamily = 'xc7' | 'ice40';

export interface SynthesisInput {
  /** Verilog sources (absolute paths). */
  verilog: string[];
  top: string;
  family: FpgaFamily;
  /** Map multipliers to DSP blocks (SB_MAC16 on iCE40; on by default for xc7, where synth_xilinx infers DSP48E1). */
  dsp?: boolean;
  /** Also write the mapped netlist as Yosys JSON to this path (the input of nextpnr). */
  netlist?: string;
  /**
   * xc7 only: also run Yosys's static timing analysis on the mapped cells with the delays of its xc7 cell library
   * (`sta`): the longest register-to-register path through cells, without routing (nextpnr cannot place xc7 here).
   */
  timing?: boolean;
  /** The run's time limit before it is scaled for the machine's load (default 10 minutes; benches of big designs raise it). */
  timeoutMs?: number;
}

/** The longest path through the mapped cells (Yosys `sta`, xc7 library delays, no routing). */
export interface LogicTiming {
  /** Latest arrival time at a flip-flop or output, in ns, from the clock pin. */
  logicDelayNs: number;
  /** 1000 / logicDelayNs: an upper bound of the clock (routing adds delay on a real device). */
  fmaxUpperBoundMHz: number;
  source: string;
}

export interface SynthesisResources {
  luts: number;
  flipFlops: number;
  dsps: number;
  /** Block RAMs in the family's unit (RAMB36E1 = 1, RAMB18E1 = 0.5; SB_RAM40_4K = 1). */
  blockRams: number;
  carries: number;
  /** Every cell type with its count. */
  cells: Record<string, number>;
  /** What produced the figures, for reports. */
  source: string;
  /** With `timing`: the cell-delay critical path (xc7). */
  timing?: LogicTiming;
}

export function yosys(): Tool {
  return { command: 'yosys', debianPackage: 'yosys' };
}

const SYNTH_TIMEOUT_MS = 600_000;

/** Quote a path for a Yosys script command line. */
function scriptPath(file: string): string {
  if (/["\n\r]/.test(file)) throw new UserError(`cannot pass the path '${file.replace(/[\n\r]/g, '?')}' to Yosys: it holds a quote or a line break`, 'use a folder without quotes or line breaks in its name');
  return `"${file}"`;
}

function synthCommand(input: SynthesisInput): string {
  if (input.family === 'xc7') return `synth_xilinx -family xc7 -flatten -top ${input.top}${input.dsp === false ? ' -nodsp' : ''}`;
  return `synth_ice40 -top ${input.top}${input.dsp ? ' -dsp' : ''}`;
}

/** Yosys's xc7 cell library with its timing (specify blocks), read after synthesis so that `sta` knows each cell's delays. */
const XC7_TIMING = ['read_verilog -lib -specify +/xilinx/cells_sim.v +/xilinx/cells_xtra.v', 'tee -q -o sta.txt sta'];

/** The latest arrival time of Yosys's `sta` report ("Latest arrival time in 'top' is 5612:", picoseconds). */
export function parseStaReport(report: string): LogicTiming {
  const m = /Latest arrival time in '[^']*' is (\d+)/.exec(report);
  if (!m) throw new Error(`Yosys sta printed no latest arrival time: ${report.trim().split('\n').slice(0, 3).join(' | ')}`);
  const logicDelayNs = Number(m[1]) / 1000;
  return { logicDelayNs, fmaxUpperBoundMHz: logicDelayNs > 0 ? 1000 / logicDelayNs : Infinity, source: 'Yosys sta: cell delays of its xc7 library, no routing' };
}

const sum = (cells: Record<string, number>, test: (type: string) => boolean) => Object.entries(cells).reduce((s, [t, n]) => (test(t) ? s + n : s), 0);

/** The resources of the cell counts of one family. */
export function resourcesOf(family: FpgaFamily, cells: Record<string, number>): Omit<SynthesisResources, 'cells' | 'source'> {
  if (family === 'xc7') {
    return {
      luts: sum(cells, (t) => /^LUT[1-6](_2)?$/.test(t)),
      flipFlops: sum(cells, (t) => /^FD[CPRS]E$/.test(t)),
      dsps: sum(cells, (t) => t === 'DSP48E1'),
      blockRams: sum(cells, (t) => t === 'RAMB36E1') + 0.5 * sum(cells, (t) => t === 'RAMB18E1'),
      carries: sum(cells, (t) => t === 'CARRY4'),
    };
  }
  return {
    luts: sum(cells, (t) => t === 'SB_LUT4'),
    flipFlops: sum(cells, (t) => /^SB_DFF/.test(t)),
    dsps: sum(cells, (t) => t === 'SB_MAC16'),
    blockRams: sum(cells, (t) => t === 'SB_RAM40_4K'),
    carries: sum(cells, (t) => t === 'SB_CARRY'),
  };
}

let versionOnce: Promise<string | null> | undefined;

/** Yosys's version line (null when it does not answer: then nothing is cached and the run reports what is wrong). */
export function yosysVersion(): Promise<string | null> {
  versionOnce ??= toolVersion(yosys());
  return versionOnce;
}

/**
 * Synthesize and count. A design Yosys rejects is an internal error (the Verilog is edgeprune's), with its message.
 * The counts of a design synthesized before (the same sources, options and Yosys) come from the per-user cache
 * (hw-sim/fpga/result-cache.ts), unless the netlist is asked for.
 */
export async function synthesize(input: SynthesisInput): Promise<SynthesisResources> {
  const version = input.netlist ? null : await yosysVersion();
  const key = version ? cacheKey('yosys', { strings: [version, input.family, input.top, String(input.dsp), String(input.timing === true), synthCommand(input), XC7_TIMING.join('; ')], files: input.verilog }) : null;
  const hit = key ? readCachedResult<SynthesisResources>(key) : null;
  if (hit) return hit.value;
  const result = await runSynthesis(input);
  if (key) writeCachedResult(key, result);
  return result;
}

async function runSynthesis(input: SynthesisInput): Promise<SynthesisResources> {
  const work = makeTempDir('yosys');
  try {
    const statFile = path.join(work, 'stat.json');
    const timing = input.timing === true;
    if (timing && input.family !== 'xc7') throw new Error('logic timing by Yosys sta is for xc7 only: on iCE40 nextpnr gives the real Fmax');
    const netlist = input.netlist ? [`write_json ${scriptPath(input.netlist)}`] : [];
    const script = [`read_verilog ${input.verilog.map(scriptPath).join(' ')}`, synthCommand(input), 'tee -q -o stat.json stat -json', ...netlist, ...(timing ? XC7_TIMING : [])].join('; ');
    const r = await runTool(yosys(), ['-q', '-p', script], { timeoutMs: scaleForLoad(input.timeoutMs ?? SYNTH_TIMEOUT_MS), cwd: work, what: `synthesizing ${input.top} for ${input.family} with Yosys` });
    if (r.exitCode !== 0 || !fs.existsSync(statFile)) {
      const errors = `${r.stderr}\n${r.stdout}`.split('\n').filter((l) => /ERROR|error/.test(l));
      throw new Error(`Yosys could not synthesize ${input.top} for ${input.family} (exit ${r.exitCode}): ${(errors.length ? errors : [r.stderr.trim()]).slice(0, 5).join(' | ')}`);
    }
    const stat = JSON.parse(fs.readFileSync(statFile, 'utf8')) as { design?: { num_cells_by_type?: Record<string, number> } };
    const cells = stat.design?.num_cells_by_type ?? {};
    const family = input.family === 'xc7' ? 'synth_xilinx -family xc7' : 'synth_ice40';
    const result: SynthesisResources = { ...resourcesOf(input.family, cells), cells, source: `synthesis estimate (Yosys ${family})` };
    if (timing) result.timing = parseStaReport(fs.readFileSync(path.join(work, 'sta.txt'), 'utf8'));
    return result;
  } finally {
    removeTempDir(work);
  }
}
