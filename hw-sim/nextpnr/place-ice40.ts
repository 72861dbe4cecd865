// Place and route for iCE40 with the open flow: Yosys synth_ice40 (hw-sim/yosys/synth.ts, which also writes the JSON
// netlist), nextpnr-ice40 (placement, routing, timing: the clock's Fmax and the device utilisation from its JSON
// report), icepack (the bitstream). Every tool through runTool (argument arrays, timeouts stretched by the load). A
// missing tool is a UserError naming its Debian package; a design that does not fit the device is a UserError with
// the utilisation nextpnr printed.

import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../../src/errors.js';
import { makeTempDir, removeTempDir } from '../../src/util/temp-dir.js';
import { runTool, type Tool } from '../build/tools.js';
import { scaleForLoad } from '../load.js';
import { cacheKey, readCachedResult, writeCachedResult } from '../fpga/result-cache.js';
import { synthesize, yosys, type SynthesisResources } from '../yosys/synth.js';

export function nextpnrIce40(): Tool {
  return { command: 'nextpnr-ice40', debianPackage: 'nextpnr-ice40' };
}

export function icepack(): Tool {
  return { command: 'icepack', debianPackage: 'fpga-icestorm' };
}

/** nextpnr-ice40's device flags (--up5k, --hx8k, ...). */
export const ICE40_DEVICES = ['lp384', 'lp1k', 'lp4k', 'lp8k', 'hx1k', 'hx4k', 'hx8k', 'up3k', 'up5k', 'u4k', 'u1k', 'u2k'] as const;
export type Ice40Device = (typeof ICE40_DEVICES)[number];

export interface Ice40PlaceInput {
  /** Verilog sources (absolute paths). */
  verilog: string[];
  top: string;
  /** nextpnr's device name, e.g. 'up5k'. */
  device: Ice40Device;
  /** Package, e.g. 'sg48' (UPduino, iCEBreaker) or 'ct256' (hx8k boards). */
  package: string;
  /** Target clock frequency in MHz (nextpnr --freq): the design is placed and timed for it. */
  freqMHz: number;
  /** Pin constraints file; without it nextpnr picks the pins (--pcf-allow-unconstrained). */
  pcf?: string;
  /** Multipliers on SB_MAC16 DSP blocks (synth_ice40 -dsp) instead of LUTs. */
  dsp?: boolean;
  /** Where to write the bitstream (created if missing); `<top>.bin` in it. */
  outDir: string;
  /** nextpnr's placer seed (default 1: deterministic figures). */
  seed?: number;
  /** A name for reports (default: the top module). */
  label?: string;
}

export interface Usage {
  used: number;
  available: number;
}

export interface Ice40PlaceResult {
  label: string;
  device: Ice40Device;
  package: string;
  /** The highest clock frequency the routed design meets (nextpnr's timing analysis), in MHz. */
  fmaxMHz: number;
  targetMHz: number;
  meetsTarget: boolean;
  /** Logic cells, block RAMs (EBR, 4 Kbit), DSP blocks and I/O used of those available (nextpnr), and the LUTs and
   *  flip-flops of the mapped netlist (Yosys; one logic cell holds a LUT4 and a flip-flop). */
  utilisation: { logicCells: Usage; ebr: Usage; dsp: Usage; io: Usage; luts: number; flipFlops: number };
  synthesis: SynthesisResources;
  /** The slowest clock's critical path: the cells it starts and ends at and its delay (ns), as nextpnr reports it. */
  criticalPath: { from: string; to: string; delayNs: number } | null;
  bitstream: { path: string; bytes: number };
  toolVersions: { yosys: string | null; nextpnr: string | null; icepack: string | null };
}

const PNR_TIMEOUT_MS = 900_000;
const PACK_TIMEOUT_MS = 120_000;

interface PathStep {
  delay?: number;
  from?: { cell?: string };
  to?: { cell?: string };
}

interface NextpnrReport {
  fmax?: Record<string, { achieved?: number; constraint?: number }>;
  critical_paths?: { from?: string; to?: string; path?: PathStep[] }[];
  utilization?: Record<string, { used?: number; available?: number }>;
}

/** The first line a tool prints for --version, on stdout or stderr (nextpnr writes it to stderr); null without one. */
export async function versionLine(tool: Tool): Promise<string | null> {
  try {
    const r = await runTool(tool, ['--version'], { timeoutMs: 10_000, what: `asking ${tool.command} for its version` });
    const line = `${r.stdout}\n${r.stderr}`.split('\n').find((l) => /version|\d+\.\d+/i.test(l));
    return r.exitCode === 0 && line ? line.trim() : null;
  } catch (e) {
    if (e instanceof UserError) throw e; // not installed
    return null;
  }
}

