// A stand-in for an FPGA board on a serial port: the Verilator simulation of a design behind the UART wrapper
// (hw-sim/verilator/uart-session.ts builds it) on a pseudo-terminal that anything can open by path as it opens a
// board's /dev/ttyUSB1 (tb/ep_uart_top_tb.cpp's pty mode), e.g. `edgeprune verify --target <fpga> --port <path>`.
// The baud rate set on the pty is ignored: the simulation's UART runs at its CLKS_PER_BIT.

import { spawnChild, type Child } from '../process.js';
import { scaleForLoad } from '../load.js';
import { SIM_CLKS_PER_BIT } from './uart-session.js';
import type { VerilatorHarness } from './harness.js';

export interface UartPty {
  /** The pty's path (/dev/pts/N). */
  path: string;
  /** The simulation's process (tests: SIGSTOP freezes the board, which then answers nothing). */
  pid: number;
  /** End the simulation (and with it the pty) and wait for it. */
  close(): Promise<void>;
}

/** Start the simulation on a pty; resolves once the pty exists. */
export async function startUartPty(harness: VerilatorHarness, opts: { clksPerBit?: number; lifetimeMs?: number } = {}): Promise<UartPty> {
  const child: Child = await spawnChild({ command: harness.executable, debianPackage: 'verilator' }, [String(opts.clksPerBit ?? SIM_CLKS_PER_BIT), 'pty'], {
    lifetimeMs: opts.lifetimeMs ?? 600_000,
    stdin: true,
  });
  const close = async () => {
    child.stdin?.end(); // the testbench ends when its stdin does
    const ended = await Promise.race([child.exited, new Promise<null>((r) => setTimeout(() => r(null), 5_000).unref())]);
    if (!ended) await child.kill();
  };
  try {
    const path = await new Promise<string>((resolve, reject) => {
      let text = '';
      const timer = setTimeout(() => reject(new Error(`the UART simulation (${harness.executable}) named no pty`)), scaleForLoad(10_000));
      // Output that came before the subscription is replayed inside onStdout, before it returns the unsubscribe:
      // unsubscribe a microtask later, when `off` is set.
      let named = false;
      const off = child.onStdout((chunk) => {
        if (named) return;
        text += chunk;
        const m = /^pty (\/dev\/\S+)\n/m.exec(text);
        if (m) {
          named = true;
          clearTimeout(timer);
          queueMicrotask(() => off());
          resolve(m[1]);
        }
      });
      void child.exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`the UART simulation (${harness.executable}) ended before naming its pty: ${child.stderrTail()}`));
      });
    });
    return { path, pid: child.pid, close };
  } catch (e) {
    await child.kill();
    throw e;
  }
}
