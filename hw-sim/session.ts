// The one interface every harness session has (QEMU, host process, real board over a serial
// port), and the shared code that maps the firmware's raw counter to instructions or cycles.

import fs from 'node:fs';
import path from 'node:path';
import { makeTempDir, removeTempDir } from '../src/util/temp-dir.js';
import { scaleForLoad } from './load.js';
import { HarnessClient, HwSimExitError, HwSimFaultError, HwSimSessionError, HwSimTimeoutError, type RawCounter, type RawDescription, type RawRun, type RawTraceValue } from './protocol/client.js';

/**
 * What a run's count means:
 * - 'icount-systick': instructions executed, from SysTick ticks under QEMU's -icount shift=0
 *   (one instruction = 1 ns of virtual time); exact to one tick (1e9 / systickHz instructions).
 * - 'dwt-cycles': core cycles from DWT->CYCCNT on a real board.
 * - 'systick-cycles': core cycles from SysTick on a real board without a DWT cycle counter.
 * - 'fpga-cycles': clock cycles of an FPGA design from its input beat to its output beat, counted by the UART
 *   wrapper (templates/verilog/lib/ep_uart_top.v), on a board or in its Verilator simulation.
 * - 'none': not measured (host build).
 */
export type CounterKind = 'icount-systick' | 'dwt-cycles' | 'systick-cycles' | 'fpga-cycles' | 'none';

export interface ModelInfo {
  name: string;
  inputBytes: number[];
  outputBytes: number[];
}

export interface RunResult {
  outputs: Uint8Array[];
  /** The model's return code (<prefix>_run): 0 = success. */
  status: number;
  counter: CounterKind;
  /** Instructions the run took ('icount-systick'), else null. */
  instructions: number | null;
  /** Core cycles the run took ('dwt-cycles', 'systick-cycles'), or the FPGA design's clock cycles ('fpga-cycles'), else null. */
  cycles: number | null;
  /** The raw counter value, null on the host. */
  ticks: number | null;
  /** Stack bytes the run used below its call site (the model's own use, exception frames included); null on the host. */
  stackBytes: number | null;
  /** The firmware's stack high-water mark (harness frames included); null on the host. */
  stackTotalBytes: number | null;
  /** Wall-clock time of the round trip, for information only. */
  wallMs: number;
  /** A trace build's layer outputs (verify --trace), in execution order; absent otherwise. */
  trace?: RawTraceValue[];
  /**
   * A step-marks build's raw counter at each mark since the run's start (ticks, as `ticks`: under QEMU each is
   * 1e9 / systickHz instructions; one mark's own cost included: HarnessSession.stepMarkCost); absent otherwise.
   */
  marks?: number[];
}

export interface RunOptions {
  /** How long to wait for the run's answer (default: the session's runTimeoutMs). */
  timeoutMs?: number;
}

export interface HarnessSession {
  readonly kind: 'qemu' | 'host' | 'serial';
  /** How runs move their data (QEMU: 'files' unless asked otherwise). */
  readonly transfer: Transfer;
  /** Models in table order: `run(k)` runs models[k]. */
  readonly models: ModelInfo[];
  /** Bytes of stack painted and scanned (a stack figure equal to it means "at least"); null on the host. */
  readonly stackWindowBytes: number | null;
  /** Run model `model` (index or name) on `inputs` (one byte array per model input, exact sizes). */
  run(model: number | string, inputs: Uint8Array[], opts?: RunOptions): Promise<RunResult>;
  /**
   * Run model `model` on every vector of `vectors` (each one byte array per input), in order: with file transfer, in
   * batches of one command each (one file of inputs, one of outputs); else one run after another.
   */
  runMany(model: number | string, vectors: Uint8Array[][], opts?: RunOptions): Promise<RunResult[]>;
  /**
   * A step-marks build only: the instructions (or cycles) of one step mark, measured over `turns` loop turns (the
   * counter's resolution ÷ `turns` is its precision); null without a counter.
   */
  stepMarkCost?(turns?: number): Promise<number | null>;
  /** End the session: the firmware exits with `exitCode` (default 0) where it can; resources are released. */
  close(opts?: { exitCode?: number }): Promise<{ exitCode: number | null }>;
}

