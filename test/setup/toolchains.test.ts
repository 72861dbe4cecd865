// `make setup`'s toolchain step (hw-sim/install-toolchains.sh) as a non-root user: it names every missing package, says
// what `make test` then does, and under CI fails; and the test files' gate that makes that message true.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { skipForMissingTools, skipWithoutTools, underCi } from '../support/toolchain.js';

const SCRIPT = path.resolve('hw-sim/install-toolchains.sh');
const TEST_PACKAGES = 'gcc libc6-dev make cmake gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm openocd stlink-tools redis-server';
const FPGA_PACKAGES = 'verilator yosys nextpnr-ice40 fpga-icestorm iverilog';
const FPGA_PROGRAMS: [program: string, pkg: string][] = [['verilator', 'verilator'], ['yosys', 'yosys'], ['nextpnr-ice40', 'nextpnr-ice40'], ['icepack', 'fpga-icestorm'], ['iverilog', 'iverilog']];
const TEST_PROGRAMS = ['gcc', 'make', 'cmake', 'arm-none-eabi-gcc', 'qemu-system-arm', 'openocd', 'st-flash', 'redis-server'] as const;
const noTestTools = await skipWithoutTools('test/setup/toolchains.test.ts (the case with every tool the tests need)', [...TEST_PROGRAMS]);
let dir: string;

const realProgram = (p: string) => ['/usr/bin', '/bin', '/usr/local/bin'].map((d) => path.join(d, p)).find((f) => fs.existsSync(f));

/** A PATH folder holding only the named programs (symlinks to the real ones). */
function pathWith(name: string, programs: string[]): string {
  const bin = path.join(dir, name);
  fs.mkdirSync(bin);
  for (const p of programs) {
    const real = realProgram(p);
    if (real) fs.symlinkSync(real, path.join(bin, p));
  }
  return bin;
}

/** Run the script as a non-root user (root installs instead of explaining): setpriv to nobody when this is root. */
async function runSetup(bin: string, env: Record<string, string> = {}) {
  const asUser = process.getuid?.() === 0 ? ['/usr/bin/setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'] : [];
  // A copy in our own world-readable folder: the checkout may sit in a folder nobody cannot enter (mktemp -d is 0700).
  const script = path.join(dir, 'install-toolchains.sh');
  if (!fs.existsSync(script)) fs.copyFileSync(SCRIPT, script);
  const [command, ...args] = [...asUser, '/bin/bash', script];
  const r = await execa(command, args, { env: { PATH: bin, ...env }, extendEnv: false, reject: false, timeout: 120_000, stdin: 'ignore' });
  return { exitCode: r.exitCode, stdout: String(r.stdout), stderr: String(r.stderr) };
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeprune-setup-'));
  fs.chmodSync(dir, 0o755);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('hw-sim/install-toolchains.sh as a non-root user', () => {
  it('names every missing package, host gcc and make included, and says exactly what make test does without them', async () => {
    const r = await runSetup(pathWith('none', []));
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(r.stderr).toContain(`setup: missing Debian packages: ${TEST_PACKAGES} ${FPGA_PACKAGES}`);
    expect(r.stderr).toContain(`sudo apt-get install -y ${TEST_PACKAGES} ${FPGA_PACKAGES}`);
    expect(r.stderr).toContain('the C kernel tests (test/c-kernels/), the Makefile test and the Redis job-queue tests report SKIPPED');
    expect(r.stderr).toContain('every other test that builds or runs C fails with an error naming it');
    expect(r.stderr).toContain(`(${FPGA_PACKAGES}: for the FPGA backends; no command or test uses them yet)`);
  });

  it('fails under CI when a package the tests need is missing', async () => {
    const r = await runSetup(pathWith('ci', []), { CI: 'true' });
    expect(r.exitCode, String(r.stderr)).toBe(1);
    expect(r.stderr).toContain(`setup: CI is set and the tests need ${TEST_PACKAGES}: stopping (in CI no test may be skipped)`);
  });

  it.skipIf(noTestTools)('passes under CI when only FPGA tools are missing, and says nothing when nothing is', async () => {
    const fpga = FPGA_PROGRAMS.filter(([program]) => realProgram(program));
    const r = await runSetup(pathWith('test-tools', [...TEST_PROGRAMS]), { CI: 'true' });
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(r.stderr).toContain(`setup: missing Debian packages: ${FPGA_PACKAGES}`);
    expect(r.stderr).not.toContain('stopping');
    // With every program this machine has: silent when it has them all, else it names exactly the FPGA ones it lacks.
    const all = await runSetup(pathWith('all', [...TEST_PROGRAMS, ...fpga.map(([program]) => program)]), { CI: 'true' });
    const lacking = FPGA_PROGRAMS.filter((e) => !fpga.includes(e)).map(([, pkg]) => pkg);
    expect(all.exitCode, String(all.stderr)).toBe(0);
    if (lacking.length === 0) expect(all).toEqual({ exitCode: 0, stdout: '', stderr: '' });
    else expect(all.stderr).toContain(`setup: missing Debian packages: ${lacking.join(' ')}\n`);
  });
});

describe('skipForMissingTools', () => {
  it('runs a test file whose tools are there', () => {
    expect(skipForMissingTools('t.test.ts', [], {})).toBe(false);
  });

  it('skips with a SKIPPED line naming the package outside CI, and fails naming it under CI', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      expect(skipForMissingTools('t.test.ts', ['make (Debian package make)'], { CI: 'false' })).toBe(true);
      expect(warn).toHaveBeenCalledWith('SKIPPED t.test.ts: missing make (Debian package make)');
    } finally {
      warn.mockRestore();
    }
    expect(() => skipForMissingTools('t.test.ts', ['make (Debian package make)'], { CI: 'true' })).toThrow(
      't.test.ts: missing make (Debian package make); CI is set, so no test may be skipped',
    );
    expect([underCi({ CI: '1' }), underCi({ CI: '' }), underCi({ CI: '0' }), underCi({})]).toEqual([true, false, false, false]);
  });
});
