// The cycles of one inference through a design: every layer's output beat times from its input beat times (the
// layers' beatTimes, or one beat latencyCycles later), chained from the core's input beats offered one per cycle from
// cycle 0. The last output beat's cycle is the design's latency as model_tb.cpp measures it (first input beat taken
// to last output beat taken, an idle pipeline, no stall): a sum of per-layer latencies does not hold once pixel
// streams overlap their layers (a conv's first output leaves long before its last input arrives).

import type { RtlLayer, StreamSource } from './rtl-layer.js';

type HardwareLayer = RtlLayer & { hardware: NonNullable<RtlLayer['hardware']> };

/** Output beat times of one layer given its input beats' offered times. */
export function layerBeatTimes(l: HardwareLayer, offered: readonly number[]): number[] {
  if (l.hardware.beatTimes) return l.hardware.beatTimes(offered);
  return [offered[offered.length - 1] + l.hardware.latencyCycles];
}

/** The sources of layer `i` of a design's layers (the layer before it by default; -1 is the core's input). */
export function layerSources(layers: readonly RtlLayer[], i: number): StreamSource[] {
  return layers[i].sources ?? [{ layer: i - 1 }];
}

/**
 * Offered times of the last layer's output beats, the core's input beats offered at cycles 0, 1, 2, ...: every layer's
 * output times from its sources' (a layer without hardware passes its input's on; a fork's outputs are its input's,
 * a join's from both inputs).
 */
export function scheduleLayers(layers: readonly RtlLayer[], inputBeats: number): number[] {
  const all = scheduleAll(layers, inputBeats);
  return all.length ? all[all.length - 1] : [];
}

/** Every layer's output beat times (a fork's: both outputs'), as scheduleLayers chains them. */
export function scheduleAll(layers: readonly RtlLayer[], inputBeats: number): number[][] {
  const out: number[][] = [];
  const input = Array.from({ length: inputBeats }, (_, i) => i);
  const timesOf = (s: StreamSource) => (s.layer < 0 ? input : out[s.layer]);
  layers.forEach((l, i) => {
    const sources = layerSources(layers, i).map(timesOf);
    if (!l.hardware) out.push(sources[0]);
    else if (l.hardware.joinTimes) out.push(l.hardware.joinTimes(sources[0], sources[1]));
    else out.push(layerBeatTimes(l as HardwareLayer, sources[0]));
  });
  return out;
}

/** A layer's own latency: a frame offered one beat per cycle, first input beat to last output beat. */
export function isolatedLatency(inBeats: number, beatTimes: (offered: readonly number[]) => number[]): number {
  const out = beatTimes(Array.from({ length: inBeats }, (_, i) => i));
  return out[out.length - 1];
}

export interface WindowGeometry {
  height: number;
  width: number;
  kernel: number;
  pad: number;
  stride: number;
}

export function windowOutputSize(g: WindowGeometry): { height: number; width: number } {
  const size = (n: number) => Math.floor((n + 2 * g.pad - g.kernel) / g.stride) + 1;
  return { height: size(g.height), width: size(g.width) };
}

/**
 * Output beat times of a layer built on ep_window_stream (templates/verilog/lib/README.md, "Schedule"): step s takes
 * pixel s (s < H·W; later steps are flush steps needing no input) one cycle after step s − 1 at the earliest; output
 * (r, c) is the window of step t(r, c) = (r·S − PAD + K − 1)·W + c·S − PAD + K − 1. A streaming layer offers it
 * `delay` cycles after that step (conv 4, max pool 2). A folded layer (issue = R > 0 cycles per window,
 * ep_conv_folded.v) presents the window a cycle after its step, issues R cycles, offers the output 5 cycles after the
 * last issue cycle, and takes its next step no earlier than that last issue cycle.
 */
export function windowBeatTimes(g: WindowGeometry, offered: readonly number[], delay: number, issue = 0): number[] {
  const out = windowOutputSize(g);
  const stepOf = (r: number, c: number) => (r * g.stride - g.pad + g.kernel - 1) * g.width + c * g.stride - g.pad + g.kernel - 1;
  const outputAt = new Map<number, number>();
  for (let r = 0; r < out.height; r++) for (let c = 0; c < out.width; c++) outputAt.set(stepOf(r, c), r * out.width + c);
  const lastStep = stepOf(out.height - 1, out.width - 1);
  const times: number[] = [];
  let step = -Infinity;
  let gate = -Infinity;
  for (let s = 0; s <= lastStep; s++) {
    step = Math.max(s < g.height * g.width ? offered[s] : -Infinity, step + 1, gate);
    if (!outputAt.has(s)) continue;
    if (issue > 0) {
      const present = step + 1;
      times.push(present + issue + 4);
      gate = present + issue - 1;
    } else {
      times.push(step + delay);
    }
  }
  return times;
}
