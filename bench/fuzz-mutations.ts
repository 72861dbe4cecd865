// Seeded mutations of ONNX models for the fuzz test and the fuzz bench: byte-level (bits, bytes, cuts, splices)
// and structure-aware (dims, data types, wiring, attributes, external data, opsets), each named for reports.

import fs from 'node:fs';
import path from 'node:path';
import onnxProto from 'onnx-proto';
import { supportedOpNames } from '../src/ops/registry.js';
import { repoPath } from '../src/util/package-root.js';
import { Random } from '../src/util/random.js';

const { onnx } = onnxProto;
type ModelProto = onnxProto.onnx.ModelProto;
type Attr = onnxProto.onnx.IAttributeProto;

export interface Mutant {
  /** What was done, e.g. "digits-cnn.onnx: flip 3 bits; truncate at 812". */
  name: string;
  bytes: Uint8Array;
}

export interface Seed {
  name: string;
  bytes: Uint8Array;
}

/** The bundled example models and every `count`-th ONNX node-test model (all of them with count 1). */
export function seedModels(every = 1): Seed[] {
  const seeds: Seed[] = [];
  const examples = repoPath('examples/models');
  for (const f of fs.readdirSync(examples).filter((x) => x.endsWith('.onnx')).sort()) {
    seeds.push({ name: f, bytes: fs.readFileSync(path.join(examples, f)) });
  }
  const nodeTests = repoPath('test/fixtures/onnx-node-tests');
  fs.readdirSync(nodeTests).filter((d) => d.startsWith('test_')).sort().forEach((d, i) => {
    const file = path.join(nodeTests, d, 'model.onnx');
    if (i % every === 0 && fs.existsSync(file)) seeds.push({ name: d, bytes: fs.readFileSync(file) });
  });
  return seeds;
}

const pick = <T>(rng: Random, items: readonly T[]): T => items[rng.int(items.length)];

/** Numbers that break careless size arithmetic. */
const HOSTILE_INTS = [0, -1, -2, 1, 2, 3, 255, 65535, 65536, 2 ** 24 + 1, 2 ** 31 - 1, 2 ** 31, 2 ** 32, 2 ** 40, 2 ** 53, -(2 ** 31), -(2 ** 53)];

/** External data locations: outside the folder, devices, FIFOs and the files fuzz folders provide (see prepareFuzzFolder). */
export const HOSTILE_LOCATIONS = ['/etc/passwd', '/proc/self/environ', '/dev/zero', '/dev/urandom', '../outside.bin', 'sub/../../outside.bin', 'passwd.bin', 'zero.bin', 'pipe.bin', 'weights.bin', 'missing.bin', '', 'folder', 'weights.bin\u0000x'];

// ---------------------------------------------------------------- byte level

export function byteMutant(rng: Random, seed: Seed, others: readonly Seed[]): Mutant {
  const b = Buffer.from(seed.bytes);
  const steps: string[] = [];
  const count = 1 + rng.int(3);
  let bytes: Buffer = b;
  for (let k = 0; k < count; k++) {
    const n = bytes.length;
    if (n === 0) break;
    const at = rng.int(n);
    switch (rng.int(9)) {
      case 0: {
        const flips = 1 + rng.int(8);
        for (let i = 0; i < flips; i++) {
          const p = rng.int(n);
          bytes[p] ^= 1 << rng.int(8);
        }
        steps.push(`flip ${flips} bits`);
        break;
      }
      case 1: {
        const len = 1 + rng.int(16);
        for (let i = 0; i < len && at + i < n; i++) bytes[at + i] = rng.int(256);
        steps.push(`overwrite ${len} bytes at ${at}`);
        break;
      }
      case 2: {
        const v = pick(rng, [0x00, 0xff, 0x7f, 0x80]);
        const len = 1 + rng.int(10);
        bytes.fill(v, at, Math.min(n, at + len));
        steps.push(`fill ${len} bytes at ${at} with ${v}`);
        break;
      }
      case 3:
        bytes = bytes.subarray(0, at);
        steps.push(`truncate at ${at}`);
        break;
      case 4: {
        const extra = Buffer.alloc(1 + rng.int(32));
        for (let i = 0; i < extra.length; i++) extra[i] = rng.int(256);
        bytes = Buffer.concat([bytes.subarray(0, at), extra, bytes.subarray(at)]);
        steps.push(`insert ${extra.length} bytes at ${at}`);
        break;
      }
      case 5: {
        const len = 1 + rng.int(Math.min(4096, n - at));
        bytes = Buffer.concat([bytes.subarray(0, at + len), bytes.subarray(at, at + len), bytes.subarray(at + len)]);
        steps.push(`duplicate ${len} bytes at ${at}`);
        break;
      }
      case 6: {
        const len = 1 + rng.int(Math.min(256, n - at));
        bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + len)]);
        steps.push(`delete ${len} bytes at ${at}`);
        break;
      }
      case 7: {
        const other = pick(rng, others);
        const from = rng.int(other.bytes.length);
        bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from(other.bytes.subarray(from))]);
        steps.push(`splice ${other.name} from ${from} at ${at}`);
        break;
      }
      default: {
        // Grow varints: a byte below 0x80 ends a varint; 0xff continues it into the next field.
        let grown = 0;
        for (let i = at; i < n && grown < 4; i++) {
          if (bytes[i] < 0x80) {
            bytes[i] = 0xff;
            grown++;
          }
        }
        steps.push(`grow varints at ${at}`);
      }
    }
  }
  return { name: `${seed.name}: ${steps.join('; ')}`, bytes: Uint8Array.from(bytes) };
}

