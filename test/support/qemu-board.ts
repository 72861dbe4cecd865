// QEMU started by hand as a board would be, with the firmware "in flash": the tests that talk to it know only its serial port.
import { execa, type ResultPromise } from 'execa';
import { qemuArgs } from '../../hw-sim/index.js';
import type { McuTarget } from '../../src/targets/schema.js';

/** Start QEMU on `elf` and wait for the pty its first UART is on; the caller kills `qemu` when done. */
export async function startQemuBoard(target: McuTarget, elf: string, timeoutMs: number): Promise<{ qemu: ResultPromise; pty: string }> {
  const qemu = execa('qemu-system-arm', qemuArgs(target, elf), { timeout: timeoutMs, reject: false, buffer: false, stdin: 'ignore' });
  const pty = await new Promise<string>((resolve, reject) => {
    let text = '';
    qemu.stdout!.on('data', (c: Buffer) => {
      text += c.toString();
      const m = /char device redirected to (\/dev\/\S+)/.exec(text);
      if (m) resolve(m[1]);
    });
    void qemu.then(() => reject(new Error('QEMU ended early')));
  });
  return { qemu, pty };
}