/**
 * How inputs and outputs travel: 'uart' as hex on the serial line (every session can), or
 * 'files' through host files the firmware reads and writes itself (semihosting under QEMU, stdio
 * on the host). QEMU feeds its guest's UART one byte per main-loop turn (~85 us per byte), so a
 * 16 KiB input takes ~3 s as hex and ~1 ms as a file.
 */
export type Transfer = 'uart' | 'files';

export interface SessionTimeouts {
  /** Until the firmware answers a ping (default 10 s, stretched up to 6x by the machine's load per core). */
  handshakeTimeoutMs?: number;
  /** Default wait for one run's answer (default 60 s, stretched up to 6x by the machine's load per core). */
  runTimeoutMs?: number;
}

/** How a session turns the firmware's raw counter into a RunResult count. */
export type CounterMapping = (raw: RawCounter, ticks: number | null) => Pick<RunResult, 'counter' | 'instructions' | 'cycles'>;

/** On a real board SysTick (core clock) and DWT count cycles, and an FPGA's UART wrapper counts its clock cycles. */
export const boardCounter: CounterMapping = (raw, ticks) => {
  if (ticks === null || raw === 'none') return { counter: 'none', instructions: null, cycles: null };
  return { counter: raw === 'dwt' ? 'dwt-cycles' : raw === 'fpga' ? 'fpga-cycles' : 'systick-cycles', instructions: null, cycles: ticks };
};

/** Under QEMU -icount shift=0, SysTick at `systickHz` ticks every 1e9 / systickHz instructions. */
export function icountCounter(systickHz: number, label: string): CounterMapping {
  return (raw, ticks) => {
    if (ticks === null || raw === 'none') return { counter: 'none', instructions: null, cycles: null };
    if (raw === 'dwt') throw new HwSimSessionError(`${label}: DWT->CYCCNT advanced under QEMU (unexpected): cannot tell instructions from cycles`);
    return { counter: 'icount-systick', instructions: Math.round((ticks * 1e9) / systickHz), cycles: null };
  };
}

/** Runs per B command of runMany (the input and output files of a batch stay small). */
const BATCH_RUNS = 256;

/**
 * The shared part of every session: protocol calls with timeouts, and teardown on any failure
 * (a timeout, a fault, a broken stream) so that nothing is left running.
 */
export abstract class BaseSession implements HarnessSession {
  abstract readonly kind: 'qemu' | 'host' | 'serial';
  models: ModelInfo[] = [];
  stackWindowBytes: number | null = null;
  protected rawCounter: RawCounter = 'none';
  private dead: Error | null = null;
  private closing: Promise<{ exitCode: number | null }> | null = null;
  protected readonly runTimeoutMs: number;
  protected readonly handshakeTimeoutMs: number;
  /** Folder of the transfer files when runs go through files, else null. */
  private transferDir: string | null = null;
  private transferCount = 0;

  protected constructor(
    protected readonly client: HarnessClient,
    private readonly mapCounter: CounterMapping,
    timeouts: SessionTimeouts,
  ) {
    // A loaded machine starves the emulator: the defaults stretch with the load (given values are kept).
    this.runTimeoutMs = timeouts.runTimeoutMs ?? scaleForLoad(60_000);
    this.handshakeTimeoutMs = timeouts.handshakeTimeoutMs ?? scaleForLoad(10_000);
  }

  /** Release everything at once (kill the process, close the port); must not throw. */
  protected abstract teardown(): Promise<{ exitCode: number | null }>;

  /** Send runs through host files (see Transfer); falls back to the UART when the temporary folder's path has blanks. */
  protected useFileTransfer(): void {
    const dir = makeTempDir('hwsim-io');
    if (/\s/.test(dir)) {
      removeTempDir(dir);
      return;
    }
    this.transferDir = dir;
  }

  /** Runs go through host files. */
  get transfer(): Transfer {
    return this.transferDir ? 'files' : 'uart';
  }

  private removeTransferDir(): void {
    if (this.transferDir) removeTempDir(this.transferDir);
  }

