// Calibration observers: the running min/max of a tensor, and a fixed-range histogram for the percentile and MSE ranges.

/** The range of values a tensor took over the calibration set. */
export interface ValueRange {
  min: number;
  max: number;
}

/** Running minimum and maximum (first calibration pass). */
export class MinMaxObserver {
  min = Infinity;
  max = -Infinity;
  count = 0;

  observe(data: ArrayLike<number>): void {
    let { min, max } = this;
    for (let i = 0; i < data.length; i++) {
      const v = data[i];
      if (v < min) min = v;
      if (v > max) max = v;
    }
    this.min = min;
    this.max = max;
    this.count += data.length;
  }

  range(): ValueRange {
    return this.count === 0 ? { min: 0, max: 0 } : { min: this.min, max: this.max };
  }
}

/** Bins of the histograms: fine enough that a bin is 1/8 of an int8 step over the unclipped range. */
export const HISTOGRAM_BINS = 2048;

/**
 * A histogram over the observed [min, max] (second calibration pass). Exact zeros are counted apart:
 * real 0 is exact in every asymmetric int8 range, so they add no quantization error whatever the clip.
 */
export class Histogram {
  readonly counts: Float64Array;
  zeros = 0;
  total = 0;

  constructor(
    readonly lo: number,
    readonly hi: number,
    readonly bins = HISTOGRAM_BINS,
  ) {
    this.counts = new Float64Array(bins);
  }

  get binWidth(): number {
    return (this.hi - this.lo) / this.bins;
  }

  /** The bin of a value within [lo, hi] (values outside are clamped to the end bins). */
  binOf(v: number): number {
    if (this.hi === this.lo) return 0;
    const i = Math.floor(((v - this.lo) / (this.hi - this.lo)) * this.bins);
    return i < 0 ? 0 : i >= this.bins ? this.bins - 1 : i;
  }

  observe(data: ArrayLike<number>): void {
    for (let i = 0; i < data.length; i++) {
      const v = data[i];
      if (v === 0) this.zeros++;
      else this.counts[this.binOf(v)]++;
    }
    this.total += data.length;
  }
}
