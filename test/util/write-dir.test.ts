// The atomic output-folder writer: the marker that lets --force replace a folder, the folders it
// never replaces, the umask's mode, unwritable outputs as UserErrors, and the staging folders a
// killed run leaves behind, removed by the next run.
import { execa } from 'execa';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { checkModelOut } from '../../src/export/write-model.js';
import { ownerTag } from '../../src/util/temp-dir.js';
import { checkOutputDir, OUTPUT_MARKER, sweepStaleStaging, writeDirAtomically } from '../../src/util/write-dir.js';

const dirs: string[] = [];
function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'ep-write-dir-'));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

const FILES = new Map<string, string>([
  ['a.txt', 'A'],
  ['sub/b.txt', 'B'],
]);

/** A pid that has ended: the pid of a process that ran and exited. */
async function deadPid(): Promise<number> {
  const p = execa('true');
  await p;
  return p.pid!;
}

describe('writeDirAtomically', () => {
  it('writes the files and a marker naming the command', () => {
    const out = path.join(tmp(), 'out');
    writeDirAtomically(out, FILES, { command: 'edgeprune compile m.onnx --out out' });
    expect(fs.readdirSync(out).sort()).toEqual([OUTPUT_MARKER, 'a.txt', 'sub']);
    expect(fs.readFileSync(path.join(out, 'sub/b.txt'), 'utf8')).toBe('B');
    expect(fs.readFileSync(path.join(out, OUTPUT_MARKER), 'utf8')).toMatch(/^edgeprune compile m\.onnx --out out\n# written by edgeprune \S+; `--force` replaces this folder only while this file is in it\n$/);
  });

  it.each([0o022, 0o027, 0o002])('creates folders with the umask\'s mode (umask %o), not mkdtemp\'s 0700', (mask) => {
    const out = path.join(tmp(), 'out');
    const old = process.umask(mask);
    try {
      writeDirAtomically(out, FILES);
    } finally {
      process.umask(old);
    }
    expect(fs.statSync(out).mode & 0o777).toBe(0o777 & ~mask);
    expect(fs.statSync(path.join(out, 'sub')).mode & 0o777).toBe(0o777 & ~mask);
    expect(fs.statSync(path.join(out, 'a.txt')).mode & 0o777).toBe(0o666 & ~mask);
  });

  it('replaces with --force only a folder that has the marker', () => {
    const out = path.join(tmp(), 'out');
    writeDirAtomically(out, FILES);
    fs.writeFileSync(path.join(out, 'stale.txt'), 'old');
    writeDirAtomically(out, new Map([['c.txt', 'C']]), { force: true });
    expect(fs.readdirSync(out).sort()).toEqual([OUTPUT_MARKER, 'c.txt']);

    const foreign = path.join(tmp(), 'home-like');
    fs.mkdirSync(path.join(foreign, '.ssh'), { recursive: true });
    fs.writeFileSync(path.join(foreign, '.ssh', 'id_rsa'), 'secret');
    expect(() => writeDirAtomically(foreign, FILES, { force: true })).toThrow(UserError);
    expect(() => writeDirAtomically(foreign, FILES, { force: true })).toThrow(/--force replaces only folders edgeprune wrote, and '.*home-like' has no \.edgeprune-output file/);
    expect(fs.readFileSync(path.join(foreign, '.ssh', 'id_rsa'), 'utf8')).toBe('secret');
  });

  it('never replaces a repository, a folder holding an input, the current folder or its parents, home or /', () => {
    const dir = tmp();
    const repo = path.join(dir, 'repo');
    fs.mkdirSync(path.join(repo, '.git'), { recursive: true });
    fs.writeFileSync(path.join(repo, OUTPUT_MARKER), 'even with a marker');
    expect(() => checkOutputDir(repo, { force: true })).toThrow(/--out '.*repo' is a repository \(it has \.git\): edgeprune replaces the whole --out folder/);

    const models = path.join(dir, 'models');
    fs.mkdirSync(path.join(models, 'nested'), { recursive: true });
    fs.writeFileSync(path.join(models, 'nested', 'm.onnx'), 'model');
    fs.writeFileSync(path.join(models, OUTPUT_MARKER), 'marker');
    expect(() => checkOutputDir(models, { force: true, inputs: [path.join(models, 'nested', 'm.onnx')] })).toThrow(/holds the input '.*m\.onnx'/);
    // through a symbolic link to the input's folder too
    fs.symlinkSync(models, path.join(dir, 'link'));
    expect(() => checkOutputDir(path.join(dir, 'link'), { force: true, inputs: [path.join(models, 'nested', 'm.onnx')] })).toThrow(/holds the input/);

    expect(() => checkOutputDir('/', { force: true })).toThrow(/is the root of the file system/);
    expect(() => checkOutputDir(os.homedir(), { force: true })).toThrow(/is your home folder|holds the current folder/);
    expect(() => checkOutputDir('.', { force: true })).toThrow(/--out '\.' is the current folder/);
    expect(() => checkOutputDir('..', { force: true })).toThrow(/--out '\.\.' holds the current folder/);
  });

  it('refuses an output whose parent is a file, before any work', () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'file'), 'x');
    expect(() => checkOutputDir(path.join(dir, 'file', 'out'))).toThrow(/cannot write '.*file\/out': '.*file' is a file, not a folder/);
    expect(() => checkOutputDir(path.join(dir, 'file', 'deeper', 'out'))).toThrow(UserError);
  });

  it('turns a failed write into a UserError and leaves nothing behind', () => {
    const dir = tmp();
    const out = path.join(dir, 'out');
    // 'x' is a file and a folder at once: the write fails half-way (ENOTDIR / EEXIST).
    expect(() => writeDirAtomically(out, new Map([['x', 'file'], ['x/y', 'nested']]))).toThrow(UserError);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('removes staging folders left by a writer that has ended, and keeps those of a live one', async () => {
    const dir = tmp();
    const out = path.join(dir, 'lib');
    const dead = await deadPid();
    const stale = path.join(dir, `.lib.tmp-${dead}-12345-0a1b2c3d`);
    fs.mkdirSync(stale);
    fs.writeFileSync(path.join(stale, 'model.c'), 'half-written');
    const staleOld = path.join(dir, `.lib.tmp-${dead}-12345-0a1b2c3d.old`);
    fs.mkdirSync(staleOld);
    const live = path.join(dir, `.lib.tmp-${ownerTag()}-deadbeef`);
    fs.mkdirSync(live);
    const other = path.join(dir, `.other.tmp-${dead}-12345-0a1b2c3d`);
    fs.mkdirSync(other);
    writeDirAtomically(out, FILES);
    expect(fs.readdirSync(dir).sort()).toEqual([path.basename(other), path.basename(live), 'lib'].sort());
    expect(sweepStaleStaging(path.join(dir, 'other'))).toEqual([other]);
  });
});