  private async runRaw(k: number, info: ModelInfo, inputs: Uint8Array[], timeoutMs: number): Promise<RawRun> {
    if (!this.transferDir) return this.client.run(k, info, inputs, timeoutMs);
    const n = this.transferCount++;
    const inFile = path.join(this.transferDir, `in-${n}.bin`);
    const outFile = path.join(this.transferDir, `out-${n}.bin`);
    fs.writeFileSync(inFile, Buffer.concat(inputs));
    try {
      const r = await this.client.runWithFiles(k, info, inFile, outFile, timeoutMs);
      const data = fs.readFileSync(outFile);
      const want = info.outputBytes.reduce((a, b) => a + b, 0);
      if (data.length !== want) {
        throw new HwSimSessionError(`${this.client.label}: the output file of model '${info.name}' has ${data.length} bytes, expected ${want}`);
      }
      const outputs: Uint8Array[] = [];
      let at = 0;
      for (const bytes of info.outputBytes) {
        outputs.push(new Uint8Array(data.subarray(at, at + bytes)));
        at += bytes;
      }
      return { ...r, outputs };
    } finally {
      fs.rmSync(inFile, { force: true });
      fs.rmSync(outFile, { force: true });
    }
  }

  /** Ping, then read the model table. Tears down on failure. */
  protected async start(): Promise<void> {
    try {
      await this.client.handshake(this.handshakeTimeoutMs);
      const desc: RawDescription = await this.client.describe(this.handshakeTimeoutMs);
      this.models = desc.models;
      this.rawCounter = desc.counter;
      this.stackWindowBytes = desc.stackWindowBytes;
    } catch (e) {
      throw await this.fail(e);
    }
  }

  /** Tear down after an error and return the error to throw (with what the far end said last). */
  protected async fail(e: unknown): Promise<Error> {
    const error = e instanceof Error ? e : new Error(String(e));
    if (!this.dead) this.dead = error;
    await this.shutdown(() => this.teardown());
    return error;
  }

  private shutdown(how: () => Promise<{ exitCode: number | null }>): Promise<{ exitCode: number | null }> {
    if (!this.closing) {
      this.closing = how().finally(() => this.removeTransferDir());
    }
    return this.closing;
  }

  private modelIndex(model: number | string): number {
    const k = typeof model === 'number' ? model : this.models.findIndex((m) => m.name === model);
    if (!Number.isInteger(k) || k < 0 || k >= this.models.length) {
      throw new Error(`${this.client.label}: no model ${JSON.stringify(model)} (the firmware has ${this.models.map((m) => m.name).join(', ')})`);
    }
    return k;
  }

  /** Runs one at a time: the protocol has one command in flight. */
  private queue: Promise<unknown> = Promise.resolve();

  private enqueue<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  run(model: number | string, inputs: Uint8Array[], opts: RunOptions = {}): Promise<RunResult> {
    return this.enqueue(() => this.runNow(model, inputs, opts));
  }

  runMany(model: number | string, vectors: Uint8Array[][], opts: RunOptions = {}): Promise<RunResult[]> {
    return this.enqueue(async () => {
      const results: RunResult[] = [];
      if (!this.transferDir) {
        for (const inputs of vectors) results.push(await this.runNow(model, inputs, opts));
        return results;
      }
      for (let at = 0; at < vectors.length; at += BATCH_RUNS) results.push(...(await this.runBatchNow(model, vectors.slice(at, at + BATCH_RUNS), opts)));
      return results;
    });
  }

  /** The model's index, after checking that the session is open and that every vector fits the model's inputs. */
  private checkRun(model: number | string, vectors: Uint8Array[][]): number {
    if (this.dead) throw new HwSimSessionError(`${this.client.label}: the session has ended (${this.dead.message})`);
    if (this.closing) throw new HwSimSessionError(`${this.client.label}: the session is closed`);
    const k = this.modelIndex(model);
    const info = this.models[k];
    for (const inputs of vectors) {
      if (inputs.length !== info.inputBytes.length) {
        throw new Error(`${this.client.label}: model '${info.name}' takes ${info.inputBytes.length} inputs, got ${inputs.length}`);
      }
      inputs.forEach((input, i) => {
        if (input.byteLength !== info.inputBytes[i]) {
          throw new Error(`${this.client.label}: input ${i} of model '${info.name}' must be ${info.inputBytes[i]} bytes, got ${input.byteLength}`);
        }
      });
    }
    return k;
  }

