// External data (ONNX external_data, TF.js weight shards) is read only from regular files inside the model's folder.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import onnxProto from 'onnx-proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { runGraph } from '../../src/ir/interpreter.js';
import { Tensor } from '../../src/ir/tensor.js';
import { loadOnnx } from '../../src/onnx/load-onnx.js';
import { runCli } from '../support/cli.js';

const { onnx } = onnxProto;

let root: string;
let dir: string;
beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeprune-extdata-'));
  dir = path.join(root, 'model');
  fs.mkdirSync(dir);
  // 4 bytes of padding, then w = [1.25, 2.5, -4].
  const bytes = Buffer.alloc(16);
  bytes.writeFloatLE(1.25, 4);
  bytes.writeFloatLE(2.5, 8);
  bytes.writeFloatLE(-4, 12);
  fs.writeFileSync(path.join(dir, 'weights.bin'), bytes);
  fs.writeFileSync(path.join(root, 'outside.bin'), bytes);
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

/** y = x + w, with w [3] float stored as external data with these keys. */
function writeModel(name: string, external: Record<string, string>): string {
  const vi = (n: string) => ({ name: n, type: { tensorType: { elemType: 1, shape: { dim: [{ dimValue: 3 }] } } } });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'test',
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: 'g',
      node: [{ name: 'add', opType: 'Add', input: ['x', 'w'], output: ['y'] }],
      initializer: [{ name: 'w', dataType: 1, dims: [3], dataLocation: 1, externalData: Object.entries(external).map(([key, value]) => ({ key, value })) }],
      input: [vi('x')],
      output: [vi('y')],
    },
  });
  const file = path.join(dir, `${name}.onnx`);
  fs.writeFileSync(file, onnx.ModelProto.encode(model).finish());
  return file;
}

function loadError(file: string): string {
  try {
    loadOnnx(file);
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    return (e as Error).message;
  }
  throw new Error(`${file} loaded`);
}

