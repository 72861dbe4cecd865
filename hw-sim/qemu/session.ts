// A harness session on an emulated Cortex-M board: QEMU runs the firmware with instruction
// counting (-icount shift=0: one instruction = 1 ns, read through SysTick), its first UART on a
// pty that we open like a real board's serial port, and semihosting for the exit status.

import fs from 'node:fs';
import { UserError } from '../../src/errors.js';
import type { McuTarget } from '../../src/targets/schema.js';
import { qemuArm, type ToolOptions } from '../build/tools.js';
import { describeExit, spawnChild, type Child } from '../process.js';
import { HarnessClient, HwSimSessionError, HwSimTimeoutError } from '../protocol/client.js';
import { openPort, type PortStream } from '../serial/port.js';
import { BaseSession, icountCounter, type HarnessSession, type SessionTimeouts, type Transfer } from '../session.js';

export interface QemuSessionOptions extends SessionTimeouts {
  /** 'files' (default): inputs and outputs through host files by semihosting, fast; 'uart': hex over the emulated UART, as on a board. */
  transfer?: Transfer;
  /** QEMU is killed after this long whatever it is doing (default 10 min). */
  lifetimeMs?: number;
  tools?: ToolOptions;
}

/** QEMU's command line for `target` running `elf`. */
export function qemuArgs(target: McuTarget, elf: string): string[] {
  return [
    '-M', target.emulator.machine,
    '-nodefaults',
    '-display', 'none',
    '-monitor', 'none',
    '-serial', 'pty',
    '-semihosting-config', 'enable=on,target=native',
    '-icount', 'shift=0,align=off,sleep=off',
    '-kernel', elf,
  ];
}

class QemuSession extends BaseSession {
  readonly kind = 'qemu' as const;
  private child: Child | null = null;
  private port: PortStream | null = null;

  constructor(
    private readonly elf: string,
    private readonly target: McuTarget,
    private readonly opts: QemuSessionOptions,
  ) {
    const label = `QEMU ${target.emulator.machine} (${target.name})`;
    const io = { write: (_text: string): Promise<void> => Promise.reject(new Error('not open yet')) };
    super(new HarnessClient(io, label), icountCounter(target.emulator.systickHz, label), opts);
    io.write = (text) => {
      if (!this.port) throw new HwSimSessionError(`${label}: the serial port is not open`);
      return this.port.write(text);
    };
  }

  async open(): Promise<void> {
    const label = this.client.label;
    try {
      if (!fs.existsSync(this.elf)) throw new Error(`${label}: no firmware at ${this.elf}`);
      const child = await spawnChild(qemuArm(this.opts.tools), qemuArgs(this.target, this.elf), {
        lifetimeMs: this.opts.lifetimeMs ?? 600_000,
        stdin: false,
      });
      this.child = child;
      void child.exited.then((e) => {
        this.client.end(new HwSimSessionError(`${label}: QEMU ${describeExit(e)}${stderrSummary(child)}`));
      });
      if ((this.opts.transfer ?? 'files') === 'files') this.useFileTransfer();
      const pty = await this.ptyPath(child, this.handshakeTimeoutMs);
      this.port = await openPort(pty, {
        onData: (chunk) => this.client.feed(chunk),
        // The pty goes when QEMU exits: give the exit (with QEMU's own message) a moment to be the reason.
        onGone: (error) => void Promise.race([child.exited, delay(300)]).then(() => this.client.end(error)),
      });
    } catch (e) {
      throw await this.fail(e);
    }
    await this.start();
  }

  /** QEMU prints "char device redirected to /dev/pts/N (label serial0)" on stdout. */
  private ptyPath(child: Child, timeoutMs: number): Promise<string> {
    const label = this.client.label;
    return new Promise<string>((resolve, reject) => {
      let text = '';
      const timer = setTimeout(() => {
        child.stdout.off('data', onData);
        reject(new HwSimTimeoutError(`${label}: QEMU did not report its pty within ${timeoutMs} ms`));
      }, timeoutMs);
      const onData = (chunk: Buffer): void => {
        text += chunk.toString('utf8');
        const m = /char device redirected to (\/dev\/\S+)/.exec(text);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      };
      child.stdout.on('data', onData);
      void child.exited.then((e) => {
        clearTimeout(timer);
        reject(new HwSimSessionError(`${label}: QEMU ${describeExit(e)} before starting the guest${stderrSummary(child)}`));
      });
    });
  }

  protected async teardown(): Promise<{ exitCode: number | null }> {
    await this.port?.close().catch(() => undefined);
    if (!this.child) return { exitCode: null };
    // After the goodbye QEMU exits by itself (semihosting); give it a moment, then kill.
    const child = this.child;
    const ended = await Promise.race([child.exited, new Promise<null>((r) => setTimeout(() => r(null), 2_000).unref())]);
    const exit = ended ?? (await child.kill());
    return { exitCode: exit.signal || exit.timedOut ? null : exit.exitCode };
  }

  /** Kill QEMU at once: used on failures, where waiting for a goodbye makes no sense. */
  protected override async fail(e: unknown): Promise<Error> {
    await this.child?.kill();
    return super.fail(e);
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/** ": <QEMU's last stderr lines>", without its harmless warnings; '' when there are none. */
function stderrSummary(child: Child): string {
  const lines = child
    .stderrTail()
    .split('\n')
    .filter((l) => l.trim() !== '' && !/nic \S+ has no peer/.test(l));
  // "qemu: fatal: Lockup: ..." is followed by a register dump: the fatal line says more.
  const important = lines.filter((l) => /^qemu(-system-\w+)?: /.test(l) && !/warning/.test(l));
  const shown = important.length > 0 ? important.slice(-3) : lines.slice(-5);
  return shown.length > 0 ? `: ${shown.join(' | ')}` : '';
}

/** Start QEMU on `elf` (built by buildFirmware for `target`) and connect to the harness. */
export async function openQemuSession(elf: string, target: McuTarget, opts: QemuSessionOptions = {}): Promise<HarnessSession> {
  if (target.emulator.kind !== 'qemu') throw new UserError(`target ${target.name} has no QEMU machine`);
  const session = new QemuSession(elf, target, opts);
  await session.open();
  return session;
}
