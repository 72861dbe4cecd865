// Adversarial input vectors for the worst-case instruction count: all zeros, no zeros, the ends of the input range,
// float32's extremes, subnormals, NaNs, int8's extremes (src/cost/data-dependence.ts says which kernels they exercise).

import { UserError } from '../errors.js';
import { staticInfo, type Graph } from '../ir/graph.js';
import { shapeSize, Tensor } from '../ir/tensor.js';
import { Random } from '../util/random.js';
import { quantizeTieVectors } from './quantize-tie-vectors.js';
import { zeroPointVectors } from './zero-point-vectors.js';

export interface AdversarialVector {
  /** What the vector is (for reports): 'all zeros', 'subnormals', … */
  name: string;
  /** One tensor per graph input. */
  inputs: Tensor[];
}

export interface AdversarialOptions {
  /** The input range [min, max] the model is used on (e.g. [0, 1] for pixels); default [-1, 1]. */
  range?: [number, number];
  seed?: number;
}

const FLT_MAX = 3.4028234663852886e38;
/** The smallest subnormal float32 (2^-149) and the largest (just under 2^-126). */
const SUBNORMAL_MIN = 2 ** -149;
const SUBNORMAL_MAX = 2 ** -126 - 2 ** -149;

type Fill = (i: number, rng: Random) => number;

function floatFills(range: [number, number]): [string, Fill][] {
  const [lo, hi] = range;
  const top = Math.max(Math.abs(lo), Math.abs(hi));
  return [
    ['all zeros', () => 0],
    ['all ones', () => 1],
    ['random non-zero', (_, r) => {
      const v = r.uniform(lo, hi);
      return v === 0 ? hi : v;
    }],
    [`+max of the range (${hi})`, () => hi],
    [`-max of the range (${-top})`, () => -top],
    [`alternating ±max of the range (${top})`, (i) => (i % 2 ? -top : top)],
    ['smallest subnormals (±2^-149)', (i) => (i % 2 ? -SUBNORMAL_MIN : SUBNORMAL_MIN)],
    ['largest subnormals', () => SUBNORMAL_MAX],
    ['±float32 max', (i) => (i % 2 ? -FLT_MAX : FLT_MAX)],
  ];
}

/**
 * The fills of ordinary values (random in the range, no zeros or specials): the cost model's error on them is its own,
 * as on a typical vector, and the worst-case bound takes it as it takes the typical vectors' (worst-case-report.ts). The
 * user's typical vectors may miss it: real data with many zeros is over-predicted by the zero shortcuts of the
 * data-dependent kernels, which hid the data-independent kernels' under-prediction (an int8 CNN on lm3s6965).
 */
export const ORDINARY_FILLS: ReadonlySet<string> = new Set(['random non-zero', 'random int8']);

const INT8_FILLS: [string, Fill][] = [
  ['all zeros', () => 0],
  ['all -128', () => -128],
  ['all 127', () => 127],
  ['alternating -128 / 127', (i) => (i % 2 ? 127 : -128)],
  ['random int8', (_, r) => r.int(256) - 128],
];

/**
 * Infinities, which no model input should hold but a layer makes of ±float32 max (an overflowing sum): the worst-case
 * calibration feeds them to every float kernel too, since the kernel after such a layer sees them (a soft-float max
 * pool compares them on libgcc's slow path).
 */
const INFINITY_FILLS: [string, Fill][] = [
  ['+infinity', () => Infinity],
  ['-infinity', () => -Infinity],
  ['alternating ±infinity', (i) => (i % 2 ? -Infinity : Infinity)],
];

/**
 * Quiet NaNs (0x7fc00000), which a sensor can send or a layer make (inf − inf in an overflowing sum, 0 × inf): a float
 * max pool whose window starts with a NaN does that window again by the exact NaN rule (templates/c/lib/ep_pool.h),
 * and soft-float compares and arithmetic take libgcc's NaN paths. The finite values are random in the range, non-zero;
 * the single NaN is the first element (the first tap of the first pooling window).
 */
