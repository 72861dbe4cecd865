// An in-memory data set: float features of a fixed per-sample shape, with class labels or regression targets.

import { shapeSize, Tensor } from '../ir/tensor.js';

export interface Dataset {
  /** Row-major features, `count` × product(featureShape). */
  features: Float32Array;
  /** Class labels (classification); zeros for regression. */
  labels: Int32Array;
  count: number;
  /** Shape of one sample (e.g. [64] for flat 8x8 digits). */
  featureShape: number[];
  /** Number of classes (max label + 1); 0 for regression. */
  classes: number;
  /** Regression targets, `count` × product(targetShape), when the data set has them. */
  targets?: Float32Array;
  targetShape?: number[];
  /** Where it came from, for messages. */
  source: string;
  /** Which part of a split this is (train, validation, test), when it is one. */
  part?: string;
}

/** How messages name a data set: the file, and the split part when there is one. */
export function describeData(ds: Dataset): string {
  return `data '${ds.source}'${ds.part ? ` (${ds.part} split)` : ''}`;
}

export type Task = 'classification' | 'regression';

export function taskOf(ds: Dataset): Task {
  return ds.targets ? 'regression' : 'classification';
}

/** The samples at the given indices, as a new data set. */
export function subset(ds: Dataset, indices: readonly number[], part?: string): Dataset {
  const width = ds.features.length / Math.max(1, ds.count);
  const features = new Float32Array(indices.length * width);
  const labels = new Int32Array(indices.length);
  const tWidth = ds.targets ? ds.targets.length / Math.max(1, ds.count) : 0;
  const targets = ds.targets ? new Float32Array(indices.length * tWidth) : undefined;
  indices.forEach((idx, i) => {
    features.set(ds.features.subarray(idx * width, (idx + 1) * width), i * width);
    labels[i] = ds.labels[idx];
    if (targets) targets.set(ds.targets!.subarray(idx * tWidth, (idx + 1) * tWidth), i * tWidth);
  });
  const out: Dataset = { features, labels, count: indices.length, featureShape: [...ds.featureShape], classes: ds.classes, source: ds.source, part: part ?? ds.part };
  if (targets) {
    out.targets = targets;
    out.targetShape = [...(ds.targetShape ?? [tWidth])];
  }
  return out;
}

/** The samples of `a` then those of `b` (same sample shape, both classification or both regression), as one data set. */
export function concatDatasets(a: Dataset, b: Dataset, part?: string): Dataset {
  if (shapeSize(a.featureShape) !== shapeSize(b.featureShape) || !a.targets !== !b.targets) throw new Error(`cannot join ${describeData(a)} and ${describeData(b)}: different samples`);
  const join = (x: Float32Array, y: Float32Array) => {
    const out = new Float32Array(x.length + y.length);
    out.set(x);
    out.set(y, x.length);
    return out;
  };
  const labels = new Int32Array(a.count + b.count);
  labels.set(a.labels);
  labels.set(b.labels, a.count);
  const out: Dataset = { features: join(a.features, b.features), labels, count: a.count + b.count, featureShape: [...a.featureShape], classes: Math.max(a.classes, b.classes), source: a.source, part };
  if (a.targets && b.targets) {
    out.targets = join(a.targets, b.targets);
    out.targetShape = a.targetShape;
  }
  return out;
}

/** The same samples seen with another per-sample shape (same element count). */
export function withFeatureShape(ds: Dataset, featureShape: number[]): Dataset {
  return { ...ds, featureShape: [...featureShape] };
}

/** Samples `indices` of a data set as tensors of `shape` (one sample each: a model input, batch included). */
export function sampleTensors(ds: Dataset, indices: readonly number[], shape: number[]): Tensor[] {
  const per = shapeSize(ds.featureShape);
  if (shapeSize(shape) !== per) throw new Error(`a sample of ${describeData(ds)} has ${per} features, not ${shapeSize(shape)} (${shape.join('x')})`);
  return indices.map((i) => new Tensor('float32', shape, ds.features.slice(i * per, (i + 1) * per)));
}
