// `edgeprune targets`: the target profiles, as a table or JSON.

import type { Command } from 'commander';
import { DEFAULT_TARGET_NAME, listTargets } from '../../targets/load-targets.js';
import { formatBytes, renderTable } from '../format.js';
import { terminalJson } from '../../util/escape.js';

export function registerTargets(program: Command): void {
  program
    .command('targets')
    .description('list the target boards: core, clock, flash, RAM, and the emulator that runs them')
    .option('--json', 'print the profiles as JSON')
    .action((options: { json?: boolean }) => {
      const targets = listTargets();
      if (options.json) {
        console.log(terminalJson(targets));
        return;
      }
      const rows = targets.map((t) => [
        t.name === DEFAULT_TARGET_NAME ? `${t.name} (default)` : t.name, t.core, t.fpu ?? 'none (soft float)', `${t.clockHz / 1e6} MHz`, formatBytes(t.flash.bytes), formatBytes(t.ram.bytes), `qemu ${t.emulator.machine}`,
      ]);
      console.log(renderTable(['name', 'core', 'FPU', 'clock', 'flash', 'RAM', 'emulator'], rows));
      console.log('\nTimes are estimates from instruction counts and each target\'s cycles-per-instruction figure (targets/<name>.json).');
    });
}