function nanFills(range: [number, number]): [string, Fill][] {
  const [lo, hi] = range;
  const finite: Fill = (_, r) => {
    const v = r.uniform(lo, hi);
    return v === 0 ? hi : v;
  };
  return [
    ['NaN everywhere', () => NaN],
    ['NaN alternating with finite values', (i, r) => (i % 2 ? finite(i, r) : NaN)],
    ['NaN at one position', (i, r) => (i === 0 ? NaN : finite(i, r))],
  ];
}

/** The names of the NaN vectors (for the bench that compares their counts with the other vectors'). */
export const NAN_FILL_NAMES: ReadonlySet<string> = new Set(nanFills([0, 1]).map(([name]) => name));

const hasFloatInput = (g: Graph): boolean => g.inputs.some((v) => staticInfo(g, v.name).dtype === 'float32');

/** NaN vectors of a model with a float32 input (none otherwise). */
function nanVectors(g: Graph, o: AdversarialOptions): AdversarialVector[] {
  return hasFloatInput(g) ? vectorsOf(g, nanFills(o.range ?? [-1, 1]), o.seed ?? 1, 200) : [];
}

/**
 * The vectors verify's worst case runs (verify --worst-case, build --levels): adversarialVectors, NaNs for float32
 * inputs, the rounding ties of a QuantizeLinear on the input, then int8 inputs at their zero point.
 */
export function worstCaseVectors(g: Graph, o: AdversarialOptions = {}): AdversarialVector[] {
  return [...adversarialVectors(g, o), ...nanVectors(g, o), ...quantizeTieVectors(g), ...zeroPointVectors(g)];
}

/**
 * The worst-case calibration's vectors of a kernel case: adversarialVectors, then infinities and NaNs for float32
 * inputs, the rounding ties of a QuantizeLinear on the input (quantize-tie-vectors.ts), then int8 inputs at their zero
 * point (zero-point-vectors.ts).
 */
export function calibrationAdversarialVectors(g: Graph, o: AdversarialOptions = {}): AdversarialVector[] {
  const float = hasFloatInput(g);
  return [...adversarialVectors(g, o), ...(float ? vectorsOf(g, INFINITY_FILLS, o.seed ?? 1, 100) : []), ...nanVectors(g, o), ...quantizeTieVectors(g), ...zeroPointVectors(g)];
}

/**
 * The vectors, one set of fills for every input of the model (float32 or int8 inputs). The same model and options give
 * the same vectors.
 */
export function adversarialVectors(g: Graph, o: AdversarialOptions = {}): AdversarialVector[] {
  const range = o.range ?? [-1, 1];
  if (!(range[0] <= range[1]) || !range.every(Number.isFinite)) throw new UserError(`the input range [${range.join(', ')}] must be finite with min ≤ max`);
  const infos = g.inputs.map((v) => staticInfo(g, v.name));
  const kinds = new Set(infos.map((i) => i.dtype));
  for (const k of kinds) if (k !== 'float32' && k !== 'int8') throw new UserError(`adversarial vectors are for float32 and int8 inputs; this model has a ${k} input`);
  const fills = kinds.has('int8') && !kinds.has('float32') ? INT8_FILLS : floatFills(range);
  return vectorsOf(g, fills, o.seed ?? 1, 0);
}

/** One vector per fill; `first`: the first fill's number in the seeds of the fills' random streams. */
function vectorsOf(g: Graph, fills: [string, Fill][], seed: number, first: number): AdversarialVector[] {
  const infos = g.inputs.map((v) => staticInfo(g, v.name));
  return fills.map(([name, fill], n) => {
    const rng = new Random(seed * 1000 + first + n);
    return {
      name,
      inputs: infos.map((info) => {
        const size = shapeSize(info.shape);
        const values = Array.from({ length: size }, (_, i) => {
          const v = fill(i, rng);
          return info.dtype === 'int8' ? Math.max(-128, Math.min(127, Math.round(v))) : v;
        });
        return Tensor.fromNumbers(info.dtype, info.shape, values);
      }),
    };
  });
}
