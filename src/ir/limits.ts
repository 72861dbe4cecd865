// Resource limits every model stays within, checked before anything is allocated or computed, so that a
// corrupt or hostile file gets a clear error instead of exhausting the machine's memory or time.

import { UserError } from '../errors.js';
import { allocData, type DType } from './dtype.js';

/**
 * Why these numbers. edgeprune's largest target (stm32h743) has 2 MiB of flash and 512 KiB of RAM; a
 * model it can ever compile, even pruned by 90% and quantized, has tensors of a few hundred thousand
 * elements. The limits leave room for far more than that, so that `inspect` still reads ImageNet-size
 * networks (ResNet-50: 25.6 M parameters, 102 MB of weights, largest activation 0.8 M elements), while
 * keeping one command on any input under about 500 MB of memory (Node itself takes about 100 MB):
 *
 * - maxTensorElements 2^24 (16.8 M) and maxTensorBytes 64 MiB: one tensor, constant or computed. A
 *   folded op holds its output plus at most two such buffers of temporaries (broadcast offsets, the
 *   float64 accumulator of a convolution).
 * - maxRank 32: ONNX models use rank 6 at most; the bound keeps every per-axis loop trivial.
 * - maxListValues 1,024: an attribute list or a constant list input of a shape op (perm, axes, pads,
 *   kernel_shape, a Reshape shape, Split sizes) holds one or two values per axis, or one per output;
 *   Constant's value lists are data and are not bounded by it.
 * - maxConstantBytes 128 MiB: every constant of one model (initializers, attribute tensors, folded
 *   values), 64 times the largest target's flash.
 * - maxFoldWork 2^25 elementary operations (about a second of the reference interpreter): what constant
 *   folding may spend on one model. Shape arithmetic costs a few operations; folding a weight transform
 *   costs its size; what does not fit stays a run-time op.
 * - maxFileBytes 256 MiB: a model file or weight shard; a larger one cannot hold a model within the
 *   constant limit.
 * - maxLiveBytes 256 MiB: values alive at once while the reference interpreter runs a model.
 */
export interface Limits {
  maxTensorElements: number;
  maxTensorBytes: number;
  maxRank: number;
  maxListValues: number;
  maxConstantBytes: number;
  maxFoldWork: number;
  maxFileBytes: number;
  maxLiveBytes: number;
}

const MIB = 1024 * 1024;

export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  maxTensorElements: 2 ** 24,
  maxTensorBytes: 64 * MIB,
  maxRank: 32,
  maxListValues: 1024,
  maxConstantBytes: 128 * MIB,
  maxFoldWork: 2 ** 25,
  maxFileBytes: 256 * MIB,
  maxLiveBytes: 256 * MIB,
});

let current: Readonly<Limits> = DEFAULT_LIMITS;

/** The limits in force. */
export function limits(): Readonly<Limits> {
  return current;
}

/** Run `fn` with some limits lowered (tests and the fuzz runs use small limits to stay fast). */
export function withLimits<T>(overrides: Partial<Limits>, fn: () => T): T {
  const saved = current;
  current = Object.freeze({ ...saved, ...overrides });
  try {
    return fn();
  } finally {
    current = saved;
  }
}

const storageBytes = new Map<DType, number>();

/** Bytes one element takes in the IR's storage (float16 is held as float32, sub-byte types as bytes). */
export function storageBytesPerElement(dtype: DType): number {
  let b = storageBytes.get(dtype);
  if (b === undefined) {
    b = allocData(dtype, 0).BYTES_PER_ELEMENT;
    storageBytes.set(dtype, b);
  }
  return b;
}

/** A count in a message: 16777216 → 16,777,216 (and 9.904e+27 for sizes past 2^53). */
export function countText(n: number): string {
  return Number.isSafeInteger(n) ? n.toLocaleString('en-US') : n.toExponential(3);
}

/**
 * Why a tensor of this shape and type may not exist, or undefined when it may: a dimension that is
 * not a non-negative integer, a rank, element count or byte size beyond the limits.
 */
export function tensorShapeProblem(shape: readonly unknown[], dtype: DType): string | undefined {
  const lim = current;
  if (shape.length > lim.maxRank) return `has rank ${shape.length}, more than the limit of ${lim.maxRank}`;
  const bad = shape.find((d) => typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0);
  if (bad !== undefined) return `has an invalid dimension ${String(bad)} (shape [${shape.join(', ')}]): dimensions are non-negative integers`;
  const dims = shape as readonly number[];
  let elements = 1;
  for (const d of dims) elements *= d;
  const text = dims.length ? dims.join('x') : 'scalar';
  if (elements > lim.maxTensorElements || dims.some((d) => d > lim.maxTensorElements)) {
    return `would have ${countText(elements)} elements (shape ${text}), more than the limit of ${countText(lim.maxTensorElements)} per tensor`;
  }
  const bytes = elements * storageBytesPerElement(dtype);
  if (bytes > lim.maxTensorBytes) {
    return `would take ${countText(bytes)} bytes (${dtype}, shape ${text}), more than the limit of ${countText(lim.maxTensorBytes)} bytes per tensor`;
  }
  return undefined;
}

/** Throw a user error `<what> <problem>` when a tensor of this shape may not exist. */
export function checkTensorShape(shape: readonly unknown[], dtype: DType, what: string): void {
  const problem = tensorShapeProblem(shape, dtype);
  if (problem) throw new UserError(`${what} ${problem}`, 'the model is corrupt, or far larger than any microcontroller model');
}

/** A running total against one limit (the constants of a model, the work of constant folding). */
export class Budget {
  private used = 0;

  constructor(
    private readonly limit: number,
    private readonly unit: string,
    private readonly what: string,
  ) {}

  get spent(): number {
    return this.used;
  }

  /** Whether `amount` more still fits. */
  fits(amount: number): boolean {
    return this.used + amount <= this.limit;
  }

  /** Spend `amount`, or throw a user error naming `who` when the total would pass the limit. */
  charge(amount: number, who: string): void {
    if (!this.fits(amount)) {
      throw new UserError(
        `${who} brings ${this.what} to ${countText(this.used + amount)} ${this.unit}, more than the limit of ${countText(this.limit)} ${this.unit}`,
        'the model is corrupt, or far larger than any microcontroller model',
      );
    }
    this.used += amount;
  }
}

/** The budget of every constant one model holds. */
export function constantBudget(): Budget {
  return new Budget(current.maxConstantBytes, 'bytes', "the model's constants");
}
