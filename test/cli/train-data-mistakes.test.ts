// `train` (--arch, --limit, --epochs, --hidden, --out) and --data files that are broken (IDX truncated, wrong magic,
// labels and images counts apart, a .gz that is not gzip, missing, a folder): one escaped line naming the flag or the
// file, exit 2, no stack trace, nothing written at --out. Checked in this process (the command's program and error
// report, test/support/in-process-cli.ts), but for the few lines run as a real process.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idxBytes, writeIdx } from '../support/idx.js';
import { refusals } from '../support/refused.js';

const DIGITS = path.resolve('examples/digits/digits.csv.gz');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeprune-train-mistakes-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/**
 * Run as a new process, keyed by the data (its path in the temporary folder, or its name) and the flags: an unknown
 * --arch, an option's parser, commander's missing value, and a data file the action finds broken.
 */
const IN_REAL_PROCESS = ['digits.csv.gz --arch nosuch', 'digits.csv.gz --arch mlp --limit 0', 'digits.csv.gz --arch mlp --epochs', 'truncated-gzip/train-images-idx3-ubyte.gz --arch mlp'];
const { refused, processRunsLeft } = refusals(IN_REAL_PROCESS);
const dataKey = (data: string) => (data.startsWith(`${dir}${path.sep}`) ? path.relative(dir, data) : path.basename(data));
let n = 0;
const freshOut = () => path.join(dir, `model-${n++}.onnx`);
/** train on `data` with `flags` and a fresh --out, which must not exist afterwards. */
const refuse = (data: string, flags: string[], message: RegExp) => {
  const out = freshOut();
  return refused([dataKey(data), ...flags].join(' '), ['train', data, '--out', out, ...flags], message, out);
};

describe('train: wrong values', () => {
  it.each([
    [['--arch', 'nosuch'], /unknown --arch 'nosuch'; known: mlp, cnn, mnist-cnn, ds-cnn/],
    [['--arch='], /unknown --arch ''; known: mlp, cnn, mnist-cnn, ds-cnn/],
    [['--arch', 'mlp', '--limit', '0'], /--limit must be an integer from 1 to 2,147,483,647 in decimal notation, got '0'/],
    [['--arch', 'mlp', '--limit', '-1'], /--limit must be an integer .* got '-1'/],
    [['--arch', 'mlp', '--limit', 'abc'], /--limit must be an integer .* got 'abc'/],
    [['--arch', 'mlp', '--limit', '1e999'], /--limit must be an integer .* got '1e999'/],
    [['--arch', 'mlp', '--limit', '2.5'], /--limit must be an integer .* got '2\.5'/],
    // a limit too small for the split: the counts and what to do
    [['--arch', 'mlp', '--limit', '3'], /has 3 samples .* too few for a validation part: .* a class needs at least 4 samples; give more data/],
    [['--arch', 'mlp', '--epochs', '0'], /--epochs must be an integer from 1 to 100,000 .* got '0'/],
    [['--arch', 'mlp', '--hidden', '64,0'], /--hidden must be an integer from 1 to 65,536 .* got '0'/],
    [['--arch', 'mnist-cnn', '--hidden', '32'], /--hidden: --arch mnist-cnn has a fixed layout; drop --hidden, or use --arch mlp or cnn/],
    [['--arch', 'mlp', '--labels', path.join(dir, 'y.npy')], /--labels '.*y\.npy' does not apply: data '.*digits\.csv\.gz' is a CSV file/],
  ] as const)('%j', (flags, message) => refuse(DIGITS, [...flags], message));
  it.each(['--arch', '--limit', '--epochs', '--hidden', '--labels'])('%s at the end of argv', (flag) =>
    refuse(DIGITS, ['--arch', 'mlp', flag], new RegExp(`option '${flag} <[a-z]+>' argument missing`)));
  it('an --out folder that holds something', async () => {
    const full = fs.mkdtempSync(path.join(dir, 'full-'));
    fs.writeFileSync(path.join(full, 'keep.txt'), 'x');
    await refused('an --out folder that holds something', ['train', DIGITS, '--arch', 'mlp', '--out', full], /output directory '.*full-.*' exists and is not empty; pass --force to replace it, or choose another --out/);
  });
});

