// The external programs hw-sim runs (cross compiler, host compiler, size, QEMU, the flash
// programmers openocd and st-flash, and later Verilator and Yosys), spawned only here and in the
// session drivers: execa with argument arrays and a timeout, under the process guard (nothing
// outlives edgeprune), a missing tool reported as a UserError that names the Debian package to install.

import { UserError } from '../../src/errors.js';
import { overloadHint } from '../load.js';
import { ENOENT, errnoName, parseGuardReport } from '../guard/guard.js';
import { spawnGuarded } from '../process.js';

/** Where the tools are; every field is optional (defaults: found on PATH). */
export interface ToolOptions {
  /** Prefix of the cross tools, e.g. '/opt/arm/bin/arm-none-eabi-' (default 'arm-none-eabi-'). */
  armPrefix?: string;
  /** Host C compiler (default 'gcc'). */
  hostCc?: string;
  /** QEMU for Cortex-M machines (default 'qemu-system-arm'). */
  qemu?: string;
  /** openocd (default 'openocd'). */
  openocd?: string;
  /** st-flash of stlink-tools (default 'st-flash'). */
  stFlash?: string;
}

export interface Tool {
  command: string;
  /** Debian package that provides it. */
  debianPackage: string;
}

export function armGcc(tools: ToolOptions = {}): Tool {
  return { command: `${tools.armPrefix ?? 'arm-none-eabi-'}gcc`, debianPackage: 'gcc-arm-none-eabi' };
}

export function armSize(tools: ToolOptions = {}): Tool {
  return { command: `${tools.armPrefix ?? 'arm-none-eabi-'}size`, debianPackage: 'binutils-arm-none-eabi (installed with gcc-arm-none-eabi)' };
}

export function hostCc(tools: ToolOptions = {}): Tool {
  return { command: tools.hostCc ?? 'gcc', debianPackage: 'gcc' };
}

export function qemuArm(tools: ToolOptions = {}): Tool {
  return { command: tools.qemu ?? 'qemu-system-arm', debianPackage: 'qemu-system-arm' };
}

export function armObjcopy(tools: ToolOptions = {}): Tool {
  return { command: `${tools.armPrefix ?? 'arm-none-eabi-'}objcopy`, debianPackage: 'binutils-arm-none-eabi (installed with gcc-arm-none-eabi)' };
}

/** Programs a board through a debug probe (edgeprune flash). */
export function openocd(tools: ToolOptions = {}): Tool {
  return { command: tools.openocd ?? 'openocd', debianPackage: 'openocd' };
}

/** Programs an STM32 through an ST-LINK (edgeprune flash --tool st-flash). */
export function stFlash(tools: ToolOptions = {}): Tool {
  return { command: tools.stFlash ?? 'st-flash', debianPackage: 'stlink-tools' };
}

export const NEWLIB_PACKAGE = 'libnewlib-arm-none-eabi';

/** A tool that is not installed: what to install says more than any failure it caused elsewhere meanwhile. */
export class MissingToolError extends UserError {
  constructor(tool: Tool) {
    const pkg = tool.debianPackage.split(' ')[0];
    super(
      `'${tool.command}' was not found: hw-sim needs it to build, run and flash firmware`,
      `install the Debian package ${tool.debianPackage} (sudo apt-get install -y ${pkg}), or run 'make toolchains'`,
    );
    this.name = 'MissingToolError';
  }
}

/** The error for a tool that is not installed. */
export function missingTool(tool: Tool): MissingToolError {
  return new MissingToolError(tool);
}

/** A tool that did not finish in time: killed, with its group; an environment problem (exit 2). */
export class ToolTimeoutError extends UserError {
  constructor(tool: Tool, what: string, timeoutMs: number) {
    super(`${what}: '${tool.command}' did not finish within ${timeoutMs / 1000} s and was killed`, overloadHint());
    this.name = 'ToolTimeoutError';
  }
}

export interface ToolResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** Run a tool to completion. Resolves with any exit code; rejects on a missing tool or a timeout. */
export async function runTool(
  tool: Tool,
  args: string[],
  opts: { timeoutMs: number; cwd?: string; what: string },
): Promise<ToolResult> {
  const { subprocess } = await spawnGuarded(tool.command, args, { stdin: 'ignore', buffer: true, timeoutMs: opts.timeoutMs, cwd: opts.cwd, maxBuffer: 64 * 1024 * 1024 });
  const r = await subprocess;
  const report = parseGuardReport(String(r.stdio[3] ?? ''));
  if (report && 'execFailed' in report) {
    if (report.execFailed === ENOENT) throw missingTool(tool);
    throw new UserError(`${opts.what}: '${tool.command}' could not run (${errnoName(report.execFailed)})`, 'check that the tool is installed and executable');
  }
  if (r.timedOut) throw new ToolTimeoutError(tool, opts.what, opts.timeoutMs);
  if (r.exitCode === undefined || !report) {
    throw new Error(`${opts.what}: '${tool.command}' could not run: ${r.signal ? `killed by ${r.signal}` : r.shortMessage}`);
  }
  return { stdout: String(r.stdout), stderr: String(r.stderr), exitCode: r.exitCode };
}

/** The first line of `<tool> --version`, or null when the tool does not run. */
export async function toolVersion(tool: Tool): Promise<string | null> {
  try {
    const r = await runTool(tool, ['--version'], { timeoutMs: 10_000, what: `asking ${tool.command} for its version` });
    return r.exitCode === 0 ? r.stdout.split('\n')[0].trim() || null : null;
  } catch {
    return null;
  }
}

/** Run `tasks` with at most `limit` at a time; rejects with the first failure (after all settled). */
export async function runLimited<T>(tasks: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  let firstError: unknown;
  let failed = false;
  async function worker(): Promise<void> {
    while (next < tasks.length && !failed) {
      const i = next++;
      try {
        results[i] = await tasks[i]();
      } catch (e) {
        if (!failed) firstError = e;
        failed = true;
      }
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, tasks.length)) }, worker));
  if (failed) throw firstError;
  return results;
}
