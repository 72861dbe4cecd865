// The window geometry of a spatial layer (Int8Conv, MaxPool) as the streaming modules take it (ep_window_stream.v):
// square kernel K, one stride, symmetric padding PAD ≤ (K − 1)/2, on a pixel stream; the reasons a node cannot have
// one, and the elaboration limits of templates/verilog/lib/README.md checked before Verilog refuses them.

import { describeFormat, type RtlHardware, type RtlLayer, type RtlLowerContext, type RtlParam } from './rtl-layer.js';
import { isolatedLatency, windowBeatTimes, windowOutputSize, type WindowGeometry } from './design-schedule.js';

interface WindowAttrs {
  autoPad: string;
  dilations?: number[];
  pads?: number[];
  strides?: number[];
}

/** The geometry of a node with a 2-D window of `kernel` (height, width), or the reason it has none the modules take. */
export function spatialGeometry(ctx: RtlLowerContext, kernel: readonly number[], attrs: WindowAttrs): WindowGeometry | string {
  const input = ctx.input;
  if (input.kind !== 'pixels') return `its input arrives as ${describeFormat(input)}; the streaming window takes an NCHW image one pixel per beat`;
  if (kernel.length !== 2 || kernel[0] !== kernel[1]) return `its kernel is ${kernel.join('x')}; the streaming window is square (K x K)`;
  if (attrs.dilations && attrs.dilations.some((d) => d !== 1)) return `dilations ${attrs.dilations.join(',')}; the streaming window takes dilation 1`;
  const strides = attrs.strides ?? [1, 1];
  if (strides[0] !== strides[1]) return `strides ${strides.join(',')}; the streaming window takes one stride for both axes`;
  const k = kernel[0];
  const stride = strides[0];
  let pad: number;
  if (attrs.autoPad === 'NOTSET') {
    const pads = attrs.pads ?? [0, 0, 0, 0];
    if (pads.some((p) => p !== pads[0])) return `pads ${pads.join(',')} are not the same on every side; the streaming window pads symmetrically`;
    pad = pads[0];
  } else if (attrs.autoPad === 'VALID') {
    pad = 0;
  } else {
    // SAME_UPPER / SAME_LOWER: symmetric only when the total padding of both axes is even and the same.
    const total = (n: number) => Math.max((Math.ceil(n / stride) - 1) * stride + k - n, 0);
    const th = total(input.height);
    const tw = total(input.width);
    if (th !== tw || th % 2 !== 0) return `auto_pad ${attrs.autoPad} pads ${th} row(s) and ${tw} column(s) in total, not the same on every side; the streaming window pads symmetrically`;
    pad = th / 2;
  }
  const g: WindowGeometry = { height: input.height, width: input.width, kernel: k, pad, stride };
  if (stride < 1) return `stride ${stride}; the streaming window needs a stride of at least 1`;
  if (input.width < k) return `the image is ${input.width} pixels wide, less than the kernel ${k} (the line buffer needs W ≥ K)`;
  if (2 * pad > k - 1) return `padding ${pad} is more than (K − 1)/2 = ${(k - 1) / 2} (the streaming window pads up to 'same')`;
  if (input.height + 2 * pad < k) return `the padded image height ${input.height + 2 * pad} is less than the kernel ${k}`;
  const out = ctx.type(ctx.node.outputs[0]).shape;
  const size = windowOutputSize(g);
  if (out.length !== 4 || out[2] !== size.height || out[3] !== size.width) return `its output shape ${out.join('x')} is not the ${size.height}x${size.width} the streaming window makes (ceil mode?)`;
  return g;
}

/** The window parameters of a pooling module (ep_maxpool_stream, ep_avgpool_stream): image, channels, kernel, stride, padding. */
export function poolWindowParams(g: WindowGeometry, channels: number): RtlParam[] {
  return [
    { name: 'H', value: String(g.height) },
    { name: 'W', value: String(g.width) },
    { name: 'C', value: String(channels) },
    { name: 'K', value: String(g.kernel) },
    { name: 'STRIDE', value: String(g.stride) },
    { name: 'PAD', value: String(g.pad) },
  ];
}

/** What a layer built on ep_window_stream gives beyond its window: its module, and when its outputs leave. */
export interface WindowHardware extends Omit<RtlHardware, 'latencyCycles' | 'beatTimes' | 'initiationInterval'> {
  /** Output (r, c) this many cycles after its window's step (windowBeatTimes), or after R issue cycles when folded. */
  delay: number;
  issue?: number;
  /** Cycles a frame takes (default: its H·W steps). */
  initiationInterval?: number;
}

/**
 * The RTL layer of a node on a pixel stream built on ep_window_stream (conv, max and average pool): its output pixels
 * of `channels` channels, its beat times from the window's schedule, its own latency a frame offered one pixel a cycle.
 */
export function windowLayer(ctx: RtlLowerContext, kind: string, g: WindowGeometry, channels: number, hw: WindowHardware): RtlLayer {
  const { node } = ctx;
  const { delay, issue, ...hardware } = hw;
  const out = windowOutputSize(g);
  const beatTimes = (offered: readonly number[]) => windowBeatTimes(g, offered, delay, issue);
  return {
    kind,
    node: node.name,
    op: node.opType,
    input: node.inputs[0],
    output: node.outputs[0],
    inFormat: ctx.input,
    outFormat: { kind: 'pixels', height: out.height, width: out.width, channels },
    hardware: {
      ...hardware,
      latencyCycles: isolatedLatency(g.height * g.width, beatTimes),
      initiationInterval: hw.initiationInterval ?? g.height * g.width,
      beatTimes,
    },
  };
}
