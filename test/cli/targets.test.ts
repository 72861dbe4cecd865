// `edgeprune targets`: every profile of targets/ in the table and in --json, with its fields, the default marked.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_TARGET_NAME, readTargetFile, TARGETS_DIR } from '../../src/targets/load-targets.js';
import { runCli } from '../support/cli.js';

const files = fs.readdirSync(TARGETS_DIR).filter((f) => f.endsWith('.json')).sort();
const profiles = files.map((f) => readTargetFile(path.join(TARGETS_DIR, f)));

describe('edgeprune targets', () => {
  it('ships the seven boards the README names, each with its calibration', () => {
    expect(profiles.map((t) => t.name)).toEqual(['lm3s6965', 'mps2-an386', 'mps2-an500', 'nrf52840', 'stm32f405', 'stm32f446', 'stm32h743']);
    for (const t of profiles) expect(fs.existsSync(path.join(TARGETS_DIR, 'calibration', `${t.name}.json`)), t.name).toBe(true);
  });

  it('--json prints every profile with all its fields, as the files hold them', async () => {
    const r = await runCli(['targets', '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const listed = JSON.parse(r.stdout) as Record<string, unknown>[];
    expect(listed).toEqual(profiles);
    for (const t of listed) {
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

  it('refuses arguments it does not take with exit 2', async () => {
    expect((await runCli(['targets', 'stm32f405'])).exitCode).toBe(2);
    expect((await runCli(['targets', '--bogus'])).exitCode).toBe(2);
  });
});
