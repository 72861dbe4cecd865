// Run the built `edgeprune` command in a child process and capture its output and exit code.
import path from 'node:path';
import { execa } from 'execa';

const BIN = path.resolve('bin/edgeprune.js');

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export async function runCli(args: string[], options: { cwd?: string; timeout?: number; env?: Record<string, string> } = {}): Promise<CliResult> {
  const r = await execa(process.execPath, [BIN, ...args], { reject: false, cwd: options.cwd, timeout: options.timeout ?? 60_000, env: options.env, extendEnv: !options.env });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}
