// `worker` and `calibrate` given a user mistake (the queue, --concurrency, --lock-ms, --kinds; --target, --optimize,
// --only, --out, workers): one escaped line naming the flag or file, exit 2, no stack trace, before any job or firmware.
// Checked in this process (the command's program and error report, test/support/in-process-cli.ts), but for the few
// lines run as a real process.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { refusals } from '../support/refused.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeprune-worker-mistakes-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
/** Nothing listens on port 1: a worker that got past its checks would fail to connect instead (not exit 2 with these). */
const QUEUE = ['--queue', 'redis://127.0.0.1:1'];
/** Run as a new process, keyed by the command line: per command, a check the action makes, an option's parser, commander's missing value or option. */
const IN_REAL_PROCESS = ['worker', 'worker --queue redis://127.0.0.1:1 --concurrency 0', 'worker --queue redis://127.0.0.1:1 --kinds', 'calibrate', 'calibrate --target nosuch', 'calibrate --target stm32f405 --workers 0'];
const { refused, processRunsLeft } = refusals(IN_REAL_PROCESS);
/** `edgeprune <args>` refused, in this process unless its command line is listed above. */
const expectRefused = (args: string[], message: RegExp) => refused(args.join(' '), args, message);

describe('worker', () => {
  it.each([
    [[], /give either --queue redis:\/\/host:port or --local/],
    [['--local', ...QUEUE], /give either --queue redis:\/\/host:port or --local/],
    [['--queue', 'foo'], /--queue 'foo' is not a URL/],
    [[...QUEUE, '--concurrency', '0'], /--concurrency must be a whole number from 1 to 256, got '0'/],
    [[...QUEUE, '--concurrency', 'abc'], /--concurrency must be a whole number from 1 to 256, got 'abc'/],
    [[...QUEUE, '--lock-ms', '999'], /--lock-ms must be an integer from 1,000 to 2,147,483,647 in decimal notation, got '999'/],
    [[...QUEUE, '--lock-ms', 'NaN'], /--lock-ms must be an integer .* got 'NaN'/],
    // Past Node's longest timer: the lock would have been renewed in a loop (a TimeoutOverflowWarning, then 1 ms).
    [[...QUEUE, '--lock-ms', '99999999999999999999'], /--lock-ms must be an integer from 1,000 to 2,147,483,647 .* got '99999999999999999999'/],
    [[...QUEUE, '--kinds', path.join(dir, 'none.mjs')], /--kinds: no such module: .*none\.mjs/],
    [[...QUEUE, '--concurrency'], /option '--concurrency <n>' argument missing/],
    [[...QUEUE, '--kinds'], /option '--kinds <module\.\.\.>' argument missing/],
  ] as const)('%j', (flags, message) => expectRefused(['worker', ...flags], message));

  it('--kinds given a folder, or a module that does not load, is the user\'s to fix (it was an internal error)', async () => {
    await expectRefused(['worker', ...QUEUE, '--kinds', dir], /--kinds: .* is not a file; give the JavaScript module \(a \.js or \.mjs file\) that exports jobKinds/);
    const broken = path.join(dir, 'broken.mjs');
    fs.writeFileSync(broken, 'export const jobKinds = [\n');
    await expectRefused(['worker', ...QUEUE, '--kinds', broken], /--kinds: cannot load .*broken\.mjs: .*; give a JavaScript module \(ESM\) that exports jobKinds/);
  });
});

describe('calibrate', () => {
  const out = path.join(dir, 'cal.json');
  it.each([
    [[], /required option '--target <name>' not specified/],
    [['--target'], /option '--target <name>' argument missing/],
    [['--target', 'nosuch'], /unknown target 'nosuch'; known targets: /],
    [['--target', 'stm32f405', '--optimize', 'O9'], /--optimize must be O2, O3 or Os, got 'O9'/],
    [['--target', 'stm32f405', '--update'], /--update refits the kernels of the --only cases: give --only <prefixes>/],
    [['--target', 'stm32f405', '--only', 'dense.'], /--only makes a partial calibration: give --out <file>/],
    [['--target', 'stm32f405', '--only', 'dense.', '--out', dir], /cannot write '.*': it is a folder; give a file name/],
    // Prefixes that select no case: refused before any firmware is built (it built the library's cases first).
    [['--target', 'stm32f405', '--only', 'nosuch.', '--out', out], /--only nosuch\. selects no case of the calibration suite; give prefixes of its case names, e\.g\. conv\., /],
    [['--target', 'stm32f405', '--only', ',', '--out', out], /--only '' selects no case of the calibration suite/],
    [['--target', 'stm32f405', '--workers', '0'], /--workers must be a whole number from 1 to 256, got '0'/],
    [['--target', 'stm32f405', '--workers', '2', ...QUEUE], /--workers and --queue exclude each other/],
    [['--target', 'ice40-up5k', '--workers', '2'], /--workers and --queue are for MCU targets; ice40-up5k is an FPGA target/],
    [['--target', 'ice40-up5k', '--only', 'dense.'], /--only and --update are for MCU targets/],
  ] as const)('%j', async (flags, message) => {
    await expectRefused(['calibrate', ...flags], message);
    expect(fs.existsSync(out)).toBe(false);
  });
});

it('the lines listed to run as a real process all ran', () => expect(processRunsLeft()).toEqual([]));
