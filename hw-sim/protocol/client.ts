// The host side of the harness line protocol (hw-sim/firmware/harness.c describes it): frames the
// byte stream into lines, keeps only "@EP " replies, and turns commands into typed answers. It
// knows nothing about processes or ports: a session feeds it bytes and tells it when the far end
// is gone, so that a pending read fails at once instead of waiting for its timeout.

import { UserError } from '../../src/errors.js';
import { overloadHint } from '../load.js';
import { fromHex, toHex } from './hex.js';

export const PROTOCOL_VERSION = 1;
const REPLY_PREFIX = '@EP ';

/**
 * No answer in time; the session kills its process before this reaches the caller. Exit 2 in the
 * CLI: a loaded machine is the usual cause (the hint says how loaded).
 */
export class HwSimTimeoutError extends UserError {
  constructor(message: string) {
    super(message, overloadHint());
    this.name = 'HwSimTimeoutError';
  }
}

/**
 * The emulator or harness process ended on its own (QEMU aborted, the host build crashed, an exit)
 * while a session needed it; the message carries what the process said. Exit 2 in the CLI.
 */
export class HwSimExitError extends UserError {
  constructor(message: string, hint: string) {
    super(message, hint);
    this.name = 'HwSimExitError';
  }
}

/** The CPU faulted (HardFault, BusFault...): `pc` is where, `detail` the CFSR. The session is dead. */
export class HwSimFaultError extends Error {
  constructor(
    readonly fault: string,
    readonly pc: number,
    readonly detail: number,
    context: string,
  ) {
    super(`${context}: the firmware faulted (${fault} at pc=0x${pc.toString(16).padStart(8, '0')}, CFSR=0x${detail.toString(16).padStart(8, '0')})`);
    this.name = 'HwSimFaultError';
  }
}

/** The far end went away (process exit, port closed) or broke the protocol. */
export class HwSimSessionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HwSimSessionError';
  }
}

/** The DESC counter: SysTick, DWT->CYCCNT, none (host), or 'fpga': clock cycles counted by the FPGA UART wrapper (templates/verilog/lib/ep_uart_top.v). */
export type RawCounter = 'systick' | 'dwt' | 'fpga' | 'none';

export interface RawModel {
  name: string;
  inputBytes: number[];
  outputBytes: number[];
}

export interface RawDescription {
  counter: RawCounter;
  /** Bytes of stack painted and scanned; null when not measured (host). */
  stackWindowBytes: number | null;
  models: RawModel[];
}

export interface RawRun {
  outputs: Uint8Array[];
  status: number;
  ticks: number | null;
  stackBytes: number | null;
  stackTotalBytes: number | null;
  /** A trace build's layer outputs (TRACE lines), in the order sent; absent when the firmware sent none. */
  trace?: RawTraceValue[];
  /** A step-marks build's counter at each mark (MARKS line), raw ticks since the run's start; absent otherwise. */
  marks?: number[];
}

/** The MARKS line of a step-marks build (harness.c), or null for another line; throws when its slots wrapped. */
function parseMarks(reply: string, label: string): number[] | null {
  const m = /^MARKS (\d+)((?: \d+)*)$/.exec(reply);
  if (!m) return null;
  const ticks = m[2].trim() ? m[2].trim().split(' ').map(Number) : [];
  if (ticks.length !== Number(m[1])) throw new HwSimSessionError(`${label}: the run made ${m[1]} step marks, more than the firmware keeps (${ticks.length})`);
  return ticks;
}

/** One output of one layer step, from a trace build (harness.c: @EP TRACE <step> <output> <hex>). */
export interface RawTraceValue {
  step: number;
  output: number;
  bytes: Uint8Array;
}

interface Waiter {
  resolve(line: string): void;
  reject(e: Error): void;
}

export interface ClientIo {
  write(text: string): Promise<void>;
}

export class HarnessClient {
  private partial = '';
  private readonly replies: string[] = [];
  private waiter: Waiter | null = null;
  private ended: Error | null = null;
  /** Rejects when the far end is gone: races every write, which can hang once it is. */
  private readonly gone: Promise<never>;
  private markGone: (e: Error) => void = () => {};
  /** Lines that were not replies (boot noise, a debugger's output), the last 50. */
  readonly strayLines: string[] = [];

  constructor(
    private readonly io: ClientIo,
    /** Names the session in error messages ("QEMU mps2-an386 (firmware.elf)"). */
    readonly label: string,
  ) {
    this.gone = new Promise<never>((_, reject) => (this.markGone = reject));
    this.gone.catch(() => undefined);
  }

