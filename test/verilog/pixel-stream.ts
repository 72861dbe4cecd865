// Shared by the pixel-stream RTL tests (conv, max pool, collect): NHWC images as beats, the run of a testbench built on
// templates/verilog/lib/tb/ep_pixel_stream_tb.h, and the documented schedule of ep_window_stream.v.
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { runVerilatorHarness, type VerilatorHarness } from '../../hw-sim/verilator/harness.js';
import { Random } from '../../src/util/random.js';
import type { Geometry } from '../../bench/rtl-conv-layers.js';

export type { Geometry } from '../../bench/rtl-conv-layers.js';

export const outSize = (g: Geometry) => ({ h: Math.floor((g.H + 2 * g.pad - g.K) / g.stride) + 1, w: Math.floor((g.W + 2 * g.pad - g.K) / g.stride) + 1 });

/** The step of a frame after which ep_window_stream presents output (r, c) (its comment's t(r, c)). */
export const emitStep = (g: Geometry, r: number, c: number) => (r * g.stride - g.pad + g.K - 1) * g.W + c * g.stride - g.pad + g.K - 1;

/** A random image, NCHW (the interpreter's layout), as int8 numbers. */
export function randomImage(r: Random, c: number, h: number, w: number): number[] {
  return Array.from({ length: c * h * w }, () => -128 + Math.floor(r.next() * 256));
}

/** The beats of an NCHW image in stream order: one per pixel (raster order), its C channels. */
export function toBeats(nchw: ArrayLike<number>, c: number, h: number, w: number): number[][] {
  return Array.from({ length: h * w }, (_, p) => Array.from({ length: c }, (_, ch) => nchw[ch * h * w + p]));
}

export interface StreamRun {
  /** Cycle at which each frame's first beat was taken. */
  frames: number[];
  /** Each output beat: the cycle it was taken and its values. */
  outputs: { cycle: number; values: number[] }[];
}

export interface StreamOptions {
  inBytes: number;
  outBytes: number;
  outputs: number;
  frameBeats: number;
  frameGap?: number;
  inputGapSeed?: number;
  stallSeed?: number;
  /** The testbench's bound on the cycles (its default suits a layer taking a beat per cycle). */
  maxCycles?: number;
}

let runs = 0;

/** Stream `beats` through the harness (ep_pixel_stream_tb.h's arguments) and parse what it prints. */
export async function runStream(harness: VerilatorHarness, dir: string, beats: number[][], o: StreamOptions, what: string): Promise<StreamRun> {
  const file = path.join(dir, `beats-${runs++}.txt`);
  fs.writeFileSync(file, beats.map((b) => b.join(' ')).join('\n'));
  const args = [o.inBytes, o.outBytes, file, o.outputs, o.frameBeats, o.frameGap ?? 0, o.inputGapSeed ?? 0, o.stallSeed ?? 0, ...(o.maxCycles ? [o.maxCycles] : [])].map(String);
  const text = await runVerilatorHarness(harness, args, what);
  fs.rmSync(file, { force: true });
  const run: StreamRun = { frames: [], outputs: [] };
  for (const line of text.trim().split('\n')) {
    const [kind, cycle, ...values] = line.split(' ');
    if (kind === 'f') run.frames.push(Number(cycle));
    else if (kind === 'o') run.outputs.push({ cycle: Number(cycle), values: values.map(Number) });
  }
  return run;
}

/** The first mismatches between the simulated output beats and the expected ones, as readable lines. */
export function mismatches(got: StreamRun, want: number[][], label: (i: number) => string): string[] {
  const wrong: string[] = [];
  if (got.outputs.length !== want.length) wrong.push(`${got.outputs.length} output beats, ${want.length} expected`);
  want.forEach((w, i) => {
    const g = got.outputs[i]?.values;
    if (g && g.join() !== w.join()) wrong.push(`${label(i)}: Verilator ${g.join(',')}, interpreter ${w.join(',')}`);
  });
  return wrong.slice(0, 3);
}

/** A spatial layer under test: its geometry, channels in and out, and its latency after the step t(r, c). */
export interface StreamLayer extends Geometry {
  name: string;
  cIn: number;
  cOut: number;
  latency: number;
  /**
   * A folded layer's documented cycle of output k (raster order) after the frame's first pixel, given its step t; only
   * the first frame is timed then. By default t + latency, every frame.
   */
  outputCycle?: (k: number, t: number) => number;
}

/**
 * Stream the images (NCHW) through the layer three ways and check every output against `want` (NCHW per image):
 * back to back, with gaps between frames (both at the documented cycles: `latency` after the step t(r, c)), and
 * under random input gaps and output stalls.
 */
export async function checkPixelStream(l: StreamLayer, harness: VerilatorHarness, dir: string, images: number[][], want: number[][]): Promise<void> {
  const { h, w } = outSize(l);
  const beats = images.flatMap((img) => toBeats(img, l.cIn, l.H, l.W));
  const expected = want.flatMap((y) => toBeats(y, l.cOut, h, w));
  const label = (i: number) => `frame ${Math.floor(i / (h * w))} output (${Math.floor((i % (h * w)) / w)}, ${i % w})`;
  // A folded layer: its last output's documented cycle bounds a frame; four times that for all of them under stalls.
  const maxCycles = l.outputCycle ? 4 * images.length * (l.outputCycle(h * w - 1, emitStep(l, h - 1, w - 1)) + 64) : undefined;
  const base = { inBytes: l.cIn, outBytes: l.cOut, outputs: expected.length, frameBeats: l.H * l.W, maxCycles };
  for (const [frameGap, inputGapSeed, stallSeed] of [[0, 0, 0], [3, 0, 0], [2, 11, 7]]) {
    const what = `${l.name}, frame gap ${frameGap}, input gap seed ${inputGapSeed}, stall seed ${stallSeed}`;
    const run = await runStream(harness, dir, beats, { ...base, frameGap, inputGapSeed, stallSeed }, `simulating ${what}`);
    expect(mismatches(run, expected, label), what).toEqual([]);
    expect(run.frames.length).toBe(images.length);
    if (inputGapSeed !== 0 || stallSeed !== 0) continue;
    // Without stalls or gaps inside frames, output (r, c) of frame f comes `latency` cycles after step t(r, c).
    const timed = l.outputCycle ? run.outputs.slice(0, h * w) : run.outputs;
    const late = timed.flatMap((o, i) => {
      const f = Math.floor(i / (h * w));
      const k = i % (h * w);
      const t = emitStep(l, Math.floor(k / w), k % w);
      const documented = run.frames[f] + (l.outputCycle ? l.outputCycle(k, t) : t + l.latency);
      return o.cycle === documented ? [] : [`${label(i)} at cycle ${o.cycle}, documented ${documented}`];
    });
    expect(late.slice(0, 3), what).toEqual([]);
    // Back to back: frame after frame, one pixel per cycle.
    if (frameGap === 0 && !l.outputCycle) expect(run.frames.map((c, f) => c - run.frames[0] - f * l.H * l.W)).toEqual(images.map(() => 0));
  }
}
