// ConvTranspose geometry: channels and groups, padding (explicit, auto_pad or implied by output_shape) and output sizes.

import { nodeError } from '../../errors.js';
import type { Node } from '../../ir/graph.js';
import type { AutoPad } from './spatial.js';

export interface ConvTransposeAttrs {
  autoPad: AutoPad;
  dilations?: number[];
  group: number;
  kernelShape?: number[];
  outputPadding?: number[];
  /** Spatial output sizes; a full N, C, spatial... shape (as some writers give) is accepted too. */
  outputShape?: number[];
  pads?: number[];
  strides?: number[];
}

export interface ConvTransposeGeometry {
  group: number;
  /** Output channels: W's second dimension times group. */
  outChannels: number;
  kernel: number[];
  strides: number[];
  dilations: number[];
  /** Pads crop the full transposed output: begin and end per spatial axis (negative pads extend it with zeros). */
  padBegin: number[];
  padEnd: number[];
  outSpatial: number[];
}

function perAxis(node: Node, name: string, value: number[] | undefined, count: number, fallback: number): number[] {
  const v = value ?? new Array<number>(count).fill(fallback);
  if (v.length !== count) throw nodeError(node, `${name} has ${v.length} values, expected ${count}`);
  return v;
}

/** Check X (N, C, spatial...), W (C, M/group, kernel...) and B (M) and work out the output geometry. */
export function convTransposeGeometry(
  xShape: readonly number[],
  wShape: readonly number[],
  bShape: readonly number[] | undefined,
  attrs: ConvTransposeAttrs,
  node: Node,
): ConvTransposeGeometry {
  if (xShape.length < 3) throw nodeError(node, `input X has shape ${xShape.join('x') || 'scalar'}; ConvTranspose needs N x C x spatial...`);
  if (wShape.length !== xShape.length) throw nodeError(node, `weight W has rank ${wShape.length}, input X has rank ${xShape.length}`);
  const { group } = attrs;
  const C = xShape[1];
  if (group < 1 || C % group !== 0) throw nodeError(node, `group ${group} does not divide the ${C} input channels`);
  if (wShape[0] !== C) throw nodeError(node, `weight W has ${wShape[0]} input channels (its first dimension), input X has ${C}`);
  const outChannels = wShape[1] * group;
  if (bShape && (bShape.length !== 1 || bShape[0] !== outChannels)) {
    throw nodeError(node, `bias B has shape ${bShape.join('x') || 'scalar'}, expected ${outChannels}`);
  }
  const kernel = wShape.slice(2);
  const S = kernel.length;
  if (attrs.kernelShape && attrs.kernelShape.join() !== kernel.join()) {
    throw nodeError(node, `kernel_shape ${attrs.kernelShape.join('x')} disagrees with weight W ${kernel.join('x')}`);
  }
  const strides = perAxis(node, 'strides', attrs.strides, S, 1);
  const dilations = perAxis(node, 'dilations', attrs.dilations, S, 1);
  const outputPadding = perAxis(node, 'output_padding', attrs.outputPadding, S, 0);
  const pads = perAxis(node, 'pads', attrs.pads, 2 * S, 0);
  const outputShape = attrs.outputShape?.length === S + 2 ? attrs.outputShape.slice(2) : attrs.outputShape;
  if (outputShape && outputShape.length !== S) {
    throw nodeError(node, `output_shape has ${outputShape.length} values for ${S} spatial axes`);
  }
  if ([...strides, ...dilations].some((v) => v < 1)) throw nodeError(node, 'strides and dilations must be positive');
  if (outputPadding.some((v) => v < 0)) throw nodeError(node, 'output_padding must not be negative');

  const padBegin = new Array<number>(S);
  const padEnd = new Array<number>(S);
  const outSpatial = new Array<number>(S);
  for (let i = 0; i < S; i++) {
    const inSize = xShape[i + 2];
    // The output before any cropping: every input position spreads a dilated kernel `stride` apart.
    const full = strides[i] * (inSize - 1) + outputPadding[i] + (kernel[i] - 1) * dilations[i] + 1;
    const same = attrs.autoPad === 'SAME_UPPER' || attrs.autoPad === 'SAME_LOWER';
    const target = outputShape?.[i] ?? (same ? inSize * strides[i] : undefined);
    if (target !== undefined) {
      // output_shape (or SAME auto_pad) overrides pads: they follow from the wanted size, an odd
      // total going to the end for SAME_UPPER and to the begin otherwise (floor division, as ONNX's).
      const total = full - target;
      const half = Math.floor(total / 2);
      padBegin[i] = attrs.autoPad === 'SAME_UPPER' ? half : total - half;
      padEnd[i] = total - padBegin[i];
      outSpatial[i] = target;
    } else {
      padBegin[i] = attrs.autoPad === 'VALID' ? 0 : pads[i];
      padEnd[i] = attrs.autoPad === 'VALID' ? 0 : pads[i + S];
      outSpatial[i] = full - padBegin[i] - padEnd[i];
    }
  }
  if (outSpatial.some((o) => o < 1)) {
    throw nodeError(node, `the output would have spatial size ${outSpatial.join('x')} (input ${xShape.slice(2).join('x')}, kernel ${kernel.join('x')}, pads ${[...padBegin, ...padEnd].join(',')})`);
  }
  return { group, outChannels, kernel, strides, dilations, padBegin, padEnd, outSpatial };
}
