// A harness session on an emulated Cortex-M board: QEMU runs the firmware with instruction
// counting (-icount shift=0: one instruction = 1 ns, read through SysTick), its first UART on a
// pty that we open like a real board's serial port, and semihosting for the exit status.
//
// QEMU (7.2) reads a pty only once it has seen the other side open: it looks when the UART attaches
// during its start-up, then once a second. The serial port opens too late for the first look, so
// every session waited about 0.95 s for its first ping; the pty is now held open (a plain file
// descriptor, never read) the moment QEMU names it, usually before that first look, and closed once
// the serial port is open. When the race is lost, the session only waits as before.

import fs from 'node:fs';
import { UserError } from '../../src/errors.js';
import type { McuTarget } from '../../src/targets/schema.js';
import { qemuArm, type ToolOptions } from '../build/tools.js';
import { describeExit, spawnChild, type Child, type ChildExit } from '../process.js';
import { HarnessClient, HwSimExitError, HwSimFaultError, HwSimSessionError, HwSimTimeoutError } from '../protocol/client.js';
import { openPort, type PortStream } from '../serial/port.js';
import { scaleForLoad } from '../load.js';
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

/** QEMU is killed after this long whatever it does. */
const DEFAULT_LIFETIME_MS = 600_000;

/** Until QEMU reports its pty (before the load scaling). */
const DEFAULT_START_TIMEOUT_MS = 10_000;

class QemuSession extends BaseSession {
  readonly kind = 'qemu' as const;
  private child: Child | null = null;
  private port: PortStream | null = null;
  /** Set before we kill QEMU: its end is then ours, not news. */
  private killing = false;
  /** The pty held open from the moment QEMU names it until the serial port is open (see the top). */
  private ptyHold: number | null = null;

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
        lifetimeMs: this.opts.lifetimeMs ?? DEFAULT_LIFETIME_MS,
        stdin: false,
      });
      this.child = child;
      void child.exited.then((e) => this.client.end(this.killing ? new HwSimSessionError(`${label}: QEMU ${describeExit(e)}`) : this.exitError(e, child)));
      if ((this.opts.transfer ?? 'files') === 'files') this.useFileTransfer();
      // QEMU's own start-up (until it names its pty) is not the firmware's handshake: it gets the
      // load-scaled default even when a short handshake timeout is asked for.
      const pty = await this.ptyPath(child, Math.max(this.handshakeTimeoutMs, scaleForLoad(DEFAULT_START_TIMEOUT_MS)));
      const opening = openPort(pty, {
        onData: (chunk) => this.client.feed(chunk),
        // QEMU closes its pty only when it exits (the fd goes before its end is reported): the
        // exit, with QEMU's own message, is the reason.
        onGone: (error) => void this.endedByItself(child, 5_000).then((exit) => this.client.end(exit ?? error)),
      });
      // Opening can hang on a pty whose QEMU is gone: its exit ends the wait (a late port is closed).
      try {
        this.port = await Promise.race([
          opening,
          child.exited.then((e): never => {
            throw this.exitError(e, child);
          }),
        ]);
      } catch (e) {
        void opening.then((late) => late.close(), () => undefined);
        throw e;
      } finally {
        this.releasePty();
      }
    } catch (e) {
      throw await this.fail(e);
    }
    await this.start();
  }

  /** The error for QEMU's own end: its exit and its last words. */
  private exitError(e: ChildExit, child: Child, when = ''): HwSimExitError | HwSimTimeoutError {
    if (e.timedOut) return new HwSimTimeoutError(`${this.client.label}: QEMU ran past its lifetime of ${(this.opts.lifetimeMs ?? DEFAULT_LIFETIME_MS) / 1000} s and was killed`);
    return new HwSimExitError(
      `${this.client.label}: QEMU ${describeExit(e)}${when}${stderrSummary(child)}`,
      `QEMU stopped by itself (its own message is above): check that the firmware was built for ${this.target.name}, run the command again to see whether it repeats, and report it with the model if it does`,
    );
  }

  /**
   * QEMU's own end, if it ends without being killed by us: waits up to `waitMs` for the exit to
   * be reported, or a few seconds when QEMU is already gone (a zombie: the report is on its way
   * on a loaded machine). Null if it still runs.
   */
  private async endedByItself(child: Child, waitMs: number): Promise<HwSimExitError | HwSimTimeoutError | null> {
    if (this.killing) return null;
    const wait = child.hasEnded() ? Math.max(waitMs, 5_000) : waitMs;
    if (wait <= 0) return null;
    const e = await Promise.race([child.exited, delay(wait).then(() => null)]);
    return e && !this.killing ? this.exitError(e, child) : null;
  }

  /** QEMU prints "char device redirected to /dev/pts/N (label serial0)" on stdout. */
  private ptyPath(child: Child, timeoutMs: number): Promise<string> {
    const label = this.client.label;
    return new Promise<string>((resolve, reject) => {
      let text = '';
      let stop = (): void => {};
      const timer = setTimeout(() => {
        stop();
        reject(new HwSimTimeoutError(`${label}: QEMU did not report its pty within ${timeoutMs} ms`));
      }, timeoutMs);
      let found = false;
      const unsubscribe = child.onStdout((chunk) => {
        text += chunk;
        const m = /char device redirected to (\/dev\/\S+)/.exec(text);
        if (m && !found) {
          found = true;
          this.holdPty(m[1]);
          clearTimeout(timer);
          stop();
          resolve(m[1]);
        }
      });
      stop = () => void unsubscribe();
      if (found) stop(); // found in the output replayed at once
      void child.exited.then((e) => {
        clearTimeout(timer);
        reject(this.exitError(e, child, ' before starting the guest'));
      });
    });
  }

  /** Open `pty` at once, without reading it, so that QEMU's first look finds it open (see the top). */
  private holdPty(pty: string): void {
    try {
      this.ptyHold = fs.openSync(pty, fs.constants.O_RDWR | fs.constants.O_NOCTTY | fs.constants.O_NONBLOCK);
    } catch {
      // Not held: QEMU then sees the serial port on its next look, a second later at most.
    }
  }

  private releasePty(): void {
    if (this.ptyHold === null) return;
    try {
      fs.closeSync(this.ptyHold);
    } catch {
      // already closed
    }
    this.ptyHold = null;
  }

  protected async teardown(): Promise<{ exitCode: number | null }> {
    this.releasePty();
    await this.port?.close().catch(() => undefined);
    if (!this.child) return { exitCode: null };
    // After the goodbye QEMU exits by itself (semihosting); give it a moment, then kill.
    const child = this.child;
    const ended = await Promise.race([child.exited, delay(2_000).then(() => null)]);
    this.killing = true;
    const exit = ended ?? (await child.kill());
    return { exitCode: exit.signal || exit.timedOut ? null : exit.exitCode };
  }

  /**
   * Kill QEMU at once: used on failures, where waiting for a goodbye makes no sense. When QEMU
   * ends by itself, its end is the reason (a lost pty, a write error or a timeout that raced an
   * abort is only a consequence): after a stream error QEMU gets a few seconds to show its end,
   * after a timeout only if it has ended already.
   */
  protected override async fail(e: unknown): Promise<Error> {
    let error = e;
    if (this.child && !(e instanceof HwSimExitError) && !(e instanceof HwSimFaultError)) {
      error = (await this.endedByItself(this.child, e instanceof HwSimTimeoutError ? 0 : 5_000)) ?? e;
    }
    this.killing = true;
    await this.child?.kill();
    return super.fail(error);
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
