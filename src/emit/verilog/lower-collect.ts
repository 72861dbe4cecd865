// Flatten (or Reshape to one row) of a pixel stream → one ep_collect instance: the N pixels of a frame into one vector
// beat in stream order (byte p*C + c = channel c of pixel p). The vector format records that order (element p*C + c
// is the NCHW Flatten's element c*N + p), so the dense lowering after it permutes its weight columns
// (dense-constants.ts: new column p*C + c = old column c*N + p) and the trace compares the interpreter's Flatten in it.

import type { RtlHardware, RtlLayer, RtlLowering, StreamFormat } from './rtl-layer.js';

/** ep_collect of N beats of C bytes into one vector beat: a new vector every N cycles, 1 cycle after its last beat. */
export function collectHardware(n: number, channels: number): RtlHardware {
  return {
    module: 'ep_collect',
    libraryFiles: ['ep_collect.v'],
    params: [{ name: 'N', value: String(n) }, { name: 'C', value: String(channels) }],
    latencyCycles: n,
    initiationInterval: n,
    reuseFactor: 1,
    beatTimes: (offered) => {
      let t = -Infinity;
      for (const o of offered) t = Math.max(o, t + 1);
      return [t + 1];
    },
    multipliers: { weights: 0, requantizers: 0 },
  };
}

/**
 * The collector the emitter puts after a serial stream (one element per beat) when the next layer, or the core's
 * output, takes the whole vector in one beat: the same value, its elements in the same order.
 */
export function elementsCollector(value: string, after: string, format: StreamFormat & { kind: 'elements' }): RtlLayer {
  return {
    kind: 'collect',
    node: after,
    op: 'ep_collect',
    input: value,
    output: value,
    inFormat: format,
    outFormat: { kind: 'vector', elements: format.elements, ...(format.order ? { order: format.order } : {}) },
    hardware: collectHardware(format.elements, 1),
  };
}

export const COLLECT: RtlLowering = {
  ops: [{ domain: '', opType: 'Flatten' }, { domain: '', opType: 'Reshape' }],
  supports: 'Flatten or Reshape of a pixel stream into one row (ep_collect)',
  refuse(ctx) {
    if (ctx.input.kind !== 'pixels') return `its input arrives as ${ctx.input.kind}, not as pixels`;
    const out = ctx.type(ctx.node.outputs[0]).shape;
    if (out.length < 2 || out[0] !== 1 || out.slice(1).filter((d) => d !== 1).length > 1) {
      return `its output has shape ${out.join('x')}; ep_collect makes one row (1 x N·C) of the image`;
    }
    return undefined;
  },
  lower(ctx) {
    const { node } = ctx;
    if (ctx.input.kind !== 'pixels') throw new Error('ep_collect takes pixels');
    const { height, width, channels } = ctx.input;
    const n = height * width;
    const order = Array.from({ length: n * channels }, (_, i) => (i % channels) * n + Math.floor(i / channels));
    return {
      kind: 'collect',
      node: node.name,
      op: node.opType,
      input: node.inputs[0],
      output: node.outputs[0],
      inFormat: ctx.input,
      outFormat: { kind: 'vector', elements: n * channels, order },
      hardware: collectHardware(n, channels),
    };
  },
};