  /** Bytes from the far end. */
  feed(chunk: string): void {
    const text = this.partial + chunk;
    const lines = text.split('\n');
    this.partial = lines.pop() ?? '';
    if (this.partial.length > 1 << 24) this.partial = ''; // a runaway line without '\n'
    for (const raw of lines) {
      const line = raw.replace(/\r/g, '');
      const at = line.indexOf(REPLY_PREFIX);
      if (at < 0) {
        this.noteStray(line);
        continue;
      }
      if (at > 0) this.noteStray(line.slice(0, at));
      this.replies.push(line.slice(at + REPLY_PREFIX.length));
    }
    this.wake();
  }

  /** The far end is gone: every pending and later read fails with `error`. */
  end(error: Error): void {
    if (!this.ended) {
      this.ended = error;
      this.markGone(error);
    }
    this.wake();
  }

  get isEnded(): boolean {
    return this.ended !== null;
  }

  private noteStray(line: string): void {
    if (line.trim() === '') return;
    this.strayLines.push(line.length > 200 ? `${line.slice(0, 200)}...` : line);
    if (this.strayLines.length > 50) this.strayLines.shift();
  }

  private wake(): void {
    const w = this.waiter;
    if (!w) return;
    if (this.replies.length > 0) {
      this.waiter = null;
      w.resolve(this.replies.shift()!);
    } else if (this.ended) {
      this.waiter = null;
      w.reject(this.ended);
    }
  }

