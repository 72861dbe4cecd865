// The board top's share of an FPGA project (ep_uart_top: the UART line protocol around the core, as `compile` writes
// it): its LUT and flip-flop terms (the input and output buffers, the name in the DESC reply, the bit-clock divider),
// fitted like a module's from Yosys runs of the board top around a black-box core; its block RAMs (the reply ROM
// and the receive FIFO on iCE40; none on xc7) from structure.

import fs from 'node:fs';
import path from 'node:path';
import { synthesize, type SynthesisResources } from '../../../hw-sim/yosys/synth.js';
import type { FpgaProject } from '../../emit/verilog/fpga-project.js';
import { renderTemplate } from '../../emit/render-template.js';
import type { FpgaTarget } from '../../targets/schema.js';
import { makeTempDir, removeTempDir } from '../../util/temp-dir.js';
import { repoPath } from '../../util/package-root.js';
import type { FpgaCalibrationCase } from './calibrate.js';
import type { LayerFeatures } from './features.js';
import { clog2 } from './params.js';

export const BOARD_MODULE = 'ep_uart_top';

export interface BoardShape {
  inBytes: number;
  outBytes: number;
  nameLength: number;
  clksPerBit: number;
}

/**
 * ep_uart_top's reply ROM (512 × 8) and receive FIFO (16 × 8): one SB_RAM40_4K each on iCE40; on xc7 synth_xilinx
 * puts both in LUTs (distributed ROM and RAM: their LUTs are in the fitted formula), no block RAM.
 */
const BOARD_BRAMS: Record<FpgaTarget['family'], number> = { ice40: 2, xc7: 0 };

export function boardFeatures(b: BoardShape, family: FpgaTarget['family']): LayerFeatures {
  const terms = { one: 1, inBits: 8 * b.inBytes, outBits: 8 * b.outBytes, nameBytes: b.nameLength, hexCount: clog2(2 * b.inBytes + 1) + clog2(2 * b.outBytes + 1), divider: clog2(b.clksPerBit) };
  return { module: BOARD_MODULE, lutTerms: terms, ffTerms: { ...terms }, dsps: 0, brams: BOARD_BRAMS[family] };
}

/** Board tops of several shapes, each around a black-box core. */
export const BOARD_SUITE: readonly BoardShape[] = [
  { inBytes: 4, outBytes: 1, nameLength: 5, clksPerBit: 104 },
  { inBytes: 64, outBytes: 10, nameLength: 10, clksPerBit: 104 },
  { inBytes: 16, outBytes: 4, nameLength: 6, clksPerBit: 104 },
  { inBytes: 100, outBytes: 2, nameLength: 8, clksPerBit: 434 },
  { inBytes: 8, outBytes: 8, nameLength: 12, clksPerBit: 868 },
  { inBytes: 32, outBytes: 1, nameLength: 4, clksPerBit: 104 },
  { inBytes: 48, outBytes: 3, nameLength: 7, clksPerBit: 208 },
  { inBytes: 2, outBytes: 16, nameLength: 9, clksPerBit: 104 },
];

const CORE = 'ep_cost_core';

/** Synthesize each board top of the suite (the core a black box: its ports kept, its cells not counted). */
export async function measureBoardSuite(target: FpgaTarget, log?: (line: string) => void): Promise<FpgaCalibrationCase[]> {
  const cases: FpgaCalibrationCase[] = [];
  for (const b of BOARD_SUITE) {
    const work = makeTempDir('fpga-cost-board');
    try {
      // The board template names the core's module in the DESC reply; a name of this case's length instead.
      const name = CORE.slice(0, b.nameLength).padEnd(b.nameLength, 'x');
      const top = path.join(work, 'board.v');
      fs.writeFileSync(top, renderTemplate('verilog/board_top.v.hbs', {
        top: CORE, boardTop: 'ep_cost_board', generator: 'edgeprune calibrate', targetComment: target.name, clockMHz: target.clockHz / 1e6,
        baudRate: target.baudRate, clksPerBit: b.clksPerBit, inBytes: b.inBytes, outBytes: b.outBytes, nameLength: b.nameLength,
      }).replace(`.NAME("${CORE}")`, `.NAME("${name}")`));
      const core = path.join(work, 'core.v');
      fs.writeFileSync(core, [
        '(* blackbox *)',
        `module ${CORE} (input wire clk, input wire rst, input wire in_valid, output wire in_ready, input wire [${8 * b.inBytes - 1}:0] in_data,`,
        `    output wire out_valid, input wire out_ready, output wire [${8 * b.outBytes - 1}:0] out_data);`,
        'endmodule',
        '',
      ].join('\n'));
      const lib = ['ep_uart_top.v', 'ep_uart_rx.v', 'ep_uart_tx.v'].map((f) => repoPath('templates/verilog/lib', f));
      const r = await synthesize({ verilog: [top, ...lib, core], top: 'ep_cost_board', family: target.family, dsp: false });
      const features = boardFeatures(b, target.family);
      const caseName = `board ${b.inBytes}/${b.outBytes} bytes:${BOARD_MODULE}`;
      cases.push({ name: caseName, features, measured: { luts: r.luts, ffs: r.flipFlops, dsps: r.dsps, brams: r.blockRams } });
      log?.(`  ${caseName}: ${r.luts} LUT, ${r.flipFlops} FF, ${r.dsps} DSP, ${r.blockRams} BRAM`);
    } finally {
      removeTempDir(work);
    }
  }
  return cases;
}

/** Yosys's resources of a project's board top (core and UART, as `compile` writes it and nextpnr places it). */
export async function synthesizeBoardTop(project: FpgaProject, target: FpgaTarget): Promise<SynthesisResources> {
  const work = makeTempDir('fpga-cost-board');
  try {
    for (const [name, content] of project.files) {
      if (!name.startsWith('rtl/')) continue;
      fs.mkdirSync(path.dirname(path.join(work, name)), { recursive: true });
      fs.writeFileSync(path.join(work, name), content);
    }
    const rtl = (f: string) => path.join(work, 'rtl', f);
    const library = [...project.files.keys()].filter((f) => f.startsWith('rtl/lib/')).map((f) => path.join(work, f));
    return await synthesize({ verilog: [rtl(`${project.design.top}.v`), rtl(`${project.boardTop}.v`), ...library], top: project.boardTop, family: target.family, dsp: project.multipliers === 'dsp' });
  } finally {
    removeTempDir(work);
  }
}
