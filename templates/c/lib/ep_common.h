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

/* EP_ALIGN(n): align a variable to n bytes, written before its type (`static EP_ALIGN(8) uint8_t a[16];`), as the
 * generated arena and weight arrays use it. GCC and Clang (and compilers that define __GNUC__: armclang, TI's and
 * NXP's GCC-compatible modes) take the attribute, other C11 compilers _Alignas (IAR, MSVC /std:c11). Older compilers:
 * define EP_ALIGN(n) for them (-D'EP_ALIGN(n)=...'); an empty EP_ALIGN is wrong for pruned layers, whose uint8/uint16
 * index arrays the sparse kernels read as words (4-byte alignment at least). */
#ifndef EP_ALIGN
#if defined(__GNUC__)
#define EP_ALIGN(n) __attribute__((aligned(n)))
#elif defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L
#define EP_ALIGN(n) _Alignas(n)
#else
#error "EP_ALIGN(n) is not known for this compiler: define it (align a variable to n bytes), e.g. -D'EP_ALIGN(n)=...'"
#endif
#endif

/* Hides a value's origin from gcc (an empty asm that may have changed its register), so that gcc cannot rewrite the
 * code around it: ep_sparse.h's and ep_int8_sparse.h's tap pointers (gcc otherwise keeps one base register per pixel
 * for an input at a constant address, as in the generated model.c, and adds the tap offset to each), ep_int8_dense.h's
 * x - x_zp (with x_zp = 1 or -1 gcc 12 otherwise distributes each product into x * w +- w). */
#if defined(__GNUC__)
#define EP__OPAQUE(v) __asm__("" : "+r"(v))
#else
#define EP__OPAQUE(v) ((void)0)
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
