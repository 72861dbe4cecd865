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
});

export type McuTarget = z.infer<typeof mcuTargetSchema>;