/** A design nextpnr could not place on the device: what it would use of each cell type, and Yosys's figures. */
export class DeviceOverflowError extends UserError {
  constructor(message: string, readonly used: { type: string; used: number; available: number }[], readonly synthesis: SynthesisResources) {
    super(message, 'raise the reuse factor of the large layers (fewer multipliers), map multipliers to LUTs or DSPs instead, prune the model further, or choose a larger device');
  }
}

/** nextpnr's "Device utilisation" lines (cell type: used/ available) of the cell types the design uses. */
function utilisationLines(log: string): { type: string; used: number; available: number }[] {
  return log
    .split('\n')
    .map((l) => /^Info:\s+(\w+):\s+(\d+)\/\s*(\d+)\s/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null && Number(m[2]) > 0)
    .map((m) => ({ type: m[1], used: Number(m[2]), available: Number(m[3]) }));
}

const usage = (report: NextpnrReport, cell: string): Usage => ({ used: report.utilization?.[cell]?.used ?? 0, available: report.utilization?.[cell]?.available ?? 0 });

/** Synthesize, place and route `input.top` on an iCE40 and write its bitstream. */
export async function placeIce40(input: Ice40PlaceInput): Promise<Ice40PlaceResult> {
  if (!(input.freqMHz > 0 && Number.isFinite(input.freqMHz))) throw new UserError(`target frequency ${input.freqMHz} MHz is not a positive number`, 'give the clock in MHz, e.g. 24');
  if (!ICE40_DEVICES.includes(input.device)) throw new UserError(`unknown iCE40 device '${input.device}'`, `use one of ${ICE40_DEVICES.join(', ')}`);
  if (!/^[a-z0-9]+$/i.test(input.package)) throw new UserError(`package '${input.package}' is not a package name`, 'give the package as nextpnr names it, e.g. sg48 or ct256');
  if (input.pcf && !fs.existsSync(input.pcf)) throw new UserError(`constraints file '${input.pcf}' was not found`, 'give the path of an existing .pcf file');
  const label = input.label ?? input.top;
  // A design placed before (the same sources, constraints, options and tools) is a lookup in the per-user cache.
  const [yosysVersion, nextpnrVersion] = await Promise.all([versionLine(yosys()), versionLine(nextpnrIce40())]);
  const options = [input.top, input.device, input.package, String(input.freqMHz), String(input.seed ?? 1), String(input.dsp === true), NEXTPNR_OPTIONS.join(' ')];
  const key = yosysVersion && nextpnrVersion ? cacheKey('nextpnr-ice40', { strings: [yosysVersion, nextpnrVersion, ...options, input.pcf ? 'pcf' : 'no pcf'], files: [...input.verilog, ...(input.pcf ? [input.pcf] : [])] }) : null;
  const hit = key ? readCachedResult<Ice40PlaceResult>(key) : null;
  if (hit?.file) {
    fs.mkdirSync(input.outDir, { recursive: true });
    const bin = path.join(input.outDir, `${input.top}.bin`);
    fs.copyFileSync(hit.file, bin);
    return { ...hit.value, label, bitstream: { path: bin, bytes: fs.statSync(bin).size } };
  }
  const result = await placeAndRoute(input, label, { yosys: yosysVersion, nextpnr: nextpnrVersion, icepack: null });
  if (key) writeCachedResult(key, result, result.bitstream.path);
  return result;
}

/** nextpnr's options beside the design's own (device, package, clock, seed, constraints, files). */
const NEXTPNR_OPTIONS = ['--timing-allow-fail', '-q'];