describe('ONNX external data', () => {
  it('reads a file inside the folder, with offset and length, or through a symbolic link that stays inside', () => {
    fs.mkdirSync(path.join(dir, 'sub'), { recursive: true });
    fs.symlinkSync('../weights.bin', path.join(dir, 'sub', 'link.bin'));
    for (const location of ['weights.bin', './sub/../weights.bin', 'sub/link.bin']) {
      const g = loadOnnx(writeModel('good', { location, offset: '4', length: '12' }));
      const y = runGraph(g, { x: Tensor.fromNumbers('float32', [3], [0, 0, 0]) }).get('y')!;
      expect(Array.from(y.data as Float32Array)).toEqual([1.25, 2.5, -4]);
    }
  });

  it('refuses an absolute path: /etc/passwd, /proc/self/environ, /dev/zero', () => {
    for (const location of ['/etc/passwd', '/proc/self/environ', '/dev/zero']) {
      expect(loadError(writeModel('absolute', { location }))).toBe(
        `external data of initializer 'w': '${location}' is an absolute path; a model may only refer to files inside its own folder`,
      );
    }
  });

  it("refuses '..' out of the folder, even to a file that exists", () => {
    expect(loadError(writeModel('dotdot', { location: '../outside.bin', offset: '4' }))).toMatch(
      /^external data of initializer 'w': '\.\.\/outside\.bin' resolves to '.*\/outside\.bin', outside the model's folder/,
    );
  });

  it('refuses a symbolic link that leads out of the folder (to a file, to /etc/passwd, to /dev/zero)', () => {
    fs.symlinkSync(path.join(root, 'outside.bin'), path.join(dir, 'escape.bin'));
    fs.symlinkSync('/etc/passwd', path.join(dir, 'passwd.bin'));
    fs.symlinkSync('/dev/zero', path.join(dir, 'zero.bin'));
    for (const location of ['escape.bin', 'passwd.bin', 'zero.bin']) {
      expect(loadError(writeModel('symlink', { location }))).toMatch(new RegExp(`^external data of initializer 'w': '${location}' resolves to '[^']+', outside the model's folder`));
    }
  });

  it('refuses a FIFO inside the folder without waiting for a writer', async () => {
    await execa('mkfifo', [path.join(dir, 'pipe.bin')], { timeout: 10_000 });
    expect(loadError(writeModel('fifo', { location: 'pipe.bin' }))).toBe("external data of initializer 'w': 'pipe.bin' is a FIFO, not a regular file");
  });

  it('refuses a directory', () => {
    fs.mkdirSync(path.join(dir, 'folder.bin'));
    expect(loadError(writeModel('dir', { location: 'folder.bin' }))).toBe("external data of initializer 'w': 'folder.bin' is a directory, not a regular file");
  });

  it('refuses a negative, malformed or huge offset, and a length past the end or other than the tensor', () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ offset: '-4' }, /offset '-4' is not a non-negative integer/],
      [{ offset: '4.5' }, /offset '4.5' is not a non-negative integer/],
      [{ offset: '0x10' }, /offset '0x10' is not a non-negative integer/],
      [{ offset: '99999999999999999999' }, /offset '99999999999999999999' is not a non-negative integer/],
      [{ offset: '1000' }, /'weights\.bin': offset 1,000 is past its end \(16 bytes\)/],
      [{ offset: '8' }, /'weights\.bin' has 16 bytes, too few for 12 bytes at offset 8/],
      [{ offset: '8', length: '12' }, /'weights\.bin' has 16 bytes, too few for 12 bytes at offset 8/],
      [{ offset: '0', length: '16' }, /length 16 bytes in 'weights\.bin', but the tensor's shape needs 12/],
      [{ length: '-1' }, /length '-1' is not a non-negative integer/],
    ];
    for (const [keys, message] of cases) {
      expect(loadError(writeModel('offsets', { location: 'weights.bin', ...keys }))).toMatch(message);
    }
  });

  it('refuses a missing file and a missing location', () => {
    expect(loadError(writeModel('missing', { location: 'gone.bin' }))).toMatch(/^external data of initializer 'w': 'gone\.bin' is missing next to the model/);
    expect(loadError(writeModel('nolocation', { offset: '0' }))).toBe("initializer 'w' refers to external data but names no location");
  });

  it('the CLI exits 2 with one line naming the tensor and the location, and writes nothing', async () => {
    const out = path.join(root, 'out');
    const r = await runCli(['compile', writeModel('cli', { location: '/etc/passwd' }), '--out', out]);
    expect(r.exitCode, String(r.stderr)).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^edgeprune: error: external data of initializer 'w': '\/etc\/passwd' is an absolute path/);
    expect(fs.existsSync(out)).toBe(false);
  });
});

describe('model files that are not regular files', () => {
  it('a FIFO or a device as the model is refused at once (exit 2)', async () => {
    const fifo = path.join(root, 'model.onnx');
    await execa('mkfifo', [fifo], { timeout: 10_000 });
    for (const [file, kind] of [[fifo, 'a FIFO'], ['/dev/zero', 'a device']]) {
      const r = await runCli(['inspect', file]);
      expect(r.exitCode, String(r.stderr)).toBe(2);
      expect(r.stderr).toBe(`edgeprune: error: model file '${file}' is ${kind}, not a regular file`);
    }
  });
});

