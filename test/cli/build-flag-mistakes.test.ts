// `build` given a user mistake on its recent flags (averaging, the refit, nested levels, the worst case, workers and
// queues, the budgets' conversions, --labels): one escaped line naming the flag, exit 2, no stack trace, and no --out
// folder, each refused while the options are checked, before any training. Checked in this process (the command's
// program and error report, test/support/in-process-cli.ts), but for the few lines run as a real process below.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { commandMistakes, expectRefusedInProcess } from '../support/refused.js';

const CNN = path.resolve('examples/models/digits-cnn.onnx');
const DIGITS = path.resolve('examples/digits/digits.csv.gz');
/**
 * Run as a new process (with the --out that is a file, which runs one itself): an option's parser, commander's
 * missing value and unknown option, a conflict the action refuses, and a budget converted to nothing on the target.
 */
const IN_REAL_PROCESS = ['--ram-kb 4 --workers 257', '--ram-kb 4 --workers', '--ram-kb 4 --no-final-on-validation=yes', '--levels 1,0.5 --workers 2', '--latency-ms 1e-9'];
const { dir, freshOut, refuse, processRunsLeft } = commandMistakes('build', CNN, DIGITS, 'edgeprune-build-mistakes-', IN_REAL_PROCESS);

describe('build: wrong values of the recent flags', () => {
  it.each([
    // --average-epochs: an integer from 0
    [['--ram-kb', '4', '--average-epochs', 'abc'], /--average-epochs must be an integer from 0 to 100,000 in decimal notation, got 'abc'/],
    [['--ram-kb', '4', '--average-epochs', '-1'], /--average-epochs must be an integer from 0 .* got '-1'/],
    [['--ram-kb', '4', '--average-epochs', 'NaN'], /--average-epochs must be an integer .* got 'NaN'/],
    [['--ram-kb', '4', '--average-epochs', '1e999'], /--average-epochs must be an integer .* got '1e999'/],
    [['--ram-kb', '4', '--average-epochs='], /--average-epochs must be an integer .* got ''/],
    [['--ram-kb', '4', '--average-epochs', '2.5'], /--average-epochs must be an integer .* got '2.5'/],
    // --no-final-on-validation and --constant-time-mac take no value
    [['--ram-kb', '4', '--no-final-on-validation=yes'], /unknown option '--no-final-on-validation=yes'/],
    [['--ram-kb', '4', '--constant-time-mac=1'], /unknown option '--constant-time-mac=1'/],
    // nested levels
    [['--levels', 'abc'], /--levels abc: level 0's value 'abc' is not one of fractions .*; give fractions .* e\.g\. --levels 1\.0,0\.6,0\.35/],
    [['--levels', '0'], /--levels 0: level 0's value '0' is not one of fractions/],
    [['--levels', '1e999'], /--levels 1e999: level 0's value '1e999'/],
    [['--levels', 'NaN'], /--levels NaN: level 0's value 'NaN'/],
    [['--levels='], /--levels got no levels/],
    [['--levels', '1,1'], /--levels 1,1: level 1 \(1\) is not below level 0 \(1\); the levels must decrease strictly/],
    [['--levels', '1,,0.5'], /--levels 1,,0\.5: level 1's value ''/],
    [['--level-instructions', '-1'], /--level-instructions -1: level 0's value '-1' is not one of whole numbers of instructions greater than 0/],
    [['--level-instructions', '1000,1.5'], /--level-instructions 1000,1\.5: level 1's value '1\.5'/],
    [['--level-deadline-ms', 'abc'], /--level-deadline-ms abc: level 0's value 'abc' is not one of deadlines in milliseconds/],
    [['--level-deadline-ms', '0.00001,0.000001'], /--level-deadline-ms 0\.00001,0\.000001: level 1 is 0 worst-case instructions on stm32f405/],
    [['--levels', '1,0.5', '--level-epochs', '-1'], /--level-epochs must be an integer from 0 to 100,000 .* got '-1'/],
    [['--levels', '1,0.5', '--level-epochs', 'x'], /--level-epochs must be an integer .* got 'x'/],
    [['--levels', '1,0.5', '--level-measure', 'fast'], /--level-measure must be typical or worst-case, got 'fast'/],
    [['--levels', '1,0.5', '--target', 'lm3s6965', '--level-kernels', 'fast'], /--level-kernels must be inline, shared, got 'fast'/],
    [['--levels', '1,0.5', '--level-kernels', 'shared'], /--level-kernels applies to int8 levels, and these levels are float32 \(.*\); drop --level-kernels .* or give --precision int8/],
    // the worst case
    [['--deadline-ms', '0'], /--deadline-ms must be a number greater than 0 and at most 3,600,000 in decimal notation, got '0'/],
    [['--deadline-ms', 'NaN'], /--deadline-ms must be a number .* got 'NaN'/],
    [['--deadline-ms', '1e999'], /--deadline-ms must be a number .* got '1e999'/],
    [['--max-instructions-worst-case', '-1'], /--max-instructions-worst-case must be an integer from 1 to 9,007,199,254,740,991 in decimal notation, got '-1'/],
    [['--max-instructions-worst-case', '0.5'], /--max-instructions-worst-case must be an integer from 1 .* got '0\.5'/],
    [['--max-instructions', '1.5'], /--max-instructions must be an integer from 1 .* got '1\.5'/],
    // workers and queues
    [['--ram-kb', '4', '--workers', 'abc'], /--workers must be a whole number from 0 to 256, got 'abc'/],
    [['--ram-kb', '4', '--workers', '1e999'], /--workers must be a whole number from 0 to 256, got '1e999'/],
    [['--ram-kb', '4', '--workers='], /--workers must be a whole number from 0 to 256, got ''/],
    [['--ram-kb', '4', '--workers', '257'], /--workers must be a whole number from 0 to 256, got '257'/],
    [['--ram-kb', '4', '--queue', 'foo'], /--queue 'foo' is not a URL; give the queue as redis:\/\/host:port/],
    [['--ram-kb', '4', '--queue='], /--queue '' is not a URL/],
    [['--ram-kb', '4', '--queue', 'redis://127.0.0.1:6379/abc'], /the database after the port must be a number, got 'abc'/],
  ] as const)('%j', (flags, message) => refuse([...flags], message));
});

describe('build: a budget that converts to nothing is refused before any work', () => {
  it.each([
    [['--latency-ms', '1e-9'], /^edgeprune: error: --latency-ms 1e-9 is 0 instructions on stm32f405 \(168 MHz, 1\.2 cycles\/instruction\): no model fits a budget of nothing; give --latency-ms at least 0\.00000714 \(one instruction\)/],
    [['--deadline-ms', '1e-9'], /--deadline-ms 1e-9 is 0 worst-case instructions on stm32f405/],
    [['--ram-kb', '1e-9'], /--ram-kb 1e-9 is 0 bytes: no model fits a budget of nothing; give --ram-kb at least 0\.0009765625 \(one byte\)/],
    [['--flash-kb', '0.0001'], /--flash-kb 0\.0001 is 0 bytes/],
  ] as const)('%j', (flags, message) => refuse([...flags], message));
});

describe('build: a missing value at the end of argv', () => {
  it.each(['--average-epochs', '--levels', '--level-instructions', '--level-deadline-ms', '--level-epochs', '--level-measure', '--level-kernels', '--deadline-ms', '--max-instructions-worst-case', '--workers', '--queue'])(
    '%s',
    (flag) => refuse(['--ram-kb', '4', flag], new RegExp(`option '${flag} <[a-z]+>' argument missing; run edgeprune --help for usage`)),
  );
});

describe('build: flags that conflict, or do not apply', () => {
  it.each([
    [['--levels', '1,0.5', '--level-instructions', '100,50'], /give the levels' budgets one way: --levels and --level-instructions were both given/],
    [['--level-deadline-ms', '1,0.5', '--level-measure', 'typical'], /--level-deadline-ms budgets the worst case, and --level-measure typical was given/],
    [['--levels', '1,0.5', '--ram-kb', '4'], /--ram-kb does not apply to --levels/],
    [['--levels', '1,0.5', '--deadline-ms', '1'], /--deadline-ms does not apply to --levels/],
    [['--levels', '1,0.5', '--workers', '2'], /--workers does not apply to --levels: each level's budget is given there \(and the joint fine-tune runs in this process\)/],
    [['--levels', '1,0.5', '--constant-time-mac'], /--constant-time-mac does not apply to --levels/],
    [['--ram-kb', '4', '--level-measure', 'typical'], /--level-measure applies to nested levels only; give --levels, --level-instructions or --level-deadline-ms with it, or drop --level-measure/],
    [['--ram-kb', '4', '--level-epochs', '3'], /--level-epochs applies to nested levels only; .* or drop --level-epochs/],
    [['--ram-kb', '4', '--level-kernels', 'inline'], /--level-kernels applies to nested levels only; .* or drop --level-kernels/],
    [['--latency-ms', '1', '--max-instructions', '100'], /give either --latency-ms or --max-instructions, not both/],
    [['--deadline-ms', '1', '--max-instructions-worst-case', '100'], /give either --deadline-ms or --max-instructions-worst-case, not both/],
    [['--ram-kb', '4', '--workers', '2', '--queue', 'redis://127.0.0.1:1'], /--workers and --queue exclude each other/],
    [['--ram-kb', '4', '--target', 'lm3s6965', '--precision', 'int8', '--constant-time-mac'], /--constant-time-mac: the model is int8/],
    // an FPGA target: the MCU's worst-case budgets, nested levels, workers
    [['--target', 'ice40-up5k', '--max-luts', '2000', '--deadline-ms', '1'], /--deadline-ms is for MCU targets; ice40-up5k is an FPGA target/],
    [['--target', 'ice40-up5k', '--max-luts', '2000', '--max-instructions-worst-case', '100'], /--max-instructions-worst-case is for MCU targets/],
    [['--target', 'ice40-up5k', '--max-luts', '2000', '--constant-time-mac'], /--constant-time-mac is for MCU targets/],
    [['--target', 'ice40-up5k', '--levels', '1,0.5'], /--levels: ice40-up5k is an FPGA target, and nested levels are compiled for MCUs/],
    [['--target', 'ice40-up5k', '--max-luts', '2000', '--level-epochs', '3'], /--level-epochs: ice40-up5k is an FPGA target/],
    [['--target', 'ice40-up5k', '--max-luts', '2000', '--level-measure', 'typical'], /--level-measure: ice40-up5k is an FPGA target/],
    [['--target', 'ice40-up5k', '--max-luts', '2000', '--level-kernels', 'shared'], /--level-kernels: ice40-up5k is an FPGA target/],
    [['--target', 'ice40-up5k', '--max-luts', '2000', '--queue', 'redis://127.0.0.1:1'], /--queue: an FPGA build fine-tunes its candidates in this process/],
  ] as const)('%j', (flags, message) => refuse([...flags], message));
});

describe('build: files that are not what they should be', () => {
  it('--labels with CSV data is refused (it was ignored, then the build crashed hashing the missing file)', () =>
    refuse(['--ram-kb', '4', '--labels', path.join(dir, 'no-such-labels.npy')], /--labels '.*no-such-labels\.npy' does not apply: data '.*digits\.csv\.gz' is a CSV file, whose last column holds the labels; --labels is for \.npy features and IDX images; drop it/));
  it('a model that does not exist, or is a folder', async () => {
    for (const [model, message] of [[path.join(dir, 'none.onnx'), /cannot read model file '.*none\.onnx': it does not exist/], [dir, /model file '.*' is a directory, not a regular file/]] as const) {
      const out = freshOut();
      await expectRefusedInProcess(['build', model, '--data', DIGITS, '--out', out, '--ram-kb', '4'], message, out);
    }
  });
  it('data that does not exist, is an empty folder or a device', async () => {
    const empty = fs.mkdtempSync(path.join(dir, 'empty-'));
    await refuse(['--ram-kb', '4', '--data', path.join(dir, 'none.csv')], /data '.*none\.csv' does not exist/);
    await refuse(['--ram-kb', '4', '--data', empty], /data folder '.*' is empty/);
    await refuse(['--ram-kb', '4', '--data', '/dev/null'], /data '\/dev\/null' is not a \.csv\/\.csv\.gz file/);
  });
  it('an --out that is a file', async () => {
    const file = path.join(dir, 'a-file');
    fs.writeFileSync(file, 'x');
    const r = await runCli(['build', CNN, '--data', DIGITS, '--out', file, '--ram-kb', '4']);
    expect(r.exitCode, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/^edgeprune: error: output '.*a-file' exists and is not a directory; choose a new folder for --out$/);
    expect(fs.readFileSync(file, 'utf8')).toBe('x');
  });
});

it('the lines listed to run as a real process all ran', () => expect(processRunsLeft()).toEqual([]));
