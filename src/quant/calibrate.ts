// Calibration: run the float graph through the interpreter over the calibration set and choose each activation's clip range.
//
// Pass 1 records every observed tensor's min and max. When a tensor's method is percentile or MSE, a
// histogram over that range is then filled (from the values pass 1 kept, or by running the graph again
// when they would take more than 64 MiB), and the clip range chosen from it (src/quant/clip-range.ts).

import { UserError } from '../errors.js';
import type { Graph } from '../ir/graph.js';
import { runGraph } from '../ir/interpreter.js';
import type { Tensor } from '../ir/tensor.js';
import { mseRange, percentileRange } from './clip-range.js';
import { Histogram, MinMaxObserver, type ValueRange } from './observers.js';

export const CALIBRATION_METHODS = ['minmax', 'percentile', 'mse'] as const;
export type CalibrationMethod = (typeof CALIBRATION_METHODS)[number];

/** The method of every tensor when none is given (the best of the three on the digits bench, bench/quantize-accuracy.ts). */
export const DEFAULT_CALIBRATION: CalibrationMethod = 'mse';

/** The percentile used when none is given: clips about 1 value in 10,000 at each end. */
export const DEFAULT_PERCENTILE = 99.99;

export interface CalibrationOptions {
  /** Method of every tensor without its own (default DEFAULT_CALIBRATION). */
  method?: CalibrationMethod;
  /** Methods of named tensors (the float graph's value names). */
  perTensor?: Readonly<Record<string, CalibrationMethod>>;
  /** The percentile of the percentile method, in (50, 100] (default 99.99). */
  percentile?: number;
}

export interface TensorCalibration {
  name: string;
  method: CalibrationMethod;
  /** What the tensor took over the calibration set. */
  observed: ValueRange;
  /** The range the method chose (before widening to hold 0). */
  clip: ValueRange;
}

/** Refuse a calibration tensor holding NaN or an infinity: no range can represent it. */
function checkFinite(name: string, t: Tensor, sample: number): void {
  const data = t.data as Float32Array;
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) {
      throw new UserError(
        `calibration sample ${sample + 1}: tensor '${name}' holds ${data[i]} at element ${i}`,
        'the float model does not compute finite values on this data; check the data and the model',
      );
    }
  }
}

/** Run every feed and hand each watched tensor's value to `visit`. */
function forEachValue(g: Graph, feeds: readonly Record<string, Tensor>[], names: readonly string[], visit: (name: string, t: Tensor, sample: number) => void): void {
  feeds.forEach((feed, sample) => {
    const env = runGraph(g, feed, { keepIntermediates: true });
    for (const name of names) {
      const t = env.get(name);
      if (!t) throw new Error(`calibration: tensor '${name}' was not computed`);
      visit(name, t, sample);
    }
  });
}

export function checkPercentile(p: number): void {
  if (!(p > 50 && p <= 100)) throw new UserError(`the calibration percentile is ${p}; it must be above 50 and at most 100`, 'give --percentile between 50 (exclusive) and 100, e.g. 99.99');
}

/** Values kept from pass 1 for the histograms, at most this many in all (64 MiB); past it, pass 2 runs the graph again. */
const KEPT_VALUES_LIMIT = 2 ** 24;

/** The clip range of each of `names` (float32 values of the graph) over the calibration feeds. */
export function calibrate(g: Graph, feeds: readonly Record<string, Tensor>[], names: readonly string[], options: CalibrationOptions = {}): Map<string, TensorCalibration> {
  const percentile = options.percentile ?? DEFAULT_PERCENTILE;
  checkPercentile(percentile);
  const methodOf = (name: string): CalibrationMethod => options.perTensor?.[name] ?? options.method ?? DEFAULT_CALIBRATION;
  const histogramNames = names.filter((n) => methodOf(n) !== 'minmax');
  const minMax = new Map(names.map((n) => [n, new MinMaxObserver()]));
  let kept: Map<string, Float32Array[]> | undefined = histogramNames.length > 0 ? new Map(histogramNames.map((n) => [n, []])) : undefined;
  let keptValues = 0;
  forEachValue(g, feeds, names, (name, t, sample) => {
    checkFinite(name, t, sample);
    const data = t.data as Float32Array;
    minMax.get(name)!.observe(data);
    const list = kept?.get(name);
    if (!list) return;
    keptValues += data.length;
    if (keptValues > KEPT_VALUES_LIMIT) kept = undefined;
    else list.push(data); // each run makes new tensors: keeping the reference is enough
  });
  const histograms = new Map<string, Histogram>();
  for (const name of histogramNames) {
    const r = minMax.get(name)!.range();
    histograms.set(name, new Histogram(r.min, r.max));
  }
  if (kept) {
    for (const [name, list] of kept) for (const data of list) histograms.get(name)!.observe(data);
  } else if (histograms.size > 0) {
    forEachValue(g, feeds, histogramNames, (name, t) => histograms.get(name)!.observe(t.data as Float32Array));
  }
  const result = new Map<string, TensorCalibration>();
  for (const name of names) {
    const method = methodOf(name);
    const observed = minMax.get(name)!.range();
    const h = histograms.get(name);
    const clip = method === 'percentile' ? percentileRange(h!, percentile) : method === 'mse' ? mseRange(h!) : observed;
    result.set(name, { name, method, observed, clip });
  }
  return result;
}
