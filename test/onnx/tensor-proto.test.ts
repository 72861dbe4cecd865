// TensorProto decoding: raw_data at odd offsets, every typed field, sub-byte packing, external data, corrupt input.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Long from 'long';
import { describe, expect, it } from 'vitest';
import { onnx } from '../../src/onnx/proto.js';
import { encodeRaw, tensorFromProto, tensorToProto } from '../../src/onnx/tensor-proto.js';
import { Tensor } from '../../src/ir/tensor.js';
import { UserError } from '../../src/errors.js';

const T = onnx.TensorProto.DataType;

describe('TensorProto typed fields', () => {
  it('float_data, double_data, int32_data for narrow ints and bool, int64_data, uint64_data', () => {
    expect(Array.from(tensorFromProto({ dataType: T.FLOAT, dims: [2], floatData: [1.5, -2] }, 't').data as ArrayLike<number | bigint>)).toEqual([1.5, -2]);
    expect(Array.from(tensorFromProto({ dataType: T.DOUBLE, dims: [1], doubleData: [0.1] }, 't').data as ArrayLike<number | bigint>)).toEqual([0.1]);
    expect(Array.from(tensorFromProto({ dataType: T.INT8, dims: [3], int32Data: [-128, 0, 127] }, 't').data as ArrayLike<number | bigint>)).toEqual([-128, 0, 127]);
    expect(Array.from(tensorFromProto({ dataType: T.UINT16, dims: [1], int32Data: [65535] }, 't').data as ArrayLike<number | bigint>)).toEqual([65535]);
    expect(Array.from(tensorFromProto({ dataType: T.BOOL, dims: [2], int32Data: [1, 0] }, 't').data as ArrayLike<number | bigint>)).toEqual([1, 0]);
    const big = Long.fromString('9007199254740993'); // 2^53 + 1: not a double
    expect(Array.from(tensorFromProto({ dataType: T.INT64, dims: [2], int64Data: [big, -3] }, 't').data as ArrayLike<number | bigint>)).toEqual([9007199254740993n, -3n]);
    expect(Array.from(tensorFromProto({ dataType: T.UINT32, dims: [1], uint64Data: [4294967295] }, 't').data as ArrayLike<number | bigint>)).toEqual([4294967295]);
  });

  it('float16 from int32_data bits', () => {
    const t = tensorFromProto({ dataType: T.FLOAT16, dims: [3], int32Data: [0x3c00, 0xc000, 0x3555] }, 't');
    expect(Array.from(t.data as ArrayLike<number | bigint>)).toEqual([1, -2, 0.333251953125]);
  });
});

describe('TensorProto raw_data', () => {
  it('reads little-endian values at an unaligned offset', () => {
    const buf = new Uint8Array(1 + 8);
    const dv = new DataView(buf.buffer);
    dv.setFloat32(1, 3.25, true);
    dv.setFloat32(5, -1, true);
    const t = tensorFromProto({ dataType: T.FLOAT, dims: [2], rawData: buf.subarray(1) }, 't');
    expect(Array.from(t.data as ArrayLike<number | bigint>)).toEqual([3.25, -1]);
  });

  it('round-trips every IR type through raw_data', () => {
    const cases: [Tensor, number[]][] = [
      [Tensor.fromNumbers('int4', [3], [-8, 7, -1]), [-8, 7, -1]],
      [Tensor.fromNumbers('uint2', [5], [0, 1, 2, 3, 1]), [0, 1, 2, 3, 1]],
      [Tensor.fromNumbers('float16', [2], [0.1, 65504]), [0.0999755859375, 65504]],
      [Tensor.fromNumbers('int16', [2], [-32768, 32767]), [-32768, 32767]],
    ];
    for (const [t, want] of cases) {
      const back = tensorFromProto(onnx.TensorProto.decode(onnx.TensorProto.encode(tensorToProto(t, 'x')).finish()), 'x');
      expect(back.dtype).toBe(t.dtype);
      expect(Array.from(back.data as ArrayLike<number>)).toEqual(want);
    }
    // Two int4 values per byte, low nibble first.
    expect(Array.from(encodeRaw(Tensor.fromNumbers('int4', [3], [1, -1, 2])))).toEqual([0xf1, 0x02]);
  });

  it('refuses data that does not fit the shape, and unsupported element types', () => {
    expect(() => tensorFromProto({ dataType: T.FLOAT, dims: [3], rawData: new Uint8Array(8) }, "initializer 'w'")).toThrow(/initializer 'w' holds 2 values but its shape needs 3/);
    expect(() => tensorFromProto({ dataType: T.FLOAT, dims: [2], floatData: [1] }, 't')).toThrow(UserError);
    expect(() => tensorFromProto({ dataType: T.STRING, dims: [1] }, "input 's'")).toThrow(/input 's' has element type STRING/);
    expect(() => tensorFromProto({ dataType: 17, dims: [1] }, 't')).toThrow(/FLOAT8E4M3FN/);
    expect(() => tensorFromProto({ dataType: T.FLOAT, dims: [1 << 20, 1 << 20] }, 't')).toThrow(/t would have 1,099,511,627,776 elements .* more than the limit of 16,777,216 per tensor/);
  });
});

describe('TensorProto external data', () => {
  it('reads location, offset and length relative to the model', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeprune-ext-'));
    const bytes = new Uint8Array(4 + 12);
    new DataView(bytes.buffer).setFloat32(4, 1.25, true);
    new DataView(bytes.buffer).setFloat32(8, 2.5, true);
    new DataView(bytes.buffer).setFloat32(12, -4, true);
    fs.writeFileSync(path.join(dir, 'weights.bin'), bytes);
    const proto = {
      dataType: T.FLOAT, dims: [3], dataLocation: 1,
      externalData: [{ key: 'location', value: 'weights.bin' }, { key: 'offset', value: '4' }, { key: 'length', value: '12' }],
    };
    expect(Array.from(tensorFromProto(proto, 'w', { baseDir: dir }).data as ArrayLike<number | bigint>)).toEqual([1.25, 2.5, -4]);
    expect(() => tensorFromProto({ ...proto, externalData: [{ key: 'location', value: 'gone.bin' }] }, "initializer 'w'", { baseDir: dir })).toThrow(/external data of initializer 'w': 'gone.bin' is missing next to the model/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