async function placeAndRoute(input: Ice40PlaceInput, label: string, toolVersions: Ice40PlaceResult['toolVersions']): Promise<Ice40PlaceResult> {
  const work = makeTempDir('nextpnr');
  try {
    const netlist = path.join(work, `${input.top}.json`);
    const synthesis = await synthesize({ verilog: input.verilog, top: input.top, family: 'ice40', dsp: input.dsp, netlist });
    const asc = path.join(work, `${input.top}.asc`);
    const reportFile = path.join(work, 'report.json');
    const logFile = path.join(work, 'nextpnr.log');
    const args = [
      `--${input.device}`, '--package', input.package, '--json', netlist, '--asc', asc, '--freq', String(input.freqMHz),
      '--report', reportFile, '--seed', String(input.seed ?? 1), ...NEXTPNR_OPTIONS, '-l', logFile,
      ...(input.pcf ? ['--pcf', input.pcf] : ['--pcf-allow-unconstrained']),
    ];
    const what = `placing and routing ${label} on iCE40 ${input.device}-${input.package}`;
    const r = await runTool(nextpnrIce40(), args, { timeoutMs: scaleForLoad(PNR_TIMEOUT_MS), cwd: work, what });
    const log = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : `${r.stdout}\n${r.stderr}`;
    if (r.exitCode !== 0 || !fs.existsSync(asc) || !fs.existsSync(reportFile)) {
      const errors = log.split('\n').filter((l) => /^ERROR/.test(l));
      const used = utilisationLines(log);
      const missing = errors.map((e) => /no BELs remaining to implement cell type '([^']+)'/.exec(e)).find((m) => m !== null);
      const over = used.filter((u) => u.used > u.available);
      // nextpnr's placer gives up on a design that fits the counts but not the device's packing rules.
      const full = errors.some((e) => /utilisation limit|Unable to find legal placement/i.test(e));
      if (missing || over.length > 0 || full) {
        const short = [
          ...over.map((u) => `${u.used} ${u.type} of ${u.available}`),
          ...(missing && !over.some((u) => u.type === missing[1]) ? [`more ${missing[1]} than the device has`] : []),
          ...(full && !missing && over.length === 0 ? ['more than the placer can pack (at the utilisation limit)'] : []),
        ];
        throw new DeviceOverflowError(
          `${label} does not fit iCE40 ${input.device}-${input.package}: it needs ${short.join(', ')} (uses ${used.map((u) => `${u.type} ${u.used}/${u.available}`).join(', ')})`,
          used,
          synthesis,
        );
      }
      throw new Error(`nextpnr-ice40 could not place and route ${label} (exit ${r.exitCode}): ${(errors.length ? errors : [r.stderr.trim()]).slice(0, 5).join(' | ')}`);
    }
    const report = JSON.parse(fs.readFileSync(reportFile, 'utf8')) as NextpnrReport;
    const clocks = Object.values(report.fmax ?? {}).filter((c) => typeof c.achieved === 'number');
    if (clocks.length === 0) throw new Error(`nextpnr-ice40 reported no clock for ${label}: the design has no clocked logic`);
    const fmaxMHz = Math.min(...clocks.map((c) => c.achieved as number));
    const slowest = (report.critical_paths ?? []).map((c) => c.path ?? []).filter((p) => p.length > 0).map((p) => ({ p, delay: p.reduce((s, step) => s + (step.delay ?? 0), 0) })).sort((a, b) => b.delay - a.delay)[0];
    const criticalPath = slowest ? { from: slowest.p[0].from?.cell ?? '?', to: slowest.p[slowest.p.length - 1].to?.cell ?? '?', delayNs: Number(slowest.delay.toFixed(2)) } : null;

    fs.mkdirSync(input.outDir, { recursive: true });
    const bin = path.join(input.outDir, `${input.top}.bin`);
    const p = await runTool(icepack(), [asc, bin], { timeoutMs: scaleForLoad(PACK_TIMEOUT_MS), cwd: work, what: `writing the bitstream of ${label} with icepack` });
    if (p.exitCode !== 0 || !fs.existsSync(bin)) throw new Error(`icepack could not write the bitstream of ${label} (exit ${p.exitCode}): ${p.stderr.trim().split('\n').slice(-3).join(' | ')}`);

    return {
      label,
      device: input.device,
      package: input.package,
      fmaxMHz,
      targetMHz: input.freqMHz,
      meetsTarget: fmaxMHz >= input.freqMHz,
      utilisation: {
        logicCells: usage(report, 'ICESTORM_LC'),
        ebr: usage(report, 'ICESTORM_RAM'),
        dsp: usage(report, 'ICESTORM_DSP'),
        io: usage(report, 'SB_IO'),
        luts: synthesis.luts,
        flipFlops: synthesis.flipFlops,
      },
      synthesis,
      criticalPath,
      bitstream: { path: bin, bytes: fs.statSync(bin).size },
      // icepack has no version option: its Debian package is fpga-icestorm.
      toolVersions,
    };
  } finally {
    removeTempDir(work);
  }
}
