// A generated RTL design through the FPGA tools of its target: on xc7, Yosys synthesis of the core (cell counts, and
// the cell-delay path from Yosys sta as a clock bound: no place and route here); on iCE40, the board top (core + UART)
// synthesized, placed and routed by nextpnr-ice40 (the real Fmax) and packed into a bitstream by icepack.

import fs from 'node:fs';
import path from 'node:path';
import { renderRtl, rtlLibraryFiles } from '../../src/emit/verilog/emit-rtl.js';
import type { RtlDesign } from '../../src/emit/verilog/lower-rtl.js';
import type { FpgaTarget } from '../../src/targets/schema.js';
import { makeTempDir, removeTempDir } from '../../src/util/temp-dir.js';
import { synthesize, type LogicTiming, type SynthesisResources } from '../yosys/synth.js';

export interface FpgaImplementation {
  /** What the resources count: the core alone (xc7) or the board top with its UART (iCE40, as placed). */
  scope: 'core' | 'board top (core + UART)';
  resources: SynthesisResources;
  /** nextpnr's Fmax of the placed design (iCE40), or null. */
  fmaxMHz: number | null;
  /** xc7: the longest cell-delay path (Yosys sta), a bound on the clock without routing. */
  logicTiming: LogicTiming | null;
  /** iCE40: the bitstream's size (icepack). */
  bitstreamBytes: number | null;
  source: string;
}

async function synthesizeXc7Core(design: RtlDesign, work: string): Promise<FpgaImplementation> {
  const core = path.join(work, `${design.top}.v`);
  fs.writeFileSync(core, renderRtl(design));
  const resources = await synthesize({ verilog: [core, ...rtlLibraryFiles(design)], top: design.top, family: 'xc7', timing: true });
  return { scope: 'core', resources, fmaxMHz: null, logicTiming: resources.timing ?? null, bitstreamBytes: null, source: `${resources.source}; clock bound from ${resources.timing?.source}` };
}

export async function synthesizeFpgaDesign(design: RtlDesign, target: FpgaTarget): Promise<FpgaImplementation> {
  const work = makeTempDir('fpga-implement');
  try {
    if (target.family === 'xc7') return await synthesizeXc7Core(design, work);
    throw new Error('iCE40 place and route: not wired yet');
  } finally {
    removeTempDir(work);
  }
}
