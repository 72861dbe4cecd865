/* edgeprune MCU kernels: shared macros and enums (float32, NCHW, batch 1).
 * Every kernel is a static inline function forced inline (EP_INLINE) so that each call site with
 * literal constant shapes compiles into a loop nest specialized for that layer.
 * Build with -std=c11 -ffp-contract=off; multiply-accumulates call fmaf() explicitly. */
#ifndef EP_COMMON_H
#define EP_COMMON_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#if defined(__GNUC__)
#define EP_INLINE static inline __attribute__((always_inline))
/* One function per layer step, never inlined into the model's run function: each layer's kernels get
 * the registers to themselves, as in a one-layer model (what the cost model is calibrated on). */
#define EP_STEP static __attribute__((noinline)) void
#define EP_UNROLL(n) _Pragma(EP__STR(GCC unroll n))
#define EP__STR(x) #x
/* Kernels take their register-tiled, unrolled paths only when the shapes are compile-time constants
 * (the emitter passes literals); EP_GENERIC_ONLY forces the generic loops (tests, debugging). */
#ifdef EP_GENERIC_ONLY
#define EP_CONSTANT(x) 0
#else
#define EP_CONSTANT(x) __builtin_constant_p(x)
#endif
/* An empty volatile asm: no instruction, but gcc's instruction scheduler does not move code across it,
 * which keeps it from stretching register lifetimes in unrolled register-blocked loops. */
#define EP_SCHED_BARRIER() __asm__ volatile("")
#else
#define EP_SCHED_BARRIER() ((void)0)
#define EP_INLINE static inline
#define EP_STEP static void
#define EP_UNROLL(n)
#define EP_CONSTANT(x) 0
#endif

#define EP_MIN(a, b) ((a) < (b) ? (a) : (b))
#define EP_MAX(a, b) ((a) > (b) ? (a) : (b))

/* Largest tensor rank the data-movement and broadcasting kernels accept. */
#define EP_MAX_RANK 6

/* Floor and ceiling of a / b for b > 0 and any sign of a. */
EP_INLINE int ep__floor_div(int a, int b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }
EP_INLINE int ep__ceil_div(int a, int b) { return a >= 0 ? (a + b - 1) / b : -((-a) / b); }

/* Fused activation clamp [lo, hi]; -INFINITY / INFINITY switch a side off (folded away when the
 * bound is a constant). The lower bound follows Relu for NaN (NaN becomes lo); the upper bound
 * keeps NaN. */
EP_INLINE float ep__clamp(float v, float lo, float hi) {
  if (lo > -INFINITY) v = v > lo ? v : lo;
  if (hi < INFINITY) v = v < hi ? v : hi;
  return v;
}

#endif /* EP_COMMON_H */
