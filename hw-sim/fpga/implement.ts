// A generated RTL design through the FPGA tools of its target: on xc7, Yosys synthesis of the core (cell counts, and
// the cell-delay path from Yosys sta as a clock bound: no place and route here); on iCE40, the board top (core + UART,
// as `compile` writes it) synthesized, placed and routed by nextpnr-ice40 (the real Fmax, with the board's pins) and
// packed into a bitstream by icepack.

import fs from 'node:fs';
import path from 'node:path';
import type { FpgaProject } from '../../src/emit/verilog/fpga-project.js';
import type { FpgaTarget } from '../../src/targets/schema.js';
import { makeTempDir, removeTempDir } from '../../src/util/temp-dir.js';
import { ICE40_DEVICES, placeIce40, type Ice40Device, type Ice40PlaceResult } from '../nextpnr/place-ice40.js';
import { synthesize, type LogicTiming, type SynthesisResources } from '../yosys/synth.js';

export interface FpgaImplementation {
  /** What the resources count: the core alone (xc7) or the board top with its UART (iCE40, as placed). */
  scope: 'core' | 'board top (core + UART)';
  /** Multipliers on DSP blocks or in LUTs. */
  multipliers: 'dsp' | 'lut';
  resources: SynthesisResources;
  /** nextpnr's Fmax of the placed design (iCE40), or null. */
  fmaxMHz: number | null;
  /** iCE40: what nextpnr placed, of what the device has. */
  placement: Ice40PlaceResult['utilisation'] | null;
  /** xc7: the longest cell-delay path (Yosys sta), a bound on the clock without routing. */
  logicTiming: LogicTiming | null;
  /** iCE40: the bitstream's size (icepack). */
  bitstreamBytes: number | null;
  source: string;
}

/** Write the project's files under `dir`; the Verilog sources in the order the Makefile reads them. */
function writeProject(project: FpgaProject, dir: string): { core: string[]; board: string[]; pcf: string | null } {
  for (const [name, content] of project.files) {
    const file = path.join(dir, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
  }
  const rtl = (f: string) => path.join(dir, 'rtl', f);
  const library = [...project.files.keys()].filter((f) => f.startsWith('rtl/lib/')).map((f) => path.join(dir, f));
  const coreLibrary = project.coreLibrary.map((f) => rtl(`lib/${f}`));
  const pcf = project.files.has('board.pcf') ? path.join(dir, 'board.pcf') : null;
  return { core: [rtl(`${project.design.top}.v`), ...coreLibrary], board: [rtl(`${project.design.top}.v`), rtl(`${project.boardTop}.v`), ...library], pcf };
}

export async function implementFpgaProject(project: FpgaProject, target: FpgaTarget, multipliers: 'dsp' | 'lut'): Promise<FpgaImplementation> {
  const work = makeTempDir('fpga-implement');
  try {
    const files = writeProject(project, work);
    if (target.family === 'xc7') {
      const resources = await synthesize({ verilog: files.core, top: project.design.top, family: 'xc7', dsp: multipliers === 'dsp', timing: true });
      return {
        scope: 'core', multipliers, resources, fmaxMHz: null, placement: null, logicTiming: resources.timing ?? null, bitstreamBytes: null,
        source: `${resources.source}; clock bound from ${resources.timing?.source}`,
      };
    }
    if (!(ICE40_DEVICES as readonly string[]).includes(target.device)) throw new Error(`target ${target.name}: '${target.device}' is not an nextpnr-ice40 device`);
    const placed = await placeIce40({
      verilog: files.board, top: project.boardTop, device: target.device as Ice40Device, package: target.package,
      freqMHz: target.clockHz / 1e6, pcf: files.pcf ?? undefined, dsp: multipliers === 'dsp', outDir: path.join(work, 'bitstream'), label: `${project.design.top} on ${target.name}`,
    });
    return {
      scope: 'board top (core + UART)', multipliers, resources: placed.synthesis, fmaxMHz: placed.fmaxMHz, placement: placed.utilisation, logicTiming: null,
      bitstreamBytes: placed.bitstream.bytes,
      source: `${placed.synthesis.source}, placed and routed by nextpnr-ice40 (${target.device}-${target.package}), packed by icepack`,
    };
  } finally {
    removeTempDir(work);
  }
}
