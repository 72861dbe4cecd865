// Quantized ONNX forms edgeprune does not import, named by their scheme: dynamic quantization (activation scales
// computed at run time) and onnxruntime's QOperator contrib ops (domain com.microsoft). The importer's list of
// unsupported ops (src/onnx/import.ts) says which scheme a model uses and how to re-quantize it into a form we take.

/** Dynamic quantization: the scale and zero point of an activation are computed from its values at run time. */
const DYNAMIC_OPS = new Set(['DynamicQuantizeLinear', 'com.microsoft.DynamicQuantizeMatMul', 'com.microsoft.DynamicQuantizeLSTM', 'com.microsoft.MatMulIntegerToFloat', 'com.microsoft.QAttention']);

/** onnxruntime's contrib quantized ops (QOperator format beyond the standard QLinearConv/QLinearMatMul). */
const CONTRIB_PREFIX = 'com.microsoft.';
const CONTRIB_QUANTIZED = /^com\.microsoft\.(Q[A-Z]\w*|QuantizeLinear|DequantizeLinear|QLinear\w+)$/;

export interface SchemeRefusal {
  /** What the model uses, for the error line. */
  scheme: string;
  /** How to get a model edgeprune imports. */
  hint: string;
}

const STATIC_QDQ_HINT =
  'quantize statically in QDQ format (onnxruntime: quantize_static(..., quant_format=QuantFormat.QDQ, activation_type=QuantType.QInt8, weight_type=QuantType.QInt8, per_channel=True)), or give edgeprune the float model: `edgeprune quantize <model.onnx> --data <file> --out <int8.onnx>`';

/**
 * The unsupported quantization schemes among unsupported op keys (`Op` for the standard domain, `domain.Op`
 * otherwise), or undefined when none of them is a quantization op.
 */
export function quantizationSchemeRefusal(opKeys: Iterable<string>): SchemeRefusal | undefined {
  const dynamic: string[] = [];
  const contrib: string[] = [];
  for (const key of opKeys) {
    if (DYNAMIC_OPS.has(key)) dynamic.push(key);
    else if (key.startsWith(CONTRIB_PREFIX) && CONTRIB_QUANTIZED.test(key)) contrib.push(key);
  }
  const parts: string[] = [];
  if (dynamic.length) {
    parts.push(`dynamic quantization (${dynamic.join(', ')}: activation scales computed at run time; edgeprune's int8 semantics needs every scale fixed when compiling)`);
  }
  if (contrib.length) parts.push(`onnxruntime's contrib quantized ops (${contrib.join(', ')}: the QOperator format beyond the standard QLinearConv and QLinearMatMul)`);
  return parts.length ? { scheme: parts.join(' and '), hint: STATIC_QDQ_HINT } : undefined;
}
