// A serial port as the byte stream of a harness session: a real board's /dev/ttyACM0, or the pty
// QEMU connects the guest's UART to (the same code path). Opened by path (SerialPort.list() needs
// udevadm, which containers often lack).

import { UserError } from '../../src/errors.js';
import { HwSimSessionError } from '../protocol/client.js';

export interface PortStream {
  write(text: string): Promise<void>;
  close(): Promise<void>;
}

/** Open `path`; `onData` gets every chunk, `onGone` is called once if the port dies. */
export async function openPort(
  path: string,
  opts: { baudRate?: number; onData: (chunk: string) => void; onGone: (error: Error) => void },
): Promise<PortStream> {
  // Loaded on the first open, not at the top: a command that stops before opening a port does not load it.
  const { SerialPort } = await import('serialport');
  const port = new SerialPort({ path, baudRate: opts.baudRate ?? 115200, autoOpen: false });
  await new Promise<void>((resolve, reject) =>
    port.open((err) =>
      err
        ? reject(new UserError(`cannot open serial port ${path}: ${err.message.replace(/^Error: /, '')}`, 'check the port (--port): a serial device such as /dev/ttyACM0 that exists and that you may open (the dialout group)'))
        : resolve(),
    ),
  );
  let closedByUs = false;
  let gone = false;
  const lost = (why: string): void => {
    if (closedByUs || gone) return;
    gone = true;
    opts.onGone(new HwSimSessionError(`serial port ${path} ${why}`));
  };
  port.on('data', (chunk: Buffer) => opts.onData(chunk.toString('latin1')));
  port.on('error', (err: Error) => lost(`failed: ${err.message}`));
  port.on('close', () => lost('was closed (the other end went away)'));
  return {
    write: (text) =>
      new Promise<void>((resolve, reject) => {
        if (gone) {
          reject(new HwSimSessionError(`serial port ${path} is gone`));
          return;
        }
        // Resolves once the bytes are handed to the OS; no drain (tcdrain on a pty blocks a
        // libuv thread for as long as QEMU does not read, possibly forever).
        port.write(text, 'latin1', (err) => (err ? reject(new HwSimSessionError(`writing to ${path} failed: ${err.message}`)) : resolve()));
      }),
    close: () =>
      new Promise<void>((resolve) => {
        closedByUs = true;
        if (!port.isOpen) {
          resolve();
          return;
        }
        port.close(() => resolve());
      }),
  };
}
