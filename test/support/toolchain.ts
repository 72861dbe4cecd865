// Tests that need a Debian tool: on a developer's machine a missing tool skips the test file with a SKIPPED line
// naming the package; under CI (the CI variable set) it fails the file instead, naming the package: no skips in CI.
import { execa } from 'execa';

/** The tools the tests run, with the Debian packages that provide them (as hw-sim/install-toolchains.sh installs). */
export const TOOL_PACKAGES = {
  gcc: 'gcc libc6-dev',
  make: 'make',
  cmake: 'cmake',
  'arm-none-eabi-gcc': 'gcc-arm-none-eabi libnewlib-arm-none-eabi',
  'qemu-system-arm': 'qemu-system-arm',
  openocd: 'openocd',
  'st-flash': 'stlink-tools',
  'redis-server': 'redis-server',
} as const;

export type TestTool = keyof typeof TOOL_PACKAGES;

/** True when CI is set (to anything but '', 'false' or '0'). */
export function underCi(env: NodeJS.ProcessEnv = process.env): boolean {
  const ci = env.CI?.trim().toLowerCase();
  return ci !== undefined && ci !== '' && ci !== 'false' && ci !== '0';
}

async function runs(command: string): Promise<boolean> {
  try {
    await execa(command, ['--version'], { timeout: 60_000, stdin: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** The tools of `tools` that do not run, as "tool (Debian package ...)". */
export async function missingTestTools(tools: readonly TestTool[]): Promise<string[]> {
  const present = await Promise.all(tools.map(runs));
  return tools.filter((_, i) => !present[i]).map((t) => `${t} (Debian package ${TOOL_PACKAGES[t]})`);
}

/**
 * Whether a test file must be skipped for its missing tools: false when nothing is missing; true, after a SKIPPED
 * warning naming the packages, outside CI; under CI it throws, failing the file with the packages to install.
 */
export function skipForMissingTools(file: string, missing: readonly string[], env: NodeJS.ProcessEnv = process.env): boolean {
  if (missing.length === 0) return false;
  const what = `${file}: missing ${missing.join(', ')}`;
  if (underCi(env)) throw new Error(`${what}; CI is set, so no test may be skipped: install them (make setup as root, or apt-get install)`);
  console.warn(`SKIPPED ${what}`);
  return true;
}

/** skipForMissingTools for the tools of `tools` that do not run. */
export async function skipWithoutTools(file: string, tools: readonly TestTool[]): Promise<boolean> {
  return skipForMissingTools(file, await missingTestTools(tools));
}