// ---------------------------------------------------------------- structure aware

function valueNames(m: ModelProto): string[] {
  const g = m.graph!;
  const names = new Set<string>();
  for (const v of g.input ?? []) names.add(v.name ?? '');
  for (const t of g.initializer ?? []) names.add(t.name ?? '');
  for (const n of g.node ?? []) for (const o of n.output ?? []) names.add(o);
  return [...names];
}

function hostileInts(rng: Random, length: number): number[] {
  return Array.from({ length }, () => pick(rng, HOSTILE_INTS));
}

/** Names a model may carry that must stay data: comment ends, quotes, newlines, ANSI escapes, Makefile and template syntax. */
export const HOSTILE_NAMES = [
  '*/ int pwned = 1; /*', '"; system("id"); "', 'a\nb', 'a\r\nb', '\u001b[31mred\u001b[0m', '$(touch /tmp/pwned)', '{{value}}',
  '#define model_run x', 'trailing\\', 'x'.repeat(5000), 'naïve·名前', '', '//', '\u0000nul',
];

function renameValue(m: ModelProto, from: string, to: string): void {
  const g = m.graph!;
  const r = (x: string) => (x === from ? to : x);
  for (const v of [...(g.input ?? []), ...(g.output ?? []), ...(g.initializer ?? [])]) v.name = r(v.name ?? '');
  for (const n of g.node ?? []) {
    n.input = (n.input ?? []).map(r);
    n.output = (n.output ?? []).map(r);
  }
}

