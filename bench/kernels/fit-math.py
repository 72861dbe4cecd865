#!/usr/bin/env python3
"""Derivation of the polynomial coefficients in templates/c/lib/ep_math.h (needs numpy; not run in CI).

Each polynomial is a weighted least-squares fit at 2000 Chebyshev nodes (close to the minimax fit)
in double precision, with weights that make the fitted quantity's relative error uniform; the
coefficients are then rounded to float. Accuracy of the resulting C functions is measured by
bench/kernels/math-accuracy.c. Run: python3 bench/kernels/fit-math.py
"""
import math
import numpy as np


def fit(f, a, b, deg, weight, n=2000):
    k = np.arange(n)
    x = (a + b) / 2 + (b - a) / 2 * np.cos(np.pi * (k + 0.5) / n)
    y = np.array([f(v) for v in x])
    w = np.array([weight(v) for v in x])
    V = np.vander(x, deg + 1, increasing=True)
    coef, *_ = np.linalg.lstsq(V * w[:, None], y * w, rcond=None)
    return [float(np.float32(c)) for c in coef]


def show(name, coef):
    print(f'{name}: ' + ', '.join('%.9ef' % c for c in coef) + '   (constant term first)')


# ep_expf: e^r = 1 + r + r^2 q(r), |r| <= ln2/2; q of degree 5.
h = math.log(2) / 2
show('exp q(r)', fit(lambda r: (math.expm1(r) - r) / (r * r) if abs(r) > 1e-6 else 0.5 + r / 6, -h, h, 5,
                     weight=lambda r: r * r / math.exp(r)))

# ep_tanhf: tanh(z) = z + z^3 T(z^2) for z < 0.625; T of degree 6 in w = z^2.
def tanh_t(w):
    z = math.sqrt(w)
    return (math.tanh(z) - z) / z ** 3 if w > 1e-8 else -1 / 3 + 2 * w / 15
show('tanh T(w)', fit(tanh_t, 0, 0.625 ** 2, 6, weight=lambda w: math.sqrt(w) ** 3 / math.tanh(max(math.sqrt(w), 1e-9))))

# ep_erff: erf(z) = z + z E(z^2) for z < 1; E of degree 7 in w = z^2.
def erf_e(w):
    z = math.sqrt(w)
    return math.erf(z) / z - 1 if w > 1e-10 else 2 / math.sqrt(math.pi) * (1 - w / 3) - 1
show('erf E(w)', fit(erf_e, 0, 1, 7, weight=lambda w: math.sqrt(w) / math.erf(max(math.sqrt(w), 1e-9))))

# ep_erff: erfc(z) = e^(-z^2) / z * H(v) for 1 <= z < 4, v = (1/z^2 - 17/32) / (15/32); H of degree 10.
c, hh = 17 / 32, 15 / 32
def erfc_h(v):
    s = c + hh * v
    return math.erfc(1 / math.sqrt(s)) * math.exp(1 / s) / math.sqrt(s)
show('erfc H(v)', fit(erfc_h, -1, 1, 10, weight=lambda v: 1 / erfc_h(v)))
