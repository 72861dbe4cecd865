// Command-line mistakes: numeric flags in decimal notation within a stated range, and commander's own errors, each
// one escaped line `edgeprune: error: …` with exit 2.
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { fractionOption, numberOption, parseIntOption, parseNumber } from '../../src/cli/options.js';
import { checkInt8Flags } from '../../src/cli/build-options.js';
import { commanderErrorText } from '../../src/cli/report-error.js';
import { runCli } from '../support/cli.js';

const CNN = path.resolve('examples/models/digits-cnn.onnx');
const DIGITS = path.resolve('examples/digits/digits.csv.gz');

describe('parseNumber', () => {
  const range = { min: 0, minExclusive: true, max: 4096 };
  it.each(['12', '+3', '0.5', '.5', '5.', '1e3', '2.5E-3', '4096'])('reads %s as written', (text) => {
    expect(parseNumber('--x', text, range)).toBe(Number(text));
  });
  it.each(['0x10', '0b1', '0o7', 'Infinity', '-Infinity', 'NaN', '', ' ', ' 5', '5 ', '1_000', '1,5', '1e308', '4097', '0', '-1', 'e3', '1e', '--1'])(
    'refuses %j with the flag and the accepted range',
    (text) => {
      expect(() => parseNumber('--ram-kb', text, range)).toThrow(UserError);
      expect(() => parseNumber('--ram-kb', text, range)).toThrow(/--ram-kb must be a number greater than 0 and at most 4,096 in decimal notation/);
    },
  );
  it('integers: refuses fractions and values outside [min, max]', () => {
    const parse = parseIntOption('--epochs', 1, 100);
    expect(parse('7')).toBe(7);
    expect(parse('1e2')).toBe(100);
    for (const bad of ['0', '101', '2.5', '0x2', 'many']) expect(() => parse(bad)).toThrow(new RegExp(`^--epochs must be an integer from 1 to 100 in decimal notation, got '${bad}'$`));
  });
  it('fractions: [0, 1)', () => {
    const parse = fractionOption('--test');
    expect(parse('0')).toBe(0);
    expect(parse('0.25')).toBe(0.25);
    for (const bad of ['1', '1.5', '-0.1', 'NaN']) expect(() => parse(bad)).toThrow(/--test must be/);
  });
  it('a range open at the top says so', () => {
    expect(() => parseNumber('--lr', '0', { min: 0, minExclusive: true, max: Number.MAX_VALUE })).toThrow(/--lr must be a number greater than 0 in decimal notation, got '0'/);
    expect(parseNumber('--lr', '1e30', { min: 0, minExclusive: true, max: Number.MAX_VALUE })).toBe(1e30);
  });
  it('numberOption is the same check as a commander parser', () => {
    expect(numberOption('--lr', { min: 0, minExclusive: true, max: 10 })('0.001')).toBe(0.001);
    expect(() => numberOption('--lr', { min: 0, minExclusive: true, max: 10 })('0')).toThrow(UserError);
  });
});

// The int8 flags' checks that build and sweep share: refused on a float32 build, a calibration method by name.
describe('checkInt8Flags', () => {
  it('refuses each int8 quantization flag on a float32 build, naming it and the way out', () => {
    for (const [flag, options] of [['--qat-epochs', { qatEpochs: 2 }], ['--calibration', { calibration: 'mse' }], ['--dense-weights', { denseWeights: 'per-tensor' as const }]] as const) {
      expect(() => checkInt8Flags(options, 'float32'), flag).toThrow(UserError);
      expect(() => checkInt8Flags(options, 'float32'), flag).toThrow(new RegExp(`^${flag} sets the int8 quantization of the pruned model, and this build is float32$`));
      try {
        checkInt8Flags(options, 'float32');
      } catch (e) {
        expect((e as UserError).hint).toBe(`pass --precision int8, or drop ${flag}`);
      }
    }
    expect(checkInt8Flags({}, 'float32')).toBe('mse');
  });

  it('takes them on an int8 build, and refuses a calibration method it does not know, listing the known ones', () => {
    expect(checkInt8Flags({ qatEpochs: 2, calibration: 'minmax', denseWeights: 'per-tensor' }, 'int8')).toBe('minmax');
    expect(checkInt8Flags({}, 'int8')).toBe('mse');
    expect(() => checkInt8Flags({ calibration: 'entropy' }, 'int8')).toThrow(/^--calibration 'entropy' is not a calibration method; known: minmax, percentile, mse$/);
  });
});

