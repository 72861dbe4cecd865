// Refuse float8 (and float4) quantization while an ONNX file is read, naming the QuantizeLinear/DequantizeLinear node
// and the type, before the generic "element type not supported" error of the tensor would hide which node uses it.

import { UserError } from '../../errors.js';
import { dtypeFromOnnx } from '../../ir/dtype.js';
import { toNumber, type onnx } from '../../onnx/proto.js';

/** ONNX element types of the float8 and float4 families (FLOAT8E4M3FN .. FLOAT4E2M1, FLOAT8E8M0). */
const SMALL_FLOAT_CODES = new Set([17, 18, 19, 20, 23, 24]);
const QUANTIZATION_OPS = new Set(['QuantizeLinear', 'DequantizeLinear', 'QLinearConv', 'QLinearMatMul', 'ConvInteger', 'MatMulInteger']);

/** Throw a UserError naming the first quantization node that reads or writes a float8 or float4 tensor. */
export function refuseSmallFloatQuantization(graph: onnx.IGraphProto): void {
  const types = new Map<string, number>();
  for (const t of graph.initializer ?? []) if (t.name) types.set(t.name, t.dataType ?? 0);
  for (const v of [...(graph.input ?? []), ...(graph.output ?? []), ...(graph.valueInfo ?? [])]) {
    const code = v.type?.tensorType?.elemType;
    if (v.name && code) types.set(v.name, code);
  }
  for (const [index, node] of (graph.node ?? []).entries()) {
    if (!QUANTIZATION_OPS.has(node.opType ?? '') || (node.domain && node.domain !== 'ai.onnx')) continue;
    const attrCode = node.attribute?.find((a) => a.name === 'output_dtype')?.i;
    const candidates: [string, number | undefined][] = [
      ...[...(node.input ?? []), ...(node.output ?? [])].map((v): [string, number | undefined] => [`'${v}'`, types.get(v)]),
      ['attribute output_dtype', attrCode === undefined || attrCode === null ? undefined : toNumber(attrCode)],
    ];
    const found = candidates.find(([, code]) => code !== undefined && SMALL_FLOAT_CODES.has(code));
    if (!found) continue;
    const type = dtypeFromOnnx(found[1]!);
    const name = 'unsupported' in type ? type.unsupported : type.dtype;
    const family = found[1] === 23 ? 'float4' : 'float8';
    throw new UserError(
      `node '${node.name || `${node.opType}_${index}`}' (${node.opType}): ${found[0]} has element type ${name}, which edgeprune does not support: ${family} quantization; edgeprune quantizes to int8 (int8 or uint8 tensors, int32 biases)`,
      'quantize the model to 8-bit integers (onnxruntime: activation_type QInt8 or QUInt8, weight_type QInt8; or edgeprune quantize)',
    );
  }
}