  /** The next reply (without "@EP "), or a timeout / end-of-session error (naming `reportMs`). */
  nextReply(timeoutMs: number, what: string, reportMs = timeoutMs): Promise<string> {
    if (this.waiter) return Promise.reject(new Error(`${this.label}: concurrent reads (one command at a time)`));
    if (this.replies.length > 0) return Promise.resolve(this.replies.shift()!);
    if (this.ended) return Promise.reject(this.ended);
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = null;
        reject(new HwSimTimeoutError(`${this.label}: no answer to ${what} within ${reportMs} ms`));
      }, timeoutMs);
      this.waiter = {
        resolve: (line) => {
          clearTimeout(timer);
          resolve(line);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
    });
  }

  /**
   * Send one command line. A write can block for good when the firmware stops reading its UART
   * (QEMU then stops draining the pty) or when the far end is gone (a write to a pty whose QEMU
   * died may never call back), so it is raced against `deadline` and the end of the session.
   */
  private async send(line: string, deadline: number, what: string): Promise<void> {
    if (this.ended) throw this.ended;
    const ms = Math.max(1, deadline - Date.now());
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new HwSimTimeoutError(`${this.label}: could not send ${what} in time (the firmware is not reading its UART)`)), ms);
    });
    try {
      await Promise.race([this.io.write(`${line}\n`), timeout, this.gone]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Time left until `deadline`, at least 1 ms. */
  private left(deadline: number): number {
    return Math.max(1, deadline - Date.now());
  }

  private fault(reply: string, what: string): HwSimFaultError | null {
    const m = /^FAULT (\S+) ([0-9a-f]{8}) ([0-9a-f]{8})$/.exec(reply);
    return m ? new HwSimFaultError(m[1], parseInt(m[2], 16), parseInt(m[3], 16), `${this.label}: ${what}`) : null;
  }

  private unexpected(reply: string, what: string): Error {
    if (reply.startsWith('ERR ')) return new HwSimSessionError(`${this.label}: the harness refused ${what}: ${reply.slice(4)}`);
    return this.fault(reply, what) ?? new HwSimSessionError(`${this.label}: unexpected reply to ${what}: '${reply.slice(0, 120)}'`);
  }

  /**
   * Ping until answered, then resynchronize: the firmware never talks first, QEMU drops what the
   * guest sends before the host has opened the pty, and a USART drops bytes until it is enabled.
   * Replies to early pings can arrive late, so a last ping with a fresh nonce marks the point
   * after which the stream is in step.
   */
  async handshake(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let nonce = 1;
    let interval = 10;
    const noAnswer = (): HwSimTimeoutError => new HwSimTimeoutError(`${this.label}: the firmware did not answer a ping within ${timeoutMs} ms`);
    for (;;) {
      try {
        await this.send(`P ${nonce}`, deadline, 'a ping');
      } catch (e) {
        throw e instanceof HwSimTimeoutError ? noAnswer() : e;
      }
      const left = deadline - Date.now();
      if (left <= 0) throw noAnswer();
      try {
        const reply = await this.nextReply(Math.min(interval, left), 'a ping');
        const fault = this.fault(reply, 'starting');
        if (fault) throw fault;
        if (reply.startsWith('PONG ')) break;
      } catch (e) {
        if (!(e instanceof HwSimTimeoutError)) throw e;
        if (Date.now() >= deadline) throw noAnswer();
      }
      nonce++;
      interval = Math.min(interval * 2, 200);
    }
    const final = nonce + 1_000_000;
    await this.send(`P ${final}`, deadline, 'the final ping');
    for (;;) {
      const reply = await this.nextReply(this.left(deadline), 'the final ping', timeoutMs);
      const m = /^PONG (\d+) (\d+)$/.exec(reply);
      if (!m || Number(m[1]) !== final) continue; // late answers to earlier pings
      if (Number(m[2]) !== PROTOCOL_VERSION) {
        throw new HwSimSessionError(`${this.label}: the firmware speaks protocol v${m[2]}, this host v${PROTOCOL_VERSION}: rebuild it`);
      }
      return;
    }
  }

  async describe(timeoutMs: number): Promise<RawDescription> {
    const deadline = Date.now() + timeoutMs;
    await this.send('D', deadline, 'describe');
    const head = await this.nextReply(this.left(deadline), 'describe', timeoutMs);
    const m = /^DESC (\d+) (systick|dwt|fpga|none) (\d+|-)$/.exec(head);
    if (!m) throw this.unexpected(head, 'describe');
    const models: RawModel[] = [];
    for (let k = 0; k < Number(m[1]); k++) {
      const line = await this.nextReply(this.left(deadline), 'describe', timeoutMs);
      const f = line.split(' ');
      if (f[0] !== 'MODEL' || Number(f[1]) !== k) throw this.unexpected(line, 'describe');
      const nin = Number(f[3]);
      const nout = Number(f[4]);
      const sizes = f.slice(5).map(Number);
      if (sizes.length !== nin + nout || sizes.some((n) => !Number.isInteger(n) || n < 0)) throw this.unexpected(line, 'describe');
      models.push({ name: f[2], inputBytes: sizes.slice(0, nin), outputBytes: sizes.slice(nin) });
    }
    return { counter: m[2] as RawCounter, stackWindowBytes: m[3] === '-' ? null : Number(m[3]), models };
  }

  async run(index: number, model: RawModel, inputs: Uint8Array[], timeoutMs: number): Promise<RawRun> {
    const what = `run of model ${index} '${model.name}'`;
    const deadline = Date.now() + timeoutMs;
    await this.send(['R', String(index), ...inputs.map(toHex)].join(' '), deadline, what);
    const outputs: Uint8Array[] = [];
    const trace: RawTraceValue[] = [];
    let marks: number[] | undefined;
    for (;;) {
      const reply = await this.nextReply(this.left(deadline), what, timeoutMs);
      const traced = /^TRACE (\d+) (\d+) ([0-9a-f]*)$/.exec(reply);
      if (traced && outputs.length === 0) {
        trace.push({ step: Number(traced[1]), output: Number(traced[2]), bytes: fromHex(traced[3]) });
        continue;
      }
      if (reply.startsWith('OUT ')) {
        const [, i, hex = ''] = reply.split(' ');
        if (Number(i) !== outputs.length) throw this.unexpected(reply, what);
        const bytes = fromHex(hex);
        if (bytes.length !== model.outputBytes[outputs.length]) {
          throw new HwSimSessionError(`${this.label}: ${what}: output ${i} has ${bytes.length} bytes, expected ${model.outputBytes[outputs.length]}`);
        }
        outputs.push(bytes);
        continue;
      }
      const marked = parseMarks(reply, `${this.label}: ${what}`);
      if (marked) {
        marks = marked;
        continue;
      }
      const m = /^RUN (-?\d+) (\d+|-) (\d+|-) (\d+|-)$/.exec(reply);
      if (!m) throw this.unexpected(reply, what);
      if (outputs.length !== model.outputBytes.length) throw new HwSimSessionError(`${this.label}: ${what}: ${outputs.length} outputs, expected ${model.outputBytes.length}`);
      const num = (s: string): number | null => (s === '-' ? null : Number(s));
      const run: RawRun = { outputs, status: Number(m[1]), ticks: num(m[2]), stackBytes: num(m[3]), stackTotalBytes: num(m[4]) };
      if (trace.length) run.trace = trace;
      if (marks) run.marks = marks;
      return run;
    }
  }

  /**
   * Run with the data in host files (F): `inFile` holds the inputs concatenated, the firmware
   * writes the outputs concatenated to `outFile` before it answers. Paths must have no blanks.
   */
  async runWithFiles(index: number, model: RawModel, inFile: string, outFile: string, timeoutMs: number): Promise<Omit<RawRun, 'outputs'>> {
    const what = `run of model ${index} '${model.name}'`;
    if (/\s/.test(inFile + outFile)) throw new Error(`${this.label}: transfer file paths must not contain blanks: '${inFile}'`);
    const deadline = Date.now() + timeoutMs;
    await this.send(['F', String(index), inFile, outFile].join(' '), deadline, what);
    // A trace build still sends its layer outputs as TRACE lines before the answer (the outputs go to the file).
    const trace: RawTraceValue[] = [];
    let marks: number[] | undefined;
    for (;;) {
      const reply = await this.nextReply(this.left(deadline), what, timeoutMs);
      const traced = /^TRACE (\d+) (\d+) ([0-9a-f]*)$/.exec(reply);
      if (traced) {
        trace.push({ step: Number(traced[1]), output: Number(traced[2]), bytes: fromHex(traced[3]) });
        continue;
      }
      const marked = parseMarks(reply, `${this.label}: ${what}`);
      if (marked) {
        marks = marked;
        continue;
      }
      const m = /^RUN (-?\d+) (\d+|-) (\d+|-) (\d+|-)$/.exec(reply);
      if (!m) throw this.unexpected(reply, what);
      const num = (s: string): number | null => (s === '-' ? null : Number(s));
      const run: Omit<RawRun, 'outputs'> = { status: Number(m[1]), ticks: num(m[2]), stackBytes: num(m[3]), stackTotalBytes: num(m[4]) };
      if (trace.length) run.trace = trace;
      if (marks) run.marks = marks;
      return run;
    }
  }

  /**
   * `count` runs with one command (B): `inFile` holds their inputs one run after another, the firmware writes their
   * outputs the same way to `outFile` and answers one RUN line per run (after its TRACE lines in a trace build), then
   * DONE once both files are closed. Each run has `timeoutMs` from the answer before it.
   */
  async runBatchWithFiles(index: number, model: RawModel, count: number, inFile: string, outFile: string, timeoutMs: number): Promise<Omit<RawRun, 'outputs'>[]> {
    const what = `batch of ${count} runs of model ${index} '${model.name}'`;
    if (/\s/.test(inFile + outFile)) throw new Error(`${this.label}: transfer file paths must not contain blanks: '${inFile}'`);
    await this.send(['B', String(index), String(count), inFile, outFile].join(' '), Date.now() + timeoutMs, what);
    const runs: Omit<RawRun, 'outputs'>[] = [];
    let trace: RawTraceValue[] = [];
    let marks: number[] | undefined;
    for (;;) {
      const reply = await this.nextReply(timeoutMs, what, timeoutMs);
      const traced = /^TRACE (\d+) (\d+) ([0-9a-f]*)$/.exec(reply);
      if (traced) {
        trace.push({ step: Number(traced[1]), output: Number(traced[2]), bytes: fromHex(traced[3]) });
        continue;
      }
      const done = /^DONE (\d+)$/.exec(reply);
      if (done) {
        if (Number(done[1]) !== count || runs.length !== count) throw new HwSimSessionError(`${this.label}: ${what}: the firmware ran ${done[1]} and answered ${runs.length}`);
        return runs;
      }
      const marked = parseMarks(reply, `${this.label}: ${what}`);
      if (marked) {
        marks = marked;
        continue;
      }
      const m = /^RUN (-?\d+) (\d+|-) (\d+|-) (\d+|-)$/.exec(reply);
      if (!m) throw this.unexpected(reply, what);
      const num = (x: string): number | null => (x === '-' ? null : Number(x));
      const run: Omit<RawRun, 'outputs'> = { status: Number(m[1]), ticks: num(m[2]), stackBytes: num(m[3]), stackTotalBytes: num(m[4]) };
      if (trace.length) run.trace = trace;
      if (marks) run.marks = marks;
      trace = [];
      marks = undefined;
      runs.push(run);
    }
  }

  /**
   * A step-marks build's cost of one mark (K): the counter over `turns` loop turns of one mark and of two marks, in raw
   * ticks (their difference is `turns` marks).
   */
  async markCost(turns: number, timeoutMs: number): Promise<{ turns: number; once: number; twice: number }> {
    const what = 'the step marks\' cost';
    const deadline = Date.now() + timeoutMs;
    await this.send(`K ${turns}`, deadline, what);
    const reply = await this.nextReply(this.left(deadline), what, timeoutMs);
    const m = /^MARKCOST (\d+) (\d+) (\d+)$/.exec(reply);
    if (!m || Number(m[1]) !== turns) throw this.unexpected(reply, what);
    return { turns, once: Number(m[2]), twice: Number(m[3]) };
  }

  /** Ask the firmware to exit with `code`; resolves on its goodbye or when the far end is gone. */
  async exit(code: number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    await this.send(`X ${code}`, deadline, 'exit');
    for (;;) {
      let reply: string;
      try {
        reply = await this.nextReply(this.left(deadline), 'exit', timeoutMs);
      } catch (e) {
        if (e instanceof HwSimSessionError || e instanceof HwSimExitError) return; // gone: the goodbye may be lost with the pty
        throw e;
      }
      if (reply.startsWith('BYE ')) return;
    }
  }
}
