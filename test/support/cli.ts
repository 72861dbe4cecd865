// Run the built `edgeprune` command in a child process and capture its output and exit code.
import path from 'node:path';
import { execa } from 'execa';
import { overloadHint, scaleForLoad } from '../../hw-sim/load.js';

const BIN = path.resolve('bin/edgeprune.js');

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export async function runCli(args: string[], options: { cwd?: string; timeout?: number; env?: Record<string, string> } = {}): Promise<CliResult> {
  // The timeout guards against a hang, not a slow machine: it stretches with the load (up to 6x).
  const timeout = scaleForLoad(options.timeout ?? 60_000);
  const r = await execa(process.execPath, [BIN, ...args], { reject: false, cwd: options.cwd, timeout, env: options.env, extendEnv: !options.env });
  if (r.timedOut) throw new Error(`edgeprune ${args.join(' ')} did not finish within ${timeout} ms (${overloadHint()})`);
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}
