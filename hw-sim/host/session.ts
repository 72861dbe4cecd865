// A harness session with the host build of the harness (buildHostHarness): the same protocol
// over the child's stdin/stdout. No instruction count and no stack figures on the host.

import { hostCc } from '../build/tools.js';
import { describeExit, spawnChild, type Child } from '../process.js';
import { HarnessClient, HwSimExitError, HwSimSessionError, HwSimTimeoutError } from '../protocol/client.js';
import { BaseSession, boardCounter, type HarnessSession, type SessionTimeouts, type Transfer } from '../session.js';

export interface HostSessionOptions extends SessionTimeouts {
  /** 'uart' (default): hex over stdin/stdout; 'files': through host files, as QEMU sessions do. */
  transfer?: Transfer;
  /** The process is killed after this long whatever it is doing (default 10 min). */
  lifetimeMs?: number;
  /** Another program speaking the protocol on stdin/stdout (a Verilator simulation): its arguments, its name in messages, its package. */
  program?: { args: string[]; label: string; debianPackage: string };
}

class HostSession extends BaseSession {
  readonly kind = 'host' as const;
  private child: Child | null = null;
  /** Set before we kill the process: its end is then ours, not news. */
  private killing = false;

  constructor(
    private readonly exe: string,
    private readonly opts: HostSessionOptions,
  ) {
    const label = opts.program?.label ?? `host harness (${exe})`;
    const io = { write: (_text: string): Promise<void> => Promise.reject(new Error('not started yet')) };
    super(new HarnessClient(io, label), boardCounter, opts);
    io.write = (text) => this.write(text);
  }

  private write(text: string): Promise<void> {
    const stdin = this.child?.stdin;
    if (!stdin) return Promise.reject(new HwSimSessionError(`${this.client.label}: not running`));
    return new Promise<void>((resolve, reject) => {
      stdin.write(text, (err) => (err ? reject(new HwSimSessionError(`${this.client.label}: write failed: ${err.message}`)) : resolve()));
    });
  }

  async open(): Promise<void> {
    if (this.opts.transfer === 'files') this.useFileTransfer();
    // The tool record only names the program in a "not found" error.
    const child = await spawnChild({ command: this.exe, debianPackage: this.opts.program?.debianPackage ?? hostCc().debianPackage }, this.opts.program?.args ?? [], {
      lifetimeMs: this.opts.lifetimeMs ?? 600_000,
      stdin: true,
    });
    this.child = child;
    child.onStdout((chunk) => this.client.feed(chunk));
    void child.exited.then((e) => {
      const stderr = child.stderrTail();
      const message = `${this.client.label} ${describeExit(e)}${stderr ? `: ${stderr.split('\n').slice(-5).join(' | ')}` : ''}`;
      this.client.end(
        this.killing
          ? new HwSimSessionError(message)
          : e.timedOut
            ? new HwSimTimeoutError(message)
            : new HwSimExitError(message, `the ${this.opts.program ? 'simulation' : 'host build of the harness'} stopped by itself: run the command again to see whether it repeats, and report it with the model if it does`),
      );
    });
    await this.start();
  }

  protected async teardown(): Promise<{ exitCode: number | null }> {
    if (!this.child) return { exitCode: null };
    const child = this.child;
    child.stdin?.end();
    const ended = await Promise.race([child.exited, new Promise<null>((r) => setTimeout(() => r(null), 2_000).unref())]);
    this.killing = true;
    const exit = ended ?? (await child.kill());
    return { exitCode: exit.signal || exit.timedOut ? null : exit.exitCode };
  }

  protected override async fail(e: unknown): Promise<Error> {
    this.killing = true;
    await this.child?.kill();
    return super.fail(e);
  }
}

/** Start the host harness `exe` and connect to it. */
export async function openHostSession(exe: string, opts: HostSessionOptions = {}): Promise<HarnessSession> {
  const session = new HostSession(exe, opts);
  await session.open();
  return session;
}
