// The janitor (janitor.c): a process that outlives edgeprune by the moment it takes to remove the
// temporary folders a signal or a crash left behind. Started with the first child hw-sim spawns;
// told of each temporary path (src/util/temp-dir.ts) over its stdin, whose end means edgeprune ended.

import { execa } from 'execa';
import { observeTempPaths } from '../../src/util/temp-dir.js';
import { helperExecutable } from './guard.js';

let started: Promise<void> | null = null;

/** Start the janitor once per process (later calls share the first start). */
export function startJanitor(): Promise<void> {
  started ??= (async () => {
    const exe = await helperExecutable('janitor');
    // No timeout and no cleanup hook, on purpose: it must live exactly as long as this process,
    // and it ends by itself (end of file on its stdin) when this process ends, however it ends.
    // In a process group of its own: when this process runs under a guard (a job process of the worker pool), the
    // guard kills this process's whole group, and the janitor must outlive that to remove the folders.
    const janitor = execa(exe, [], { stdin: 'pipe', stdout: 'ignore', stderr: 'ignore', buffer: false, reject: false, cleanup: false, detached: true });
    janitor.unref();
    const stdin = janitor.stdin!;
    (stdin as unknown as { unref?: () => void }).unref?.();
    stdin.on('error', () => undefined); // the janitor died: the sweep at the next start remains
    const send = (record: string): void => void stdin.write(`${record}\0`);
    observeTempPaths({ added: (p) => send(`+${p}`), removed: (p) => send(`-${p}`) });
  })();
  return started;
}
