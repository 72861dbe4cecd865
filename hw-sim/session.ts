// The one interface every harness session has (QEMU, host process, real board over a serial
// port), and the shared code that maps the firmware's raw counter to instructions or cycles.

import { HarnessClient, HwSimFaultError, HwSimSessionError, HwSimTimeoutError, type RawCounter, type RawDescription } from './protocol/client.js';

/**
 * What a run's count means:
 * - 'icount-systick': instructions executed, from SysTick ticks under QEMU's -icount shift=0
 *   (one instruction = 1 ns of virtual time); exact to one tick (1e9 / systickHz instructions).
 * - 'dwt-cycles': core cycles from DWT->CYCCNT on a real board.
 * - 'systick-cycles': core cycles from SysTick on a real board without a DWT cycle counter.
 * - 'none': not measured (host build).
 */
export type CounterKind = 'icount-systick' | 'dwt-cycles' | 'systick-cycles' | 'none';

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
  /** Core cycles the run took ('dwt-cycles', 'systick-cycles'), else null. */
  cycles: number | null;
  /** The raw counter value, null on the host. */
  ticks: number | null;
  /** Stack bytes the run used below its call site (the model's own use, exception frames included); null on the host. */
  stackBytes: number | null;
  /** The firmware's stack high-water mark (harness frames included); null on the host. */
  stackTotalBytes: number | null;
  /** Wall-clock time of the round trip, for information only. */
  wallMs: number;
}

export interface RunOptions {
  /** How long to wait for the run's answer (default: the session's runTimeoutMs). */
  timeoutMs?: number;
}

export interface HarnessSession {
  readonly kind: 'qemu' | 'host' | 'serial';
  /** Models in table order: `run(k)` runs models[k]. */
  readonly models: ModelInfo[];
  /** Bytes of stack painted and scanned (a stack figure equal to it means "at least"); null on the host. */
  readonly stackWindowBytes: number | null;
  /** Run model `model` (index or name) on `inputs` (one byte array per model input, exact sizes). */
  run(model: number | string, inputs: Uint8Array[], opts?: RunOptions): Promise<RunResult>;
  /** End the session: the firmware exits with `exitCode` (default 0) where it can; resources are released. */
  close(opts?: { exitCode?: number }): Promise<{ exitCode: number | null }>;
}

export interface SessionTimeouts {
  /** Until the firmware answers a ping (default 10 s). */
  handshakeTimeoutMs?: number;
  /** Default wait for one run's answer (default 60 s). */
  runTimeoutMs?: number;
}

/** How a session turns the firmware's raw counter into a RunResult count. */
export type CounterMapping = (raw: RawCounter, ticks: number | null) => Pick<RunResult, 'counter' | 'instructions' | 'cycles'>;

/** On a real board both SysTick (core clock) and DWT count cycles. */
export const boardCounter: CounterMapping = (raw, ticks) => {
  if (ticks === null || raw === 'none') return { counter: 'none', instructions: null, cycles: null };
  return { counter: raw === 'dwt' ? 'dwt-cycles' : 'systick-cycles', instructions: null, cycles: ticks };
};

/** Under QEMU -icount shift=0, SysTick at `systickHz` ticks every 1e9 / systickHz instructions. */
export function icountCounter(systickHz: number, label: string): CounterMapping {
  return (raw, ticks) => {
    if (ticks === null || raw === 'none') return { counter: 'none', instructions: null, cycles: null };
    if (raw === 'dwt') throw new HwSimSessionError(`${label}: DWT->CYCCNT advanced under QEMU (unexpected): cannot tell instructions from cycles`);
    return { counter: 'icount-systick', instructions: Math.round((ticks * 1e9) / systickHz), cycles: null };
  };
}

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

  protected constructor(
    protected readonly client: HarnessClient,
    private readonly mapCounter: CounterMapping,
    timeouts: SessionTimeouts,
  ) {
    this.runTimeoutMs = timeouts.runTimeoutMs ?? 60_000;
    this.handshakeTimeoutMs = timeouts.handshakeTimeoutMs ?? 10_000;
  }

  /** Release everything at once (kill the process, close the port); must not throw. */
  protected abstract teardown(): Promise<{ exitCode: number | null }>;

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
    if (!this.closing) this.closing = how();
    return this.closing;
  }

  private modelIndex(model: number | string): number {
    const k = typeof model === 'number' ? model : this.models.findIndex((m) => m.name === model);
    if (!Number.isInteger(k) || k < 0 || k >= this.models.length) {
      throw new Error(`${this.client.label}: no model ${JSON.stringify(model)} (the firmware has ${this.models.map((m) => m.name).join(', ')})`);
    }
    return k;
  }

  async run(model: number | string, inputs: Uint8Array[], opts: RunOptions = {}): Promise<RunResult> {
    if (this.dead) throw new HwSimSessionError(`${this.client.label}: the session has ended (${this.dead.message})`);
    if (this.closing) throw new HwSimSessionError(`${this.client.label}: the session is closed`);
    const k = this.modelIndex(model);
    const info = this.models[k];
    if (inputs.length !== info.inputBytes.length) {
      throw new Error(`${this.client.label}: model '${info.name}' takes ${info.inputBytes.length} inputs, got ${inputs.length}`);
    }
    inputs.forEach((input, i) => {
      if (input.byteLength !== info.inputBytes[i]) {
        throw new Error(`${this.client.label}: input ${i} of model '${info.name}' must be ${info.inputBytes[i]} bytes, got ${input.byteLength}`);
      }
    });
    const started = performance.now();
    try {
      const raw = await this.client.run(k, info, inputs, opts.timeoutMs ?? this.runTimeoutMs);
      return {
        outputs: raw.outputs,
        status: raw.status,
        ...this.mapCounter(this.rawCounter, raw.ticks),
        ticks: raw.ticks,
        stackBytes: raw.stackBytes,
        stackTotalBytes: raw.stackTotalBytes,
        wallMs: performance.now() - started,
      };
    } catch (e) {
      // A refused command leaves the firmware in step; anything else (timeout, fault, lost
      // stream) ends the session and its process.
      if (e instanceof HwSimSessionError && /the harness refused/.test(e.message) && !this.client.isEnded) throw e;
      throw await this.fail(e);
    }
  }

  async close(opts: { exitCode?: number } = {}): Promise<{ exitCode: number | null }> {
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

export { HwSimFaultError, HwSimSessionError, HwSimTimeoutError };
