/* Accuracy of the deterministic float math of templates/c/lib/ep_math.h on the host: sweeps inputs
 * (every `step`-th float of each range, by bit pattern) and reports the largest error in units in the
 * last place of the float result, against the double-precision C library (as a reference).
 *   gcc -std=c11 -ffp-contract=off -O2 -I templates/c/lib bench/kernels/math-accuracy.c -lm && ./a.out [step]
 * Prints "<function> max_ulp <value> at <input>" lines. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include "ep_math.h"

/* |got - want| in ulps of the float nearest to want. */
static double ulp_error(float got, double want) {
  if (isnan(want)) return isnan(got) ? 0.0 : (double)INFINITY;
  if (isinf(want)) return (float)want == got ? 0.0 : (double)INFINITY;
  const float w = (float)want;
  if (isinf(w)) return isinf(got) && (got > 0) == (w > 0) ? 0.0 : fabs((double)got - want) / ldexp(1.0, 104);
  int e;
  frexp(w == 0.0f ? 1e-45 : (double)w, &e);
  double ulp = ldexp(1.0, e - 24);
  if (ulp < ldexp(1.0, -149)) ulp = ldexp(1.0, -149);
  return fabs((double)got - want) / ulp;
}

typedef struct {
  const char *name;
  float lo, hi;
  float (*f)(float);
  double (*ref)(double);
} Case;

static float f_exp(float x) { return ep_expf(x); }
static float f_log(float x) { return ep_logf(x); }
static float f_tanh(float x) { return ep_tanhf(x); }
static float f_erf(float x) { return ep_erff(x); }
static float f_pow_y(float y) { return ep_powf(1.7f, y); }
static double r_pow_y(double y) { return pow((double)1.7f, y); }
static float f_pow_x(float x) { return ep_powf(x, 2.7f); }
static double r_pow_x(double x) { return pow(x, (double)2.7f); }
static float f_pow_n(float x) { return ep_powf(x, -3.0f); }
static double r_pow_n(double x) { return pow(x, -3.0); }

static void sweep(const Case *c, unsigned step) {
  double worst = 0.0;
  float at = 0.0f;
  for (int sign = 0; sign < 2; sign++) {
    const float a = sign ? -c->hi : c->lo, b = sign ? -c->lo : c->hi;
    if (sign && c->lo >= 0.0f) continue;
    const float lo = a < b ? a : b, hi = a < b ? b : a;
    for (float x = lo; x <= hi;) {
      const double err = ulp_error(c->f(x), c->ref((double)x));
      if (err > worst) {
        worst = err;
        at = x;
      }
      uint32_t u = ep__bits(x);
      if (x >= 0.0f) u += step;
      else if ((u & 0x7fffffffu) <= step) u = 0;
      else u -= step;
      const float next = ep__from_bits(u);
      if (!(next > x)) break;
      x = next;
    }
  }
  printf("%-6s max_ulp %.3f at %.9g\n", c->name, worst, (double)at);
}

int main(int argc, char **argv) {
  const unsigned step = argc > 1 ? (unsigned)atoi(argv[1]) : 17u;
  const Case cases[] = {
      {"exp", 0.0f, 88.7f, f_exp, exp},          {"exp", -103.9f, 0.0f, f_exp, exp},
      {"log", 1e-45f, 3.4e38f, f_log, log},      {"tanh", 0.0f, 10.0f, f_tanh, tanh},
      {"erf", 0.0f, 5.0f, f_erf, erf},           {"pow_y", -150.0f, 150.0f, f_pow_y, r_pow_y},
      {"pow_x", 1e-30f, 1e12f, f_pow_x, r_pow_x}, {"pow_n", -1e12f, 1e12f, f_pow_n, r_pow_n},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) sweep(&cases[i], step);
  return 0;
}
