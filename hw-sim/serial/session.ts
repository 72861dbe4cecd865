// A harness session with a real board over its serial port (e.g. /dev/ttyACM0), flashed with a
// firmware from buildFirmware. Counts are core cycles (DWT, or SysTick without a DWT). Closing
// does not ask the firmware to exit: semihosting without a debugger would fault the core.

import { HarnessClient } from '../protocol/client.js';
import { BaseSession, boardCounter, type HarnessSession, type SessionTimeouts } from '../session.js';
import { openPort, type PortStream } from './port.js';

export interface SerialSessionOptions extends SessionTimeouts {
  baudRate?: number;
}

class SerialSession extends BaseSession {
  readonly kind = 'serial' as const;
  private port: PortStream | null = null;

  constructor(
    private readonly portPath: string,
    private readonly opts: SerialSessionOptions,
  ) {
    const io = { write: (_text: string): Promise<void> => Promise.reject(new Error('not open yet')) };
    super(new HarnessClient(io, `board on ${portPath}`), boardCounter, opts);
    io.write = (text) => this.write(text);
  }

  private write(text: string): Promise<void> {
    if (!this.port) throw new Error(`${this.portPath} is not open`);
    return this.port.write(text);
  }

  async open(): Promise<void> {
    this.port = await openPort(this.portPath, {
      baudRate: this.opts.baudRate,
      onData: (chunk) => this.client.feed(chunk),
      onGone: (error) => this.client.end(error),
    });
    await this.start();
  }

  protected override async sayGoodbye(): Promise<void> {}

  protected async teardown(): Promise<{ exitCode: number | null }> {
    await this.port?.close();
    return { exitCode: null };
  }
}

/** Talk to a board already running the harness firmware. */
export async function openSerialSession(portPath: string, opts: SerialSessionOptions = {}): Promise<HarnessSession> {
  const session = new SerialSession(portPath, opts);
  await session.open();
  return session;
}
