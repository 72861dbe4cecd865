// Elementwise arithmetic, activations, comparisons, reductions and casts.

import type { OpDef } from '../op-def.js';
import { Abs } from '../abs.js';
import { Add } from '../add.js';
import { ArgMax } from '../arg-max.js';
import { Cast } from '../cast.js';
import { CastLike } from '../cast-like.js';
import { Clip } from '../clip.js';
import { Div } from '../div.js';
import { Dropout } from '../dropout.js';
import { Equal } from '../equal.js';
import { Erf } from '../erf.js';
import { Exp } from '../exp.js';
import { Greater } from '../greater.js';
import { GreaterOrEqual } from '../greater-or-equal.js';
import { HardSigmoid } from '../hard-sigmoid.js';
import { HardSwish } from '../hard-swish.js';
import { LeakyRelu } from '../leaky-relu.js';
import { Less } from '../less.js';
import { LessOrEqual } from '../less-or-equal.js';
import { Log } from '../log.js';
import { LogSoftmax } from '../log-softmax.js';
import { Max } from '../max.js';
import { Mean } from '../mean.js';
import { Min } from '../min.js';
import { Mul } from '../mul.js';
import { Neg } from '../neg.js';
import { Not } from '../not.js';
import { Pow } from '../pow.js';
import { PRelu } from '../prelu.js';
import { ReduceMax } from '../reduce-max.js';
import { ReduceMean } from '../reduce-mean.js';
import { ReduceMin } from '../reduce-min.js';
import { ReduceSum } from '../reduce-sum.js';
import { Relu } from '../relu.js';
import { Sigmoid } from '../sigmoid.js';
import { Softmax } from '../softmax.js';
import { Sqrt } from '../sqrt.js';
import { Sub } from '../sub.js';
import { Sum } from '../sum.js';
import { Tanh } from '../tanh.js';
import { Where } from '../where.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const ELEMENTWISE_OPS: readonly OpDef<any>[] = [
  Abs, Add, ArgMax, Cast, CastLike, Clip, Div, Dropout, Equal, Erf, Exp, Greater, GreaterOrEqual, HardSigmoid, HardSwish,
  LeakyRelu, Less, LessOrEqual, Log, LogSoftmax, Max, Mean, Min, Mul, Neg, Not, Pow, PRelu, ReduceMax, ReduceMean,
  ReduceMin, ReduceSum, Relu, Sigmoid, Softmax, Sqrt, Sub, Sum, Tanh, Where,
];