/** One structural change; returns what it did (or undefined when the model has nothing to change). */
const STRUCTURE_MUTATIONS: ((m: ModelProto, rng: Random) => string | undefined)[] = [
  function inputDims(m, rng) {
    const v = pick(rng, m.graph!.input ?? []);
    const dims = v?.type?.tensorType?.shape?.dim;
    if (!dims || dims.length === 0) return undefined;
    const i = rng.int(dims.length);
    const choice = rng.int(4);
    if (choice === 0) dims[i] = { dimParam: pick(rng, ['N', 'batch', '', 'unk']) };
    else if (choice === 1) dims[i] = {};
    else dims[i] = { dimValue: pick(rng, HOSTILE_INTS) };
    return `input '${v.name}' dim ${i} → ${JSON.stringify(dims[i])}`;
  },
  function inputRank(m, rng) {
    const v = pick(rng, m.graph!.input ?? []);
    const shape = v?.type?.tensorType?.shape;
    if (!shape) return undefined;
    const rank = pick(rng, [0, 1, 7, 40, 1000]);
    shape.dim = Array.from({ length: rank }, () => ({ dimValue: pick(rng, [1, 2, 3]) }));
    return `input '${v.name}' rank → ${rank}`;
  },
  function initializerDims(m, rng) {
    const t = pick(rng, m.graph!.initializer ?? []);
    if (!t) return undefined;
    const dims = [...(t.dims ?? [])];
    if (dims.length === 0 || rng.int(3) === 0) dims.push(pick(rng, HOSTILE_INTS));
    else dims[rng.int(dims.length)] = pick(rng, HOSTILE_INTS);
    t.dims = dims;
    return `initializer '${t.name}' dims → [${dims.join(',')}]`;
  },
  function rawData(m, rng) {
    const t = pick(rng, (m.graph!.initializer ?? []).filter((x) => x.rawData && x.rawData.length > 0));
    if (!t) return undefined;
    const raw = t.rawData!;
    const cut = rng.int(2) === 0;
    t.rawData = cut ? raw.subarray(0, rng.int(raw.length)) : Buffer.concat([Buffer.from(raw), Buffer.alloc(1 + rng.int(64), 0xff)]);
    return `initializer '${t.name}' raw_data ${cut ? 'cut' : 'extended'} to ${t.rawData.length} bytes`;
  },
  function dataType(m, rng) {
    const t = pick(rng, m.graph!.initializer ?? []);
    if (t && rng.int(2) === 0) {
      t.dataType = rng.int(30);
      return `initializer '${t.name}' data type → ${t.dataType}`;
    }
    const v = pick(rng, m.graph!.input ?? []);
    if (!v?.type?.tensorType) return undefined;
    v.type.tensorType.elemType = rng.int(30);
    return `input '${v.name}' element type → ${v.type.tensorType.elemType}`;
  },
  function rewireInput(m, rng) {
    const n = pick(rng, m.graph!.node ?? []);
    if (!n?.input?.length) return undefined;
    const i = rng.int(n.input.length);
    const to = rng.int(4) === 0 ? `ghost_${rng.int(100)}` : pick(rng, valueNames(m));
    n.input[i] = to;
    return `node '${n.name}' input ${i} → '${to}'`;
  },
  function renameOutput(m, rng) {
    const n = pick(rng, m.graph!.node ?? []);
    if (!n?.output?.length) return undefined;
    const to = pick(rng, valueNames(m));
    n.output[rng.int(n.output.length)] = to;
    return `node '${n.name}' output → '${to}'`;
  },
  function duplicateNode(m, rng) {
    const nodes = m.graph!.node ?? [];
    if (nodes.length === 0) return undefined;
    const n = pick(rng, nodes);
    nodes.splice(rng.int(nodes.length + 1), 0, onnx.NodeProto.fromObject(onnx.NodeProto.toObject(n as onnxProto.onnx.NodeProto)));
    return `duplicate node '${n.name}'`;
  },
  function deleteNode(m, rng) {
    const nodes = m.graph!.node ?? [];
    if (nodes.length === 0) return undefined;
    const [n] = nodes.splice(rng.int(nodes.length), 1);
    return `delete node '${n.name}'`;
  },
  function shuffleNodes(m, rng) {
    rng.shuffle(m.graph!.node ?? []);
    return 'shuffle nodes';
  },
  function changeOp(m, rng) {
    const n = pick(rng, m.graph!.node ?? []);
    if (!n) return undefined;
    n.opType = pick(rng, [...supportedOpNames().filter((o) => !o.includes('.')), 'Tile', 'Loop', 'NonZero', '']);
    return `node '${n.name}' op → ${n.opType}`;
  },
  function mutateAttribute(m, rng) {
    const n = pick(rng, (m.graph!.node ?? []).filter((x) => (x.attribute?.length ?? 0) > 0));
    if (!n) return undefined;
    const a = pick(rng, n.attribute!) as Attr;
    const T = onnx.AttributeProto.AttributeType;
    switch (rng.int(5)) {
      case 0: a.ints = hostileInts(rng, Math.max(1, (a.ints?.length ?? 1) + rng.int(3) - 1)); a.type = T.INTS; break;
      case 1: a.i = pick(rng, HOSTILE_INTS); a.type = T.INT; break;
      case 2: a.f = pick(rng, [NaN, Infinity, -Infinity, 1e38, -0]); a.type = T.FLOAT; break;
      case 3: a.type = rng.int(15); break;
      default: n.attribute = n.attribute!.filter((x) => x !== a);
    }
    return `node '${n.name}' attribute '${a.name}' mutated`;
  },
  function hugeAttributeList(m, rng) {
    const n = pick(rng, m.graph!.node ?? []);
    if (!n) return undefined;
    const name = pick(rng, ['perm', 'axes', 'pads', 'kernel_shape', 'strides', 'split', 'shape', 'value_ints']);
    const length = pick(rng, [1000, 20_000, 100_000]);
    n.attribute = [...(n.attribute ?? []).filter((a) => a.name !== name), { name, type: onnx.AttributeProto.AttributeType.INTS, ints: Array.from({ length }, (_, i) => (rng.int(2) ? i : 1)) }];
    return `node '${n.name}' attribute '${name}' with ${length} ints`;
  },
  function externalData(m, rng) {
    const t = pick(rng, m.graph!.initializer ?? []);
    if (!t) return undefined;
    const location = pick(rng, HOSTILE_LOCATIONS);
    const entries = [{ key: 'location', value: location }];
    if (rng.int(2)) entries.push({ key: 'offset', value: String(pick(rng, [0, 4, -8, 2 ** 40, 1e21])) });
    if (rng.int(2)) entries.push({ key: 'length', value: String(pick(rng, [0, 4, 64, -1, 2 ** 53])) });
    t.dataLocation = 1;
    t.externalData = entries;
    t.rawData = new Uint8Array();
    return `initializer '${t.name}' external data ${JSON.stringify(entries.map((e) => e.value))}`;
  },
  function opset(m, rng) {
    const version = pick(rng, [0, 1, 6, 7, 9, 11, 13, 17, 21, 25, 26, 1000, -1]);
    m.opsetImport = [{ domain: pick(rng, ['', 'ai.onnx', 'com.microsoft']), version }];
    return `opset → ${version}`;
  },
  function graphOutputs(m, rng) {
    const outs = m.graph!.output ?? [];
    switch (rng.int(3)) {
      case 0: if (outs[0]) outs.push(outs[0]); return 'duplicate a graph output';
      case 1: if (outs[0]) outs[0].name = `ghost_${rng.int(10)}`; return 'rename a graph output';
      default: m.graph!.output = []; return 'remove the graph outputs';
    }
  },
  function hostileWeights(m, rng) {
    const t = pick(rng, (m.graph!.initializer ?? []).filter((x) => x.dataType === 1 && x.rawData && x.rawData.length >= 4));
    if (!t) return undefined;
    const raw = Buffer.from(t.rawData!);
    const value = pick(rng, [NaN, Infinity, -Infinity, 3.4e38, 1e-45, -0]);
    for (let k = 0; k < 1 + rng.int(8); k++) raw.writeFloatLE(value, 4 * rng.int(raw.length / 4));
    t.rawData = raw;
    return `initializer '${t.name}' values → ${value}`;
  },
  function hostileName(m, rng) {
    const name = pick(rng, HOSTILE_NAMES);
    switch (rng.int(3)) {
      case 0: {
        const n = pick(rng, m.graph!.node ?? []);
        if (!n) return undefined;
        n.name = name;
        return `node name → ${JSON.stringify(name.slice(0, 40))}`;
      }
      case 1:
        m.graph!.name = name;
        return `graph name → ${JSON.stringify(name.slice(0, 40))}`;
      default: {
        const from = pick(rng, valueNames(m));
        if (from === undefined) return undefined;
        renameValue(m, from, name);
        return `value '${from}' → ${JSON.stringify(name.slice(0, 40))}`;
      }
    }
  },
  function constantNode(m, rng) {
    const dims = hostileInts(rng, 1 + rng.int(3));
    const name = `c${rng.int(1000)}`;
    m.graph!.node = [{ name, opType: 'Constant', output: [name], attribute: [{ name: 'value', type: onnx.AttributeProto.AttributeType.TENSOR, t: { dataType: pick(rng, [1, 7, 9]), dims, rawData: new Uint8Array(rng.int(64)) } }] }, ...(m.graph!.node ?? [])];
    const n = pick(rng, m.graph!.node!.slice(1));
    if (n?.input?.length) n.input[rng.int(n.input.length)] = name;
    return `constant of dims [${dims.join(',')}] wired in`;
  },
];

