// `sweep` given a user mistake (--targets, the budget lists, --precision, --resume, workers): one escaped line naming
// the flag, exit 2, no stack trace, and no --out folder, each refused before a job runs. Checked in this process (the
// command's program and error report, test/support/in-process-cli.ts), but for the few lines run as a real process.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { commandMistakes, expectRefusedInProcess } from '../support/refused.js';

const CNN = path.resolve('examples/models/digits-cnn.onnx');
const DIGITS = path.resolve('examples/digits/digits.csv.gz');
/**
 * Run as a new process (with the unreachable queue, which runs one itself): an unknown target, an option's parser,
 * commander's missing value and unknown option.
 */
const IN_REAL_PROCESS = ['--targets nosuch --ram-kb 4', '--targets stm32f405 --ram-kb 4 --workers 0', '--targets stm32f405 --flash-kb 64 --workers', '--targets stm32f405 --ram-kb 4 --levels 1,0.5'];
const { dir, freshOut, refuse, processRunsLeft } = commandMistakes('sweep', CNN, DIGITS, 'edgeprune-sweep-mistakes-', IN_REAL_PROCESS);

describe('sweep: wrong values', () => {
  it.each([
    [['--targets=', '--ram-kb', '4'], /--targets names no target; give --targets a,b \(edgeprune targets lists them\) or --targets all/],
    [['--targets', ',', '--ram-kb', '4'], /--targets names no target/],
    [['--targets', 'nosuch', '--ram-kb', '4'], /unknown target 'nosuch'; known targets: /],
    [['--targets', 'stm32f405,stm32f405', '--ram-kb', '4'], /--targets 'stm32f405,stm32f405' lists a target twice/],
    [['--targets', 'ice40-up5k', '--ram-kb', '4'], /ice40-up5k is an FPGA target .* sweep --targets supports MCU targets/],
    [['--targets', 'stm32f405', '--latency-ms', 'abc'], /--latency-ms must be a number greater than 0 and at most 3,600,000 in decimal notation, got 'abc'/],
    [['--targets', 'stm32f405', '--latency-ms', '1,,2'], /--latency-ms must be a number .* got ''/],
    [['--targets', 'stm32f405', '--latency-ms', '1,NaN'], /--latency-ms must be a number .* got 'NaN'/],
    [['--targets', 'stm32f405', '--latency-ms', '1,1'], /--latency-ms '1,1' lists a value twice/],
    [['--targets', 'stm32f405', '--latency-ms', '1,1e-9'], /--latency-ms 1e-9 is 0 instructions on stm32f405 .* no model fits a budget of nothing/],
    [['--targets', 'stm32f405', '--max-instructions', '1000,0.5'], /--max-instructions must be an integer from 1 .* got '0\.5'/],
    [['--targets', 'stm32f405', '--ram-kb', '-1'], /--ram-kb must be a number greater than 0 .* got '-1'/],
    [['--targets', 'stm32f405', '--ram-kb', '1e999'], /--ram-kb must be a number .* got '1e999'/],
    [['--targets', 'stm32f405', '--ram-kb', '1e-9'], /--ram-kb 1e-9 is 0 bytes/],
    [['--targets', 'stm32f405', '--ram-kb', '4', '--precision', 'int9'], /--precision must be float32 or int8, got 'int9'/],
    [['--targets', 'stm32f405', '--ram-kb', '4', '--precision='], /--precision must be float32 or int8, got ''/],
    [['--targets', 'stm32f405', '--ram-kb', '4', '--precision', 'int8,int8'], /--precision 'int8,int8' lists a precision twice/],
    [['--targets', 'stm32f405', '--ram-kb', '4', '--average-epochs', 'x'], /--average-epochs must be an integer .* got 'x'/],
    [['--targets', 'stm32f405', '--ram-kb', '4', '--workers', '0'], /--workers must be a whole number from 1 to 256, got '0'/],
    [['--targets', 'stm32f405', '--ram-kb', '4', '--queue', 'redis://x:99999'], /--queue 'redis:\/\/x:99999' is not a URL/],
  ] as const)('%j', (flags, message) => refuse([...flags], message));
});

describe('sweep: missing values, conflicts and flags it does not take', () => {
  it.each(['--targets', '--latency-ms', '--ram-kb', '--precision', '--workers'])('%s at the end of argv', (flag) =>
    refuse(['--targets', 'stm32f405', '--flash-kb', '64', flag], new RegExp(`option '${flag} <[a-z]+>' argument missing`)));
  it.each([
    [['--targets', 'all'], /no budget given; give --latency-ms or --max-instructions, and\/or --ram-kb, --flash-kb \(comma-separated lists\)/],
    [['--targets', 'stm32f405', '--latency-ms', '1', '--max-instructions', '100'], /give either --latency-ms or --max-instructions, not both/],
    [['--targets', 'stm32f405', '--ram-kb', '4', '--resume', '--force'], /--resume and --force exclude each other/],
    [['--targets', 'stm32f405', '--ram-kb', '4', '--workers', '2', '--queue', 'redis://127.0.0.1:1'], /--workers and --queue exclude each other/],
    [['--targets', 'stm32f405', '--ram-kb', '4', '--levels', '1,0.5'], /unknown option '--levels'/],
    [['--targets', 'stm32f405', '--ram-kb', '4', '--precision', 'float32', '--qat-epochs', '2'], /--qat-epochs sets the int8 quantization of the pruned model, and this build is float32/],
    [['--targets', 'stm32f405', '--ram-kb', '4', '--labels', path.join(dir, 'y.npy')], /--labels '.*y\.npy' does not apply: data '.*digits\.csv\.gz' is a CSV file/],
  ] as const)('%j', (flags, message) => refuse([...flags], message));
  it('--resume in a folder edgeprune did not write', async () => {
    const foreign = fs.mkdtempSync(path.join(dir, 'foreign-'));
    fs.writeFileSync(path.join(foreign, 'mine.txt'), 'x');
    await expectRefusedInProcess(['sweep', CNN, '--data', DIGITS, '--out', foreign, '--targets', 'stm32f405', '--ram-kb', '4', '--resume'], /--resume: '.*foreign-.*' was not written by edgeprune \(it has no \.edgeprune-output file\)/);
    fs.rmSync(path.join(foreign, 'mine.txt'));
  });
});

describe('sweep: a failure after the output folder was made', () => {
  it('a queue that cannot be reached leaves no --out folder behind (it left one holding only the marker)', async () => {
    const out = freshOut();
    const r = await runCli(['sweep', CNN, '--data', DIGITS, '--out', out, '--targets', 'stm32f405', '--ram-kb', '4', '--queue', 'redis://127.0.0.1:1']);
    expect(r.exitCode, r.stderr).toBe(2);
    expect(r.stderr.trimEnd().split('\n').at(-1)).toMatch(/^edgeprune: error: cannot reach the Redis queue at redis:\/\/127\.0\.0\.1:1 .*; start redis-server there, or check the host and port of --queue$/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(fs.existsSync(out)).toBe(false);
  });
});

it('the lines listed to run as a real process all ran', () => expect(processRunsLeft()).toEqual([]));
