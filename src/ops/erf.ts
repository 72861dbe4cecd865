// Erf: the Gauss error function, elementwise, accurate to double precision.

import { FLOAT_TYPES } from './util/check.js';
import { unaryOp } from './util/ew-unary.js';

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

/**
 * erf(x) for x >= 0. Below 3: the series 2/√π · e^(-x²) · Σ (2x²)^n · x / (1·3·…·(2n+1)), whose
 * terms are all positive (no cancellation). From 3 on: erfc by its continued fraction (Lentz).
 */
function erfNonNegative(x: number): number {
  if (x < 3) {
    const x2 = x * x;
    let term = x;
    let sum = x;
    for (let n = 1; n < 200 && term > sum * 1e-17; n++) {
      term *= (2 * x2) / (2 * n + 1);
      sum += term;
    }
    return TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
  }
  if (x > 6) return 1;
  return 1 - erfcContinuedFraction(x);
}

/** erfc(x) = e^(-x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))), evaluated by the modified Lentz method. */
function erfcContinuedFraction(x: number): number {
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let k = 1; k < 500; k++) {
    const a = k / 2;
    d = x + a * d;
    d = d === 0 ? 1 / tiny : 1 / d;
    c = x + a / c;
    if (c === 0) c = tiny;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
}

export function erf(x: number): number {
  if (Number.isNaN(x)) return x;
  return x < 0 ? -erfNonNegative(-x) : erfNonNegative(x);
}

export const Erf = unaryOp({ opType: 'Erf', types: FLOAT_TYPES, kernel: () => erf });
