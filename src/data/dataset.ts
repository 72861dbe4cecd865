// An in-memory labelled data set: float features of a fixed per-sample shape and integer class labels.

export interface Dataset {
  /** Row-major features, `count` × product(featureShape). */
  features: Float32Array;
  labels: Int32Array;
  count: number;
  /** Shape of one sample (e.g. [64] for flat 8x8 digits). */
  featureShape: number[];
  /** Number of classes (max label + 1). */
  classes: number;
  /** Where it came from, for messages. */
  source: string;
}

/** The samples at the given indices, as a new data set. */
export function subset(ds: Dataset, indices: readonly number[], source = ds.source): Dataset {
  const width = ds.features.length / Math.max(1, ds.count);
  const features = new Float32Array(indices.length * width);
  const labels = new Int32Array(indices.length);
  indices.forEach((idx, i) => {
    features.set(ds.features.subarray(idx * width, (idx + 1) * width), i * width);
    labels[i] = ds.labels[idx];
  });
  return { features, labels, count: indices.length, featureShape: [...ds.featureShape], classes: ds.classes, source };
}
