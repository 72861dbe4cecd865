// `edgeprune targets`: every profile of targets/ in the tables (MCU, then FPGA) and in --json, with its fields, the
// default marked.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_TARGET_NAME, isFpgaTarget, isMcuTarget, readTargetFile, TARGETS_DIR } from '../../src/targets/load-targets.js';
import { runCli } from '../support/cli.js';

const files = fs.readdirSync(TARGETS_DIR).filter((f) => f.endsWith('.json')).sort();
const all = files.map((f) => readTargetFile(path.join(TARGETS_DIR, f)));
const profiles = all.filter(isMcuTarget);
const fpgas = all.filter(isFpgaTarget);

describe('edgeprune targets', () => {
  it('ships the seven MCU boards the README names, each with its calibration, and the four FPGA boards', () => {
    expect(profiles.map((t) => t.name)).toEqual(['lm3s6965', 'mps2-an386', 'mps2-an500', 'nrf52840', 'stm32f405', 'stm32f446', 'stm32h743']);
    for (const t of profiles) expect(fs.existsSync(path.join(TARGETS_DIR, 'calibration', `${t.name}.json`)), t.name).toBe(true);
    expect(fpgas.map((t) => t.name)).toEqual(['ice40-hx8k', 'ice40-up5k', 'xc7a35t', 'xc7z020']);
  });

  it('--json prints every profile with all its fields, as the files hold them', async () => {
    const r = await runCli(['targets', '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const listed = JSON.parse(r.stdout) as Record<string, unknown>[];
    expect(listed).toEqual(all);
    for (const t of listed.filter((l) => l.kind === 'mcu')) {
      expect(Object.keys(t)).toEqual(expect.arrayContaining(['name', 'kind', 'description', 'core', 'fpu', 'clockHz', 'cyclesPerInstruction', 'flash', 'ram', 'cflags', 'uart', 'emulator']));
    }
    const f405 = listed.find((t) => t.name === 'stm32f405');
    expect(f405).toMatchObject({ core: 'cortex-m4', fpu: 'fpv4-sp-d16', clockHz: 168_000_000, flash: { bytes: 1024 * 1024 }, ram: { bytes: 128 * 1024 }, emulator: { machine: 'netduinoplus2' } });
    expect(listed.find((t) => t.name === 'lm3s6965')).toMatchObject({ core: 'cortex-m3', fpu: null, emulator: { machine: 'lm3s6965evb' } });
  });

  it('prints one table row per target with core, FPU, clock, flash, RAM and emulator, the default marked', async () => {
    const r = await runCli(['targets']);
    expect(r.exitCode, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0].trim().split(/\s{2,}/)).toEqual(['name', 'core', 'FPU', 'clock', 'flash', 'RAM', 'emulator']);
    for (const t of profiles) {
      const rows = lines.filter((l) => l.trim().split(/\s+/)[0] === t.name);
      expect(rows, t.name).toHaveLength(1);
      const cells = rows[0].trim().split(/\s{2,}/);
      expect(cells, t.name).toEqual([
        t.name === DEFAULT_TARGET_NAME ? `${t.name} (default)` : t.name,
        t.core,
        t.fpu ?? 'none (soft float)',
        `${t.clockHz / 1e6} MHz`,
        expect.stringMatching(/^[\d.]+ (KiB|MiB)$/),
        expect.stringMatching(/^[\d.]+ (KiB|MiB)$/),
        `qemu ${t.emulator.machine}`,
      ]);
    }
    expect(r.stdout).toMatch(/^ stm32f405 \(default\)\s+cortex-m4\s+fpv4-sp-d16\s+168 MHz\s+1\.00 MiB\s+128\.0 KiB\s+qemu netduinoplus2\s*$/m);
    expect(r.stdout).toMatch(/^ stm32h743\s+cortex-m7\s+fpv5-d16\s+480 MHz\s+2\.00 MiB\s+512\.0 KiB\s+qemu mps2-an500\s*$/m);
    expect(r.stdout).toContain('Times are estimates');
  });

  it('prints the FPGA targets in their own table with part, clock, LUTs, flip-flops, DSPs and block RAM', async () => {
    const r = await runCli(['targets']);
    expect(r.exitCode, r.stderr).toBe(0);
    const [mcuPart, fpgaPart] = r.stdout.split('FPGA targets:\n');
    for (const t of fpgas) expect(mcuPart, t.name).not.toMatch(new RegExp(`^ ${t.name} `, 'm'));
    const lines = fpgaPart.split('\n');
    expect(lines[0].trim().split(/\s{2,}/)).toEqual(['name', 'part', 'clock', 'LUTs', 'FFs', 'DSPs', 'block RAM', 'SPRAM', 'board']);
    for (const t of fpgas) expect(lines.filter((l) => l.trim().split(/\s+/)[0] === t.name), t.name).toHaveLength(1);
    expect(fpgaPart).toMatch(/^ ice40-up5k\s+ice40 up5k\s+12 MHz\s+LUT4 5280\s+5280\s+8 SB_MAC16\s+30 × 4 Kbit\s+4 × 256 Kbit\s+iCEBreaker\s*$/m);
    expect(fpgaPart).toMatch(/^ ice40-hx8k\s+ice40 hx8k\s+12 MHz\s+LUT4 7680\s+7680\s+none\s+32 × 4 Kbit\s+-\s+iCE40-HX8K Breakout Board\s*$/m);
    expect(fpgaPart).toMatch(/^ xc7a35t\s+xc7 xc7a35ticsg324-1l\s+100 MHz\s+LUT6 20800\s+41600\s+90 DSP48E1\s+50 × 36 Kbit\s+-\s+Digilent Arty A7-35T\s*$/m);
    expect(fpgaPart).toMatch(/^ xc7z020\s+xc7 xc7z020clg400-1\s+125 MHz\s+LUT6 53200\s+106400\s+220 DSP48E1\s+140 × 36 Kbit\s+-\s+TUL PYNQ-Z2\s*$/m);
  });

  it('refuses arguments it does not take with exit 2', async () => {
    expect((await runCli(['targets', 'stm32f405'])).exitCode).toBe(2);
    expect((await runCli(['targets', '--bogus'])).exitCode).toBe(2);
  });
});