describe('--data files that are broken', () => {
  // 12 images of 8x8 in 4 classes, and their labels.
  const images = idxBytes([12, 8, 8], Array.from({ length: 12 * 64 }, (_, i) => i % 251));
  const labels = idxBytes([12], Array.from({ length: 12 }, (_, i) => i % 4));
  /** A folder holding train-images and train-labels as given (`.gz` names are gzipped unless `raw`). */
  const set = (name: string, imageBytes: Buffer, labelBytes: Buffer | null, gz = false, raw = false): string => {
    const d = path.join(dir, name);
    fs.mkdirSync(d);
    const suffix = gz ? '.gz' : '';
    const file = path.join(d, `train-images-idx3-ubyte${suffix}`);
    fs.writeFileSync(file, gz && !raw ? zlib.gzipSync(imageBytes) : imageBytes);
    if (labelBytes) writeIdx(d, `train-labels-idx1-ubyte${suffix}`, labelBytes);
    return file;
  };
  let files: Record<string, string>;
  beforeAll(() => {
    const wrongMagic = Buffer.from(images);
    wrongMagic[0] = 0x1f;
    const gz = zlib.gzipSync(images);
    files = {
      truncated: set('truncated', images.subarray(0, 500), labels),
      header: set('header', images.subarray(0, 10), labels),
      magic: set('magic', wrongMagic, labels),
      type: set('type', Buffer.concat([Buffer.from([0, 0, 0x0a, 3]), images.subarray(4)]), labels),
      count: set('count', images, idxBytes([11], Array.from({ length: 11 }, () => 1))),
      noLabels: set('no-labels', images, null),
      notGzip: set('not-gzip', Buffer.from('plain text, not gzip and not IDX'), labels, true, true),
      truncatedGzip: set('truncated-gzip', images, labels, true),
    };
    fs.writeFileSync(files.truncatedGzip, gz.subarray(0, gz.length - 12));
  });
  it.each([
    ['truncated', /'.*train-images-idx3-ubyte' is truncated: its header describes 12 × 8 × 8 unsigned byte values \(768 bytes\), the file holds 484; download it again/],
    ['header', /'.*train-images-idx3-ubyte' is truncated inside its IDX header \(3 dimensions need 16 bytes, the file has 10\)/],
    ['magic', /'.*train-images-idx3-ubyte' is not an IDX file: its magic number is 0x1f000803, which does not start with two zero bytes; IDX files start with 0x00 0x00/],
    ['type', /has IDX type byte 0x0a, which the format does not define/],
    ['count', /'.*train-labels-idx1-ubyte' holds 11 labels, but '.*train-images-idx3-ubyte' holds 12 samples; give the labels file of these images/],
    ['noLabels', /no labels for '.*train-images-idx3-ubyte': '.*train-labels-idx1-ubyte' does not exist; give the labels file with --labels/],
    ['notGzip', /'.*train-images-idx3-ubyte\.gz' is not an IDX file: its magic number is 0x706c6169/],
    ['truncatedGzip', /'.*train-images-idx3-ubyte\.gz' is a corrupt or truncated gzip file \(unexpected end of file\); download it again, or give the uncompressed file/],
  ] as const)('%s', (which, message) => refuse(files[which], ['--arch', 'mlp'], message));
  it('the folder of a broken set names the broken file too', () => refuse(path.dirname(files.count), ['--arch', 'mlp'], /holds 11 labels, but .* holds 12 samples/));
  it('--labels that does not exist, or is a folder', async () => {
    const ok = set('ok', images, labels);
    await refuse(ok, ['--arch', 'mlp', '--labels', path.join(dir, 'none')], /no labels for '.*ok\/train-images-idx3-ubyte': '.*none' does not exist/);
    await refuse(ok, ['--arch', 'mlp', '--labels', dir], /IDX labels file '.*' is a folder, not a file/);
  });
  it('data that does not exist, or is a device', async () => {
    await refuse(path.join(dir, 'none.csv'), ['--arch', 'mlp'], /data '.*none\.csv' does not exist/);
    await refuse('/dev/zero', ['--arch', 'mlp'], /data '\/dev\/zero' is not a \.csv\/\.csv\.gz file/);
  });
});

it('the lines listed to run as a real process all ran', () => expect(processRunsLeft()).toEqual([]));