/** Changes after which a model is still well formed, so that mutants reach shape inference, lowering and C. */
const MILD_MUTATIONS = new Set(['hostileWeights', 'hostileName', 'inputDims']);

export function structureMutant(rng: Random, seed: Seed): Mutant {
  let m: ModelProto;
  try {
    m = onnx.ModelProto.decode(seed.bytes);
  } catch {
    return { name: `${seed.name}: undecodable seed`, bytes: seed.bytes };
  }
  if (!m.graph) return { name: `${seed.name}: no graph`, bytes: seed.bytes };
  const steps: string[] = [];
  const count = 1 + rng.int(3);
  // Half the mutants get only mild changes.
  const pool = rng.int(2) === 0 ? STRUCTURE_MUTATIONS.filter((f) => MILD_MUTATIONS.has(f.name)) : STRUCTURE_MUTATIONS;
  for (let k = 0; k < count * 3 && steps.length < count; k++) {
    const done = pick(rng, pool)(m, rng);
    if (done) steps.push(done);
  }
  return { name: `${seed.name}: ${steps.join('; ')}`, bytes: onnx.ModelProto.encode(m).finish() };
}

/**
 * Files that external data of mutated models refers to, in `folder` (the models' folder) and beside it:
 * a real weights file, symbolic links out to /etc/passwd and /dev/zero, a FIFO (made by `mkfifo`, which
 * the caller runs), a directory, and a file outside the folder.
 */
export function prepareFuzzFolder(folder: string): { fifo: string } {
  fs.mkdirSync(path.join(folder, 'folder'), { recursive: true });
  fs.mkdirSync(path.join(folder, 'sub'), { recursive: true });
  fs.writeFileSync(path.join(folder, 'weights.bin'), Buffer.alloc(64, 0x3f));
  fs.writeFileSync(path.join(folder, '..', 'outside.bin'), Buffer.alloc(64, 0x3f));
  fs.symlinkSync('/etc/passwd', path.join(folder, 'passwd.bin'));
  fs.symlinkSync('/dev/zero', path.join(folder, 'zero.bin'));
  return { fifo: path.join(folder, 'pipe.bin') };
}
