// The schema of a target profile (targets/<name>.json): a real board, and the emulator that stands in for it.

import { z } from 'zod';

const hexAddress = z.string().regex(/^0x[0-9a-fA-F]+$/, 'an address like "0x20000000"');

const memoryRegion = z.object({
  origin: hexAddress,
  bytes: z.number().int().positive(),
});

const uart = z.object({
  /** Which UART driver of hw-sim/firmware the harness uses. */
  driver: z.enum(['cmsdk', 'stm32-usart', 'pl011']),
  base: hexAddress,
});

/** An openocd script name under its scripts folder, e.g. "target/stm32f4x.cfg". */
const openocdScript = z.string().regex(/^target\/[a-z0-9_.-]+\.cfg$/, 'an openocd target script like "target/stm32f4x.cfg"');

/**
 * How edgeprune flash programs the test firmware into the real part, or why it cannot (a board that only
 * QEMU stands in for, or a profile whose firmware does not run on the part).
 */
const flashing = z.union([
  z.strictObject({
    /** openocd's script for the chip (the probe's interface script comes from --probe). */
    openocdTarget: openocdScript,
    /** Where the part's flash starts: st-flash writes the .bin there; it must be flash.origin, where the firmware is linked. */
    base: hexAddress,
    /** st-flash (stlink-tools) can program the part (STM32 with an ST-LINK). */
    stflash: z.boolean(),
    /** Where the test firmware's UART is on the board and what to connect to it (the serial port of verify --port). */
    serial: z.string(),
  }),
  z.strictObject({
    /** Why edgeprune does not flash this target, and what to use instead. */
    unsupported: z.string(),
  }),
]);

export type Flashing = z.infer<typeof flashing>;

export const mcuTargetSchema = z.object({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
  kind: z.literal('mcu'),
  description: z.string(),
  /** Core as -mcpu spells it. */
  core: z.enum(['cortex-m0', 'cortex-m0plus', 'cortex-m3', 'cortex-m4', 'cortex-m7', 'cortex-m33']),
  /** FPU as -mfpu spells it, or null for soft float. */
  fpu: z.enum(['fpv4-sp-d16', 'fpv5-sp-d16', 'fpv5-d16']).nullable(),
  /** Core clock of the real part, for time estimates. */
  clockHz: z.number().positive(),
  /** Average cycles per instruction of inference code on the real part: an estimate, stated as such. */
  cyclesPerInstruction: z.number().positive(),
  flash: memoryRegion,
  ram: memoryRegion,
  /** Extra compiler flags for this part, after the core/FPU flags. */
  cflags: z.array(z.string()).default([]),
  uart,
  emulator: z.object({
    kind: z.literal('qemu'),
    /** qemu-system-arm -M value. */
    machine: z.string(),
    /** SysTick (core) clock of the emulated machine: under -icount shift=0 one instruction is 1 ns. */
    systickHz: z.number().positive(),
    /** When the emulated machine differs from the part, what that means for the results. */
    note: z.string().optional(),
  }),
  datasheet: z.string().optional(),
  /** The real part's memory regions, for reference (flash/ram above are what the firmware is linked with). */
  partMemory: z.array(z.object({ name: z.string(), origin: hexAddress, bytes: z.number().int().positive() })).optional(),
  flashing: flashing.optional(),
}).superRefine((t, ctx) => {
  if (t.flashing && 'base' in t.flashing && Number(t.flashing.base) !== Number(t.flash.origin)) {
    ctx.addIssue({ code: 'custom', path: ['flashing', 'base'], message: `${t.flashing.base} is not flash.origin (${t.flash.origin}): the test firmware is linked at flash.origin, so that is where it must be flashed` });
  }
});

export type McuTarget = z.infer<typeof mcuTargetSchema>;

/** The Yosys synthesis command of an FPGA family (`synth_ice40`, or `synth_xilinx -family xc7`). */
const yosysSynth = z.object({
  command: z.enum(['synth_ice40', 'synth_xilinx']),
  /** Arguments after the command, e.g. ["-family", "xc7"]. */
  args: z.array(z.string()).default([]),
});

/** A package pin name: a number (iCE40 QFN) or a ball (A9, H16). */
const pin = z.string().regex(/^[A-Z]{0,2}[0-9]{1,3}$/, 'a package pin like "35" or "H16"');

export const fpgaTargetSchema = z.object({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
  kind: z.literal('fpga'),
  description: z.string(),
  /** The board the pins below belong to. */
  board: z.string(),
  family: z.enum(['ice40', 'xc7']),
  /** The part: nextpnr-ice40's device flag without the dashes (up5k, hx8k), or the Xilinx part name (xc7a35tcsg324-1). */
  device: z.string().regex(/^[a-z0-9-]+$/),
  /** The package as nextpnr-ice40's --package spells it (sg48, ct256), or the Xilinx package (csg324). */
  package: z.string().regex(/^[a-z0-9]+$/),
  yosys: yosysSynth,
  /** Place and route with the open flow: nextpnr-ice40 and its arguments; null when there is none here (xc7: Yosys estimates only). */
  pnr: z.object({ tool: z.literal('nextpnr-ice40'), args: z.array(z.string()).min(1) }).nullable(),
  /** The board's oscillator (the clock pin's frequency). */
  clockHz: z.number().positive(),
  /** The on-chip clock synthesizer (PLL or MMCM): the highest output clock it can give; the design's Fmax decides what is usable. */
  pll: z.object({ maxOutputHz: z.number().positive(), note: z.string() }),
  resources: z.object({
    /** Logic LUTs (LUT4 on iCE40, LUT6 on 7-series). */
    luts: z.number().int().positive(),
    lutInputs: z.union([z.literal(4), z.literal(6)]),
    ffs: z.number().int().positive(),
    /** Hard multiplier blocks (SB_MAC16, DSP48E1); 0 when the part has none. */
    dsps: z.number().int().nonnegative(),
    dspKind: z.enum(['SB_MAC16', 'DSP48E1']).nullable(),
    /** Block RAMs (EBR of 4 Kbit on iCE40, RAMB36 on 7-series) and the bits of one. */
    brams: z.number().int().positive(),
    bramBits: z.number().int().positive(),
    /** iCE40 UltraPlus single-port RAMs (256 Kbit each). */
    sprams: z.number().int().nonnegative().optional(),
    spramBits: z.number().int().positive().optional(),
  }),
  /** Package pins of the board's clock and of the UART the wrapper (templates/verilog/lib/ep_uart_top.v) talks on. */
  pins: z.object({
    clock: pin,
    /** Into the FPGA (the host's TX). */
    uartRx: pin,
    /** Out of the FPGA (the host's RX). */
    uartTx: pin,
    /** XDC IOSTANDARD of these pins (xc7 only). */
    ioStandard: z.string().optional(),
  }),
  baudRate: z.number().int().positive(),
  /** Where the pins and the serial port are on the board, and what they need (a jumper, an adapter). */
  boardNote: z.string().optional(),
  /** The data sheets the figures come from. */
  datasheet: z.string(),
});

export type FpgaTarget = z.infer<typeof fpgaTargetSchema>;

/** A target profile of either kind. */
export const targetSchema = z.discriminatedUnion('kind', [mcuTargetSchema, fpgaTargetSchema]);

export type Target = McuTarget | FpgaTarget;
