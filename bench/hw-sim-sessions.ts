// hw-sim's wall-clock figures, which tests must not assert (a loaded machine flakes them): the
// process guard's cost per spawn, a QEMU session's start and stop, 16 KiB each way through files
// and over the UART, and how long a hung run takes to end once its timeout fires.
//
//   make build && node dist/bench/hw-sim-sessions.js [--target mps2-an386] [--json]

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { buildFirmware, openQemuSession } from '../hw-sim/index.js';
import { runTool } from '../hw-sim/build/tools.js';
import { findMcuTarget } from '../src/targets/load-targets.js';
import { repoPath } from '../src/util/package-root.js';
import { makeTempDir } from '../src/util/temp-dir.js';

const SPAWNS = 40;
const SESSIONS = 5;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const target = findMcuTarget(args.includes('--target') ? args[args.indexOf('--target') + 1] : 'mps2-an386');
  const fixtures = repoPath('test', 'fixtures');
  const work = makeTempDir('bench-hwsim');
  try {
    // The guard: one more fork+exec per process; the first use may build it (cached afterwards).
    await runTool({ command: 'true', debianPackage: 'coreutils' }, [], { timeoutMs: 120_000, what: 'warm-up' });
    const direct: number[] = [];
    const guarded: number[] = [];
    for (let i = 0; i < SPAWNS; i++) {
      direct.push(await timed(() => execa('true', [], { timeout: 60_000 })));
      guarded.push(await timed(() => runTool({ command: 'true', debianPackage: 'coreutils' }, [], { timeoutMs: 60_000, what: 'bench' })));
    }

    const models = ['fake', 'echo', 'trouble'].map((name) => ({ name, prefix: name, dir: path.join(fixtures, `c-${name}-model`) }));
    const fw = await buildFirmware({ target, workDir: path.join(work, 'fw'), models });
    const openClose: number[] = [];
    for (let i = 0; i < SESSIONS; i++) {
      openClose.push(await timed(async () => (await openQemuSession(fw.elf, target)).close()));
    }

    const x = Float32Array.from({ length: 4096 }, (_, i) => i * 0.25 - 100);
    const echo = async (transfer: 'files' | 'uart'): Promise<number> => {
      const s = await openQemuSession(fw.elf, target, { transfer });
      try {
        return (await s.run('echo', [new Uint8Array(x.buffer)])).wallMs;
      } finally {
        await s.close();
      }
    };
    const filesMs = await echo('files');
    const uartMs = await echo('uart');

    const hung = await openQemuSession(fw.elf, target);
    const timeoutMs = 500;
    const hungStarted = performance.now();
    await hung.run('trouble', [new Uint8Array(Float32Array.from([1]).buffer)], { timeoutMs }).catch(() => undefined);
    const hungEndedMs = performance.now() - hungStarted;
    await hung.close();

    const figures = {
      target: target.name,
      loadAverage: os.loadavg()[0],
      cores: os.availableParallelism(),
      spawnDirectMs: median(direct),
      spawnGuardedMs: median(guarded),
      guardOverheadMs: median(guarded) - median(direct),
      qemuSessionOpenCloseMs: median(openClose),
      echo16KiBFilesMs: filesMs,
      echo16KiBUartMs: uartMs,
      hungRunTimeoutMs: timeoutMs,
      hungRunEndedAfterMs: hungEndedMs,
    };
    if (args.includes('--json')) {
      console.log(JSON.stringify(figures, null, 2));
      return;
    }
    const ms = (v: number) => `${v.toFixed(1)} ms`;
    console.log(`hw-sim on ${target.name} (load average ${figures.loadAverage.toFixed(2)} on ${figures.cores} cores)`);
    console.log(`  spawn of 'true': ${ms(figures.spawnDirectMs)} direct, ${ms(figures.spawnGuardedMs)} under the guard (+${ms(figures.guardOverheadMs)}), medians of ${SPAWNS}`);
    console.log(`  QEMU session open + close: ${ms(figures.qemuSessionOpenCloseMs)} (median of ${SESSIONS})`);
    console.log(`  16 KiB each way: ${ms(filesMs)} through files, ${ms(uartMs)} over the UART`);
    console.log(`  a hung run with a ${timeoutMs} ms timeout ended after ${ms(hungEndedMs)}`);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

await main();
