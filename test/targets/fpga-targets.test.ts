// FPGA target profiles: the schema (kind "fpga") with the data sheets' resources, loading as a union with the MCU
// profiles, the board constraints (.pcf / .xdc) rendered from them, and the one-line refusal (exit 2) of every
// command that takes MCU targets only.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { boardConstraints } from '../../src/targets/constraints.js';
import { findMcuTarget, findTarget, isFpgaTarget, listFpgaTargets, listMcuTargets, listTargets, readTargetFile, requireMcuTarget } from '../../src/targets/load-targets.js';
import { fpgaTargetSchema, type FpgaTarget } from '../../src/targets/schema.js';
import { runCli } from '../support/cli.js';

const fpga = (name: string): FpgaTarget => {
  const t = findTarget(name);
  if (!isFpgaTarget(t)) throw new Error(`${name} is not an FPGA target`);
  return t;
};

describe('FPGA target profiles', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeprune-fpga-targets-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('hold the data sheets\' resources and the boards\' clocks', () => {
    expect(fpga('ice40-up5k')).toMatchObject({
      family: 'ice40', device: 'up5k', package: 'sg48', clockHz: 12e6, yosys: { command: 'synth_ice40' },
      pnr: { tool: 'nextpnr-ice40', args: ['--up5k', '--package', 'sg48'] },
      resources: { luts: 5280, lutInputs: 4, dsps: 8, dspKind: 'SB_MAC16', brams: 30, bramBits: 4096, sprams: 4, spramBits: 256 * 1024 },
    });
    expect(fpga('ice40-up5k').pll.maxOutputHz).toBeGreaterThanOrEqual(48e6);
    expect(fpga('ice40-hx8k')).toMatchObject({ family: 'ice40', device: 'hx8k', package: 'ct256', clockHz: 12e6, resources: { luts: 7680, dsps: 0, dspKind: null, brams: 32 } });
    expect(fpga('xc7a35t')).toMatchObject({
      family: 'xc7', clockHz: 100e6, yosys: { command: 'synth_xilinx', args: ['-family', 'xc7'] }, pnr: null,
      resources: { luts: 20800, lutInputs: 6, ffs: 41600, dsps: 90, dspKind: 'DSP48E1', brams: 50, bramBits: 36 * 1024 },
    });
    expect(fpga('xc7a35t').resources.brams * fpga('xc7a35t').resources.bramBits).toBe(1800 * 1024);
    expect(fpga('xc7z020')).toMatchObject({ family: 'xc7', clockHz: 125e6, resources: { luts: 53200, ffs: 106400, dsps: 220, brams: 140 } });
    for (const t of listFpgaTargets()) {
      expect(t.datasheet, t.name).toMatch(/DS|Data Sheet/);
      expect(t.baudRate, t.name).toBe(115200);
    }
  });

  it('load with the MCU profiles as one sorted list, split by kind', () => {
    const names = listTargets().map((t) => t.name);
    expect(names).toEqual([...names].sort());
    expect(listFpgaTargets().map((t) => t.name)).toEqual(['ice40-hx8k', 'ice40-up5k', 'xc7a35t', 'xc7z020']);
    expect(listMcuTargets().every((t) => t.kind === 'mcu')).toBe(true);
    expect(listMcuTargets().length + listFpgaTargets().length).toBe(names.length);
  });

  it('are refused with the file and the field when invalid', () => {
    const good = JSON.parse(fs.readFileSync(path.resolve('targets/ice40-up5k.json'), 'utf8')) as Record<string, unknown>;
    const write = (name: string, data: unknown) => {
      const file = path.join(dir, `${name}.json`);
      fs.writeFileSync(file, JSON.stringify(data));
      return file;
    };
    expect(fpgaTargetSchema.safeParse(good).success).toBe(true);
    expect(() => readTargetFile(write('ice40-up5k', { ...good, family: 'ecp5' }))).toThrow(/ice40-up5k\.json' is invalid: family:/);
    expect(() => readTargetFile(write('ice40-up5k', { ...good, resources: { ...(good.resources as object), luts: -1 } }))).toThrow(/resources\.luts/);
    expect(() => readTargetFile(write('ice40-up5k', { ...good, pins: { clock: '35; rm', uartRx: '6', uartTx: '9' } }))).toThrow(/pins\.clock/);
    expect(() => readTargetFile(write('ice40-up5k', { ...good, kind: 'gpu' }))).toThrow(/kind/);
    expect(() => readTargetFile(write('other', good))).toThrow(/names itself 'ice40-up5k'/);
  });

  it('give the board constraints: a .pcf for iCE40, an .xdc for 7-series', () => {
    expect(boardConstraints(fpga('ice40-up5k'))).toEqual({
      file: 'board.pcf',
      text: '# ice40-up5k: iCEBreaker (the UPduino v3 carries the same part and the same 12 MHz clock pin; its UART pins differ), clock 12 MHz, UART 115200 baud (targets/ice40-up5k.json)\n'
        + 'set_io clk 35\nset_io uart_rx 6\nset_io uart_tx 9\nset_frequency clk 12\n',
    });
    expect(boardConstraints(fpga('ice40-hx8k')).text).toContain('set_io clk J3\nset_io uart_rx B10\nset_io uart_tx B12\n');
    const xdc = boardConstraints(fpga('xc7a35t'), { clock: 'CLK100MHZ', uartRx: 'rx', uartTx: 'tx' });
    expect(xdc.file).toBe('board.xdc');
    expect(xdc.text.split('\n').slice(1)).toEqual([
      'set_property -dict { PACKAGE_PIN E3 IOSTANDARD LVCMOS33 } [get_ports { CLK100MHZ }]',
      'set_property -dict { PACKAGE_PIN A9 IOSTANDARD LVCMOS33 } [get_ports { rx }]',
      'set_property -dict { PACKAGE_PIN D10 IOSTANDARD LVCMOS33 } [get_ports { tx }]',
      'create_clock -add -name sys_clk_pin -period 10.000 [get_ports { CLK100MHZ }]',
      '',
    ]);
    expect(boardConstraints(fpga('xc7z020')).text).toContain('PACKAGE_PIN H16 IOSTANDARD LVCMOS33 } [get_ports { clk }]\n');
    expect(boardConstraints(fpga('xc7z020')).text).toContain('-period 8.000 ');
  });

  it('are refused by the MCU-only loaders with one line naming the target, its family and the command', () => {
    expect(() => findMcuTarget('ice40-up5k', 'compile')).toThrow(UserError);
    expect(() => findMcuTarget('ice40-up5k', 'compile')).toThrow('ice40-up5k is an FPGA target (ice40); compile --target supports MCU targets for now');
    expect(() => findMcuTarget('ice40-up5k', 'sweep --targets')).toThrow('ice40-up5k is an FPGA target (ice40); sweep --targets supports MCU targets for now');
    expect(() => requireMcuTarget(findTarget('xc7a35t'), 'verify')).toThrow('xc7a35t is an FPGA target (xc7); verify --target');
    expect(findMcuTarget('stm32f405', 'compile').core).toBe('cortex-m4');
    expect(() => findMcuTarget('no-such-board')).toThrow(/unknown target 'no-such-board'/);
  });

  it.each([
    ['build', ['build', 'model.onnx', '--target', 'ice40-hx8k', '--data', 'd.csv', '--out', 'out']],
  ])('%s --target <fpga> without an FPGA budget exits 2 with one line, before reading the model', async (_command, args) => {
    const r = await runCli(args, { cwd: dir });
    expect(r.exitCode, r.stderr).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^edgeprune: error: no budget given.*--latency-cycles or --latency-us, and\/or --max-luts, --max-dsps, --max-brams/);
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/); // no stack trace
    expect(fs.readdirSync(dir).filter((f) => f === 'out')).toEqual([]);
  });

  it('calibrate --target <xc7> --only exits 2 with one line before synthesizing (an FPGA suite runs whole)', async () => {
    const r = await runCli(['calibrate', '--target', 'xc7z020', '--only', 'f16', '--out', 'x.json'], { cwd: dir });
    expect(r.exitCode, r.stderr).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^edgeprune: error: --only and --update are for MCU targets; xc7z020 is an FPGA target whose suite runs whole; run edgeprune calibrate --target xc7z020 without them/);
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
    expect(fs.existsSync(path.join(dir, 'x.json'))).toBe(false);
  });
});
