// `edgeprune targets`: the target profiles, as tables (MCU boards, then FPGA boards) or JSON.

import type { Command } from 'commander';
import { DEFAULT_TARGET_NAME, isFpgaTarget, isMcuTarget, listTargets } from '../../targets/load-targets.js';
import type { FpgaTarget } from '../../targets/schema.js';
import { formatBytes, renderTable } from '../format.js';
import { terminalJson } from '../../util/escape.js';

/** Block RAM of an FPGA target: "30 × 4 Kbit", plus the SPRAM when there is some. */
function memoryCells(t: FpgaTarget): [string, string] {
  const kbit = (bits: number) => `${bits / 1024} Kbit`;
  const r = t.resources;
  return [`${r.brams} × ${kbit(r.bramBits)}`, r.sprams ? `${r.sprams} × ${kbit(r.spramBits ?? 0)}` : '-'];
}

export function registerTargets(program: Command): void {
  program
    .command('targets')
    .description('list the target boards: MCUs (core, clock, flash, RAM, emulator) and FPGAs (part, clock, LUTs, flip-flops, DSPs, block RAM)')
    .option('--json', 'print the profiles as JSON')
    .action((options: { json?: boolean }) => {
      const targets = listTargets();
      if (options.json) {
        console.log(terminalJson(targets));
        return;
      }
      const rows = targets.filter(isMcuTarget).map((t) => [
        t.name === DEFAULT_TARGET_NAME ? `${t.name} (default)` : t.name, t.core, t.fpu ?? 'none (soft float)', `${t.clockHz / 1e6} MHz`, formatBytes(t.flash.bytes), formatBytes(t.ram.bytes), `qemu ${t.emulator.machine}`,
      ]);
      console.log(renderTable(['name', 'core', 'FPU', 'clock', 'flash', 'RAM', 'emulator'], rows));
      console.log('\nTimes are estimates from instruction counts and each target\'s cycles-per-instruction figure (targets/<name>.json).');
      const fpgas = targets.filter(isFpgaTarget);
      if (fpgas.length === 0) return;
      const fpgaRows = fpgas.map((t) => [
        t.name, `${t.family} ${t.device}`, `${t.clockHz / 1e6} MHz`, `LUT${t.resources.lutInputs} ${t.resources.luts}`, String(t.resources.ffs),
        t.resources.dspKind ? `${t.resources.dsps} ${t.resources.dspKind}` : 'none', ...memoryCells(t), t.board.split(' (')[0],
      ]);
      console.log(`\nFPGA targets:\n${renderTable(['name', 'part', 'clock', 'LUTs', 'FFs', 'DSPs', 'block RAM', 'SPRAM', 'board'], fpgaRows)}`);
      console.log('\nFPGA resources are the data sheets\' (targets/<name>.json); compile and verify take MCU targets for now.');
    });
}