describe('checkModelOut', () => {
  it('applies the output-folder rules to a TF.js folder and sweeps stale ONNX temporaries', async () => {
    const dir = tmp();
    const tfjs = path.join(dir, 'model-tfjs');
    fs.mkdirSync(tfjs);
    fs.writeFileSync(path.join(tfjs, 'notes.txt'), 'mine');
    expect(() => checkModelOut(tfjs, true)).toThrow(/has no \.edgeprune-output file/);
    fs.writeFileSync(path.join(tfjs, 'model.json'), '{}');
    expect(() => checkModelOut(path.join(dir, 'out-tfjs'), true, [path.join(tfjs, 'model.json')])).not.toThrow();
    fs.writeFileSync(path.join(tfjs, OUTPUT_MARKER), 'marker');
    expect(() => checkModelOut(tfjs, true, [path.join(tfjs, 'model.json')])).toThrow(/holds the input/);

    const onnx = path.join(dir, 'm.onnx');
    const dead = await deadPid();
    fs.writeFileSync(`${onnx}.tmp-${dead}`, 'half');
    fs.writeFileSync(`${onnx}.tmp-${process.pid}`, 'being written');
    checkModelOut(onnx);
    expect(fs.existsSync(`${onnx}.tmp-${dead}`)).toBe(false);
    expect(fs.existsSync(`${onnx}.tmp-${process.pid}`)).toBe(true);
    expect(() => checkModelOut(path.join(dir, 'm.onnx', 'x.onnx'))).toThrow(/does not exist/);
    fs.mkdirSync(path.join(dir, 'd.onnx'));
    expect(() => checkModelOut(path.join(dir, 'd.onnx'), true)).toThrow(/is a folder/);
  });
});