  private result(raw: Omit<RawRun, 'outputs'>, outputs: Uint8Array[], wallMs: number): RunResult {
    return {
      outputs,
      status: raw.status,
      ...this.mapCounter(this.rawCounter, raw.ticks),
      ticks: raw.ticks,
      stackBytes: raw.stackBytes,
      stackTotalBytes: raw.stackTotalBytes,
      wallMs,
      ...(raw.trace ? { trace: raw.trace } : {}),
      ...(raw.marks ? { marks: raw.marks } : {}),
    };
  }

  /** Raw ticks in the run's unit (instructions, or cycles). */
  private countOf(ticks: number): number {
    const mapped = this.mapCounter(this.rawCounter, ticks);
    return mapped.instructions ?? mapped.cycles ?? ticks;
  }

  stepMarkCost(turns = 4096): Promise<number | null> {
    return this.enqueue(async () => {
      if (this.dead) throw new HwSimSessionError(`${this.client.label}: the session has ended (${this.dead.message})`);
      if (this.mapCounter(this.rawCounter, 0).counter === 'none') return null;
      try {
        const r = await this.client.markCost(turns, this.runTimeoutMs);
        return (this.countOf(r.twice) - this.countOf(r.once)) / turns;
      } catch (e) {
        throw await this.failed(e);
      }
    });
  }

  /** A refused command leaves the firmware in step; anything else (timeout, fault, lost stream) ends the session and its process. */
  private async failed(e: unknown): Promise<Error> {
    if (e instanceof HwSimSessionError && /the harness refused/.test(e.message) && !this.client.isEnded) return e;
    return this.fail(e);
  }

  private async runNow(model: number | string, inputs: Uint8Array[], opts: RunOptions): Promise<RunResult> {
    const k = this.checkRun(model, [inputs]);
    const started = performance.now();
    try {
      const raw = await this.runRaw(k, this.models[k], inputs, opts.timeoutMs ?? this.runTimeoutMs);
      return this.result(raw, raw.outputs, performance.now() - started);
    } catch (e) {
      throw await this.failed(e);
    }
  }

  /** One B command for `vectors` through two transfer files; each run's wall time is the batch's share. */
  private async runBatchNow(model: number | string, vectors: Uint8Array[][], opts: RunOptions): Promise<RunResult[]> {
    const k = this.checkRun(model, vectors);
    const info = this.models[k];
    const n = this.transferCount++;
    const inFile = path.join(this.transferDir!, `in-${n}.bin`);
    const outFile = path.join(this.transferDir!, `out-${n}.bin`);
    fs.writeFileSync(inFile, Buffer.concat(vectors.flat()));
    const started = performance.now();
    try {
      const raws = await this.client.runBatchWithFiles(k, info, vectors.length, inFile, outFile, opts.timeoutMs ?? this.runTimeoutMs);
      const data = fs.readFileSync(outFile);
      const per = info.outputBytes.reduce((a, b) => a + b, 0);
      if (data.length !== per * vectors.length) {
        throw new HwSimSessionError(`${this.client.label}: the output file of ${vectors.length} runs of model '${info.name}' has ${data.length} bytes, expected ${per * vectors.length}`);
      }
      const wallMs = (performance.now() - started) / vectors.length;
      let at = 0;
      return raws.map((raw) => {
        const outputs = info.outputBytes.map((bytes) => {
          const out = new Uint8Array(data.subarray(at, at + bytes));
          at += bytes;
          return out;
        });
        return this.result(raw, outputs, wallMs);
      });
    } catch (e) {
      throw await this.failed(e);
    } finally {
      fs.rmSync(inFile, { force: true });
      fs.rmSync(outFile, { force: true });
    }
  }

  async close(opts: { exitCode?: number } = {}): Promise<{ exitCode: number | null }> {
    await this.queue; // let a run in flight finish (or time out) first
    return this.shutdown(async () => {
      if (!this.dead) {
        try {
          await this.sayGoodbye(opts.exitCode ?? 0);
        } catch {
          // the process is killed below either way
        }
      }
      return this.teardown();
    });
  }

  /** Ask the firmware to exit (sessions without semihosting override this to do nothing). */
  protected async sayGoodbye(exitCode: number): Promise<void> {
    await this.client.exit(exitCode, 5_000);
  }
}

export { HwSimExitError, HwSimFaultError, HwSimSessionError, HwSimTimeoutError };