describe('numeric flags on the command line', () => {
  // Each is refused while the options are parsed, before any model or data is read.
  it.each([
    [['--flash-kb', '0x10'], /--flash-kb must be a number .* got '0x10'/],
    [['--ram-kb', '1e308'], /--ram-kb must be a number greater than 0 and at most 4,194,304 .* got '1e308'/],
    [['--ram-kb', '4', '--seed', '-1'], /--seed must be an integer from 0 to 4,294,967,295/],
    [['--ram-kb', '4', '--workers', '257'], /--workers must be a whole number from 0 to 256, got '257'/],
    [['--target', 'ice40-up5k', '--max-luts', '2000', '--workers', '2'], /--workers: an FPGA build fine-tunes its candidates in this process/],
  ])('build %j exits 2', async (flags, message) => {
    const r = await runCli(['build', CNN, '--data', DIGITS, '--out', '/nonexistent/never-written', ...flags]);
    expect(r.exitCode, r.stderr).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
  it('prune, train and verify refuse hexadecimal and out-of-range counts', async () => {
    const cases: [string[], RegExp][] = [
      [['prune', CNN, '--data', DIGITS, '--out', '/nonexistent/p.onnx', '--steps', '0x8'], /--steps must be an integer/],
      [['train', DIGITS, '--arch', 'mlp', '--out', path.join(os.tmpdir(), 'edgeprune-never-written.onnx'), '--hidden', '64,0x20'], /--hidden must be an integer/],
      [['verify', CNN, '--vectors', '1e9'], /--vectors must be an integer from 1 to 100,000/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(args);
      expect(r.exitCode, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  });
});

describe("commander's own errors", () => {
  it('are one escaped line in our format, with the usage hint', () => {
    expect(commanderErrorText("error: unknown command 'a\x1b[31mred'\n(run edgeprune --help for usage)")).toBe(
      "edgeprune: error: unknown command 'a\\x1b[31mred'; run edgeprune --help for usage\n",
    );
  });
  it('unknown options, commands and missing arguments exit 2 with one line', async () => {
    for (const args of [['targets', '--bogus'], ['no-such-command\u001b[2J'], ['inspect']]) {
      const r = await runCli(args);
      expect(r.exitCode, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/^edgeprune: error: (unknown option '--bogus'|unknown command 'no-such-command\\x1b\[2J'|missing required argument 'model'); run edgeprune --help for usage$/);
      expect(r.stderr).not.toContain('\n');
    }
  });
  it('loads each command only when asked, yet the overview, `help <command>` and a misspelt name still know them all', async () => {
    const overview = await runCli(['--help']);
    expect(overview.exitCode, String(overview.stderr)).toBe(0);
    const listed = [...overview.stdout.matchAll(/^  ([a-z]+) /gm)].map((m) => m[1]);
    expect(listed).toEqual(['inspect', 'targets', 'compile', 'verify', 'flash', 'eval', 'train', 'prune', 'quantize', 'build', 'calibrate', 'sweep', 'worker', 'help']);
    const help = await runCli(['help', 'build']);
    expect(help.stdout).toMatch(/^Usage: edgeprune build /m);
    expect(help.stdout).toContain('--max-instructions');
    const misspelt = await runCli(['biuld']);
    expect(misspelt.exitCode, String(misspelt.stderr)).toBe(2);
    expect(misspelt.stderr).toContain('Did you mean build?');
    const version = await runCli(['--version']);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});

// A trace build's counts include sending every layer's outputs over the UART, so neither the typical count nor the
// per-step bound would be the deployed firmware's.
describe('verify --trace --worst-case', () => {
  it('is refused with one line and exit 2, before building anything', async () => {
    const r = await runCli(['verify', 'examples/models/digits-mlp.onnx', '--target', 'lm3s6965', '--trace', '--worst-case']);
    expect(r.exitCode, String(r.stderr)).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/--trace and --worst-case do not go together: a trace build's instruction counts include sending every layer's outputs; run verify --worst-case and verify --trace separately/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe('');
  });
});