describe('TF.js weight shards', () => {
  let good: string;
  beforeAll(async () => {
    const { initTraining, saveTfjsLayersModel } = await import('../../src/train/index.js');
    const { residualCnn } = await import('../../src/models/sample-models.js');
    await initTraining({ seed: 1 });
    good = (await saveTfjsLayersModel(residualCnn(), path.join(root, 'tfjs', 'base'))).modelJson;
  });

  /** A copy of the good model whose manifest names `paths`; `prepare` adds files to its folder. */
  function variant(name: string, paths: string[], prepare: (folder: string) => void = () => {}): string {
    const folder = path.join(root, 'tfjs', name);
    fs.cpSync(path.dirname(good), folder, { recursive: true });
    prepare(folder);
    const file = path.join(folder, 'model.json');
    const json = JSON.parse(fs.readFileSync(file, 'utf8'));
    json.weightsManifest[0].paths = paths;
    fs.writeFileSync(file, JSON.stringify(json));
    return file;
  }

  async function tfjsError(file: string): Promise<string> {
    const { loadTfjsLayersModel } = await import('../../src/train/index.js');
    const e = await loadTfjsLayersModel(file).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(UserError);
    return (e as Error).message;
  }

  it('loads a shard reached through a symbolic link inside the folder', async () => {
    const { loadTfjsLayersModel } = await import('../../src/train/index.js');
    const file = variant('inside-link', ['shards/w.bin'], (f) => {
      fs.mkdirSync(path.join(f, 'shards'));
      fs.symlinkSync('../group1-shard1of1.bin', path.join(f, 'shards', 'w.bin'));
    });
    expect((await loadTfjsLayersModel(file)).nodes.length).toBeGreaterThan(0);
  });

  it('refuses an absolute path, a way out with .., a symbolic link out, a FIFO and a device', async () => {
    expect(await tfjsError(variant('absolute', ['/etc/passwd']))).toMatch(/weight shard '\/etc\/passwd' is an absolute path; a model may only refer to files inside its own folder/);
    expect(await tfjsError(variant('dotdot', ['../base/group1-shard1of1.bin']))).toMatch(/weight shard '\.\.\/base\/group1-shard1of1\.bin' resolves to '.*', outside the model's folder/);
    const linkOut = variant('link-out', ['w.bin'], (f) => fs.symlinkSync(path.join(path.dirname(good), 'group1-shard1of1.bin'), path.join(f, 'w.bin')));
    expect(await tfjsError(linkOut)).toMatch(/weight shard 'w\.bin' resolves to '.*base\/group1-shard1of1\.bin', outside the model's folder/);
    const zero = variant('zero', ['zero.bin'], (f) => fs.symlinkSync('/dev/zero', path.join(f, 'zero.bin')));
    expect(await tfjsError(zero)).toMatch(/weight shard 'zero\.bin' resolves to '\/dev\/zero', outside the model's folder/);
    const fifoModel = variant('fifo', ['pipe.bin']);
    await execa('mkfifo', [path.join(path.dirname(fifoModel), 'pipe.bin')], { timeout: 10_000 });
    expect(await tfjsError(fifoModel)).toMatch(/weight shard 'pipe\.bin' is a FIFO, not a regular file/);
  });

  it('refuses a model.json nesting models 20,000 deep without overflowing the stack (exit 2)', async () => {
    let topology = '{"class_name":"Dense","config":{"name":"d"}}';
    for (let i = 0; i < 20_000; i++) topology = `{"class_name":"Sequential","config":{"layers":[${topology}]}}`;
    const folder = path.join(root, 'tfjs', 'deep');
    fs.mkdirSync(folder, { recursive: true });
    const file = path.join(folder, 'model.json');
    fs.writeFileSync(file, `{"modelTopology":${topology},"weightsManifest":[]}`);
    expect(await tfjsError(file)).toBe(`TF.js model '${file}' nests models more than 32 deep`);
  });

  it('refuses a manifest whose weight shapes pass the tensor limit, before reading any shard', async () => {
    const file = variant('huge', ['/etc/passwd']);
    const json = JSON.parse(fs.readFileSync(file, 'utf8'));
    json.weightsManifest[0].weights[0].shape = [65536, 65536];
    fs.writeFileSync(file, JSON.stringify(json));
    expect(await tfjsError(file)).toMatch(/weight '.*' would have 4,294,967,296 elements \(shape 65536x65536\), more than the limit of 16,777,216 per tensor/);
  });
});
