// Tensor liveness over the execution order, and the peak of simultaneously live activation bytes.

import { byteSize } from '../ir/dtype.js';
import { staticInfo, type Graph } from '../ir/graph.js';
import { shapeSize } from '../ir/tensor.js';

/** A value computed at run time (not a constant), live from `first` to `last` node index, inclusive. */
export interface LiveInterval {
  name: string;
  bytes: number;
  first: number;
  last: number;
}

/** Intervals of every graph input and node output; graph outputs stay live to the end. */
export function liveIntervals(g: Graph): LiveInterval[] {
  const end = Math.max(0, g.nodes.length - 1);
  const intervals = new Map<string, LiveInterval>();
  const bytesOf = (name: string) => {
    const v = staticInfo(g, name);
    return shapeSize(v.shape) * byteSize(v.dtype);
  };
  for (const v of g.inputs) intervals.set(v.name, { name: v.name, bytes: bytesOf(v.name), first: 0, last: 0 });
  g.nodes.forEach((node, step) => {
    for (const name of node.inputs) {
      const iv = name ? intervals.get(name) : undefined;
      if (iv) iv.last = Math.max(iv.last, step);
    }
    for (const name of node.outputs) {
      if (name && !g.initializers.has(name)) intervals.set(name, { name, bytes: bytesOf(name), first: step, last: step });
    }
  });
  for (const o of g.outputs) {
    const iv = intervals.get(o.name);
    if (iv) iv.last = end;
  }
  return [...intervals.values()];
}

/** The largest sum of bytes of simultaneously live values: no memory plan can use less. */
export function peakLiveBytes(intervals: readonly LiveInterval[], steps: number): { bytes: number; step: number } {
  const delta = new Array<number>(Math.max(1, steps) + 1).fill(0);
  for (const iv of intervals) {
    delta[iv.first] += iv.bytes;
    delta[iv.last + 1] -= iv.bytes;
  }
  let live = 0;
  let best = { bytes: 0, step: 0 };
  for (let t = 0; t < delta.length - 1; t++) {
    live += delta[t];
    if (live > best.bytes) best = { bytes: live, step: t };
  }
  return best;
}
