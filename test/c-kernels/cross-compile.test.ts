// Every kernel header compiles on its own, warning-free (-Werror), with arm-none-eabi-gcc for a Cortex-M4F
// (hard float; ep_sparse.h's inline assembly) and a Cortex-M3 (soft float; its C loop), with literal and with
// run-time arguments at -O2, also at -O0, -Os and -O3 for ep_sparse.h's fixed-register assembly and the int8 conv's
// assembly tiles; and the MNIST-like model's kernel code stays within its size budget. No QEMU needed.
// The objects go through the harness's object cache (test/support/cached-compile.ts), keyed by the compiler, the
// flags, the generated source's bytes and every kernel header's: with every header unchanged since the last run the
// file costs 3.4 CPU-s instead of 67 (cold), and a changed header recompiles every object (each key holds them all).
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileCached } from '../support/cached-compile.js';
import { skipWithoutTools } from '../support/toolchain.js';
import { KERNEL_DIR } from './harness.js';

const WARN = ['-std=c11', '-ffp-contract=off', '-O2', '-Wall', '-Wextra', '-Wshadow', '-Wdouble-promotion', '-Werror'];
const TARGETS: Record<string, string[]> = {
  'cortex-m4 hard float': ['-mcpu=cortex-m4', '-mthumb', '-mfloat-abi=hard', '-mfpu=fpv4-sp-d16'],
  'cortex-m3 soft float': ['-mcpu=cortex-m3', '-mthumb', '-mfloat-abi=soft'],
};

/** Calls of each header's kernels: `literal` with constant shapes (as the emitter writes), `runtime` with parameters. */
const USES: Record<string, { literal: string; runtime: string }> = {
  'ep_conv.h': {
    literal: [
      'ep_conv2d_f32(x, w, b, y, 8, 14, 14, 16, 5, 5, 14, 14, 1, 1, 1, 1, 2, 2, 1, 0.0f, INFINITY);',
      'ep_conv2d_f32(x, w, NULL, y, 16, 16, 16, 16, 3, 3, 8, 8, 2, 2, 1, 1, 1, 1, 16, -INFINITY, 6.0f);',
      'ep_conv2d_f32(x, w, b, y, 16, 7, 7, 12, 1, 1, 7, 7, 1, 1, 1, 1, 0, 0, 1, -INFINITY, INFINITY);',
      'ep_conv_transpose2d_f32(x, w, b, y, 4, 5, 5, 2, 3, 3, 10, 10, 2, 2, 1, 1, 1, 1, 1);',
    ].join('\n  '),
    runtime: [
      'ep_conv2d_f32(x, w, b, y, n[0], n[1], n[2], n[3], n[4], n[5], n[6], n[7], n[8], n[9], n[10], n[11], n[12], n[13], n[14], f0, f1);',
      'ep_conv_transpose2d_f32(x, w, b, y, n[0], n[1], n[2], n[3], n[4], n[5], n[6], n[7], n[8], n[9], n[10], n[11], n[12], n[13], n[14]);',
    ].join('\n  '),
  },
  'ep_dense.h': {
    literal: 'ep_dense_f32(x, w, b, y, 1, 256, 10, 0.0f, INFINITY);\n  ep_dense_f32(x, w, NULL, y, 3, 17, 13, -INFINITY, INFINITY);\n  ep_matmul_f32(x, w, y, 5, 7, 9);',
    runtime: 'ep_dense_f32(x, w, b, y, n[0], n[1], n[2], f0, f1);\n  ep_matmul_f32(x, w, y, n[0], n[1], n[2]);',
  },
  'ep_sparse.h': {
    literal: [
      'ep_sparse_dense_f32(x, (const uint16_t *)(const void *)w, (const uint32_t *)(const void *)b, w, b, y, 1, 256, 128, 0.0f, INFINITY);',
      'ep_sparse_dense_f32(x, (const uint16_t *)(const void *)w, (const uint32_t *)(const void *)b, w, NULL, y, 3, 17, 13, -INFINITY, INFINITY);',
      'ep_sparse_conv2d_f32(x, (const uint16_t *)(const void *)w, (const uint32_t *)(const void *)b, w, b, y, 8, 8, 8, 16, 3, 3, 8, 8, 1, 1, 1, 1, 1, 1, 1, 0.0f, INFINITY);',
      'ep_sparse_conv2d_f32(x, (const uint16_t *)(const void *)w, (const uint32_t *)(const void *)b, w, NULL, y, 16, 7, 7, 12, 1, 1, 7, 7, 1, 1, 1, 1, 0, 0, 1, -INFINITY, 6.0f);',
      'ep_sparse_conv2d_f32(x, (const uint16_t *)(const void *)w, (const uint32_t *)(const void *)b, w, b, y, 1, 28, 28, 8, 5, 5, 28, 28, 1, 1, 1, 1, 2, 2, 1, 0.0f, INFINITY);',
      'ep_sparse_conv2d_f32(x, (const uint16_t *)(const void *)w, (const uint32_t *)(const void *)b, w, b, y, 3, 32, 32, 8, 3, 3, 16, 16, 2, 2, 1, 1, 1, 1, 1, 0.0f, INFINITY);',
    ].join('\n  '),
    runtime: [
      'ep_sparse_dense_f32(x, (const uint16_t *)(const void *)w, (const uint32_t *)(const void *)b, w, b, y, n[0], n[1], n[2], f0, f1);',
      'ep_sparse_conv2d_f32(x, (const uint16_t *)(const void *)w, (const uint32_t *)(const void *)b, w, b, y, n[0], n[1], n[2], n[3], n[4], n[5], n[6], n[7], n[8], n[9], n[10], n[11], n[12], n[13], n[14], f0, f1);',
    ].join('\n  '),
  },
  'ep_pool.h': {
    literal: [
      'ep_maxpool2d_f32(x, y, 8, 28, 28, 14, 14, 2, 2, 2, 2, 1, 1, 0, 0);',
      'ep_avgpool2d_f32(x, y, 3, 9, 10, 5, 5, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1);',
      'ep_global_avgpool_f32(x, y, 16, 49);',
      'ep_global_maxpool_f32(x, y, 16, 49);',
    ].join('\n  '),
    runtime: [
      'ep_maxpool2d_f32(x, y, n[0], n[1], n[2], n[3], n[4], n[5], n[6], n[7], n[8], n[9], n[10], n[11], n[12]);',
      'ep_avgpool2d_f32(x, y, n[0], n[1], n[2], n[3], n[4], n[5], n[6], n[7], n[8], n[9], n[10], n[11], n[12], n[13], n[14], n[15]);',
      'ep_global_avgpool_f32(x, y, n[0], n[1]);',
      'ep_global_maxpool_f32(x, y, n[0], n[1]);',
    ].join('\n  '),
  },
  'ep_elementwise.h': {
    literal: [
      'ep_unary_f32(EP_UNARY_SIGMOID, x, y, 100, 0.0f, 0.0f);',
      '{ static const int s[] = {1, 16, 7, 7}, sa[] = {0, 49, 7, 1}, sb[] = {0, 1, 0, 0}; ep_binary_f32(EP_BINARY_ADD, x, w, y, 4, s, sa, sb); }',
      'ep_channel_affine_f32(x, y, w, b, 16, 49);',
    ].join('\n  '),
    runtime: 'ep_unary_f32(n[0], x, y, n[1], f0, f1);\n  ep_binary_f32(n[0], x, w, y, n[1], ia, ib, ic);\n  ep_channel_affine_f32(x, y, w, b, n[0], n[1]);',
  },
  'ep_reduce.h': {
    literal: 'ep_softmax_f32(x, y, 1, 10, 1, 0);\n  ep_reduce_f32(EP_REDUCE_MEAN, x, y, 2, 5, 3);',
    runtime: 'ep_softmax_f32(x, y, n[0], n[1], n[2], n[3]);\n  ep_reduce_f32(n[0], x, y, n[1], n[2], n[3]);',
  },
  'ep_argmax.h': {
    literal: 'ep_argmax_f32(x, y, 1, 10, 1, 0);\n  ep_argmax_s8(CS8(x), y, 2, 5, 3, 1);',
    runtime: 'ep_argmax_f32(x, y, n[0], n[1], n[2], n[3]);\n  ep_argmax_s8(CS8(x), y, n[0], n[1], n[2], n[3]);',
  },
  'ep_data.h': {
    literal: [
      '{ static const int s[] = {1, 3, 4, 5}, p[] = {0, 2, 3, 1}; ep_transpose_f32(x, y, 4, s, p); }',
      '{ static const int s[] = {1, 3, 4, 5}, b0[] = {0, 0, 1, 1}, e0[] = {0, 0, 1, 1}; ep_pad_f32(x, y, 4, s, b0, e0, EP_PAD_REFLECT, 0.0f); }',
      'ep_copy_blocks_f32(y, 32, x, 8, 8, 4);',
    ].join('\n  '),
    runtime: 'ep_transpose_f32(x, y, n[0], ia, ib);\n  ep_pad_f32(x, y, n[0], ia, ib, ic, n[1], f0);\n  ep_copy_blocks_f32(y, n[0], x, n[1], n[2], n[3]);',
  },
  'ep_data_s8.h': {
    literal: [
      '{ static const int s[] = {1, 3, 4, 5}, p[] = {0, 2, 3, 1}; ep_transpose_s8((const int8_t *)x, (int8_t *)y, 4, s, p); }',
      'ep_copy_blocks_s8((int8_t *)y, 32, (const int8_t *)x, 8, 8, 4);',
    ].join('\n  '),
    runtime: 'ep_transpose_s8((const int8_t *)x, (int8_t *)y, n[0], ia, ib);\n  ep_copy_blocks_s8((int8_t *)y, n[0], (const int8_t *)x, n[1], n[2], n[3]);',
  },
  'ep_math.h': {
    literal: 'y[0] = ep_expf(x[0]) + ep_logf(x[1]) + ep_tanhf(x[2]) + ep_erff(x[3]) + ep_powf(x[4], 2.5f);',
    runtime: 'y[0] = ep_powf(x[0], f0) + f1;',
  },
  'ep_mac.h': {
    literal: 'y[0] = ep__sum_end(EP_MAC(x[0], w[0], ep__sum_start(b, 0)), b, 0);',
    runtime: 'y[0] = ep__sum_end(EP_MAC(f0, f1, ep__sum_start(NULL, n[0])), NULL, n[0]);',
  },
  'ep_mac_thumb2.h': { // the assembly assumes Thumb-2 and the soft-float ABI (ep_mac.h includes it only there)
    literal: '#if defined(__thumb2__) && !defined(__ARM_PCS_VFP)\n  y[0] = ep__mac_thumb2(x[0], w[0], b[0]);\n#else\n  (void)x; (void)w; (void)b; (void)y;\n#endif',
    runtime: '#if defined(__thumb2__) && !defined(__ARM_PCS_VFP)\n  y[0] = ep__mac_thumb2(f0, f1, y[0]);\n#else\n  (void)f0; (void)f1; (void)y;\n#endif\n  (void)n; (void)ia; (void)ib; (void)ic;',
  },
  'ep_mac_ct.h': { // with an FPU it changes nothing; the same calls compile without it (the umbrella test)
    literal: 'y[0] = ep__clamp(ep__sum_end(EP_MAC(x[0], w[0], ep__sum_start(b, 0)), b, 0), 0.0f, 6.0f);',
    runtime: 'y[0] = ep__clamp(ep__sum_end(EP_MAC(f0, f1, y[1]), NULL, n[0]), f1, INFINITY);\n  (void)ia; (void)ib; (void)ic;',
  },
  'ep_common.h': { literal: '(void)x; (void)w; (void)b; (void)y;', runtime: '(void)n; (void)f0; (void)f1; (void)ia; (void)ib; (void)ic;' },
  'ep_int8_common.h': {
    literal: 'y[0] = (float)ep_requant_s8((int32_t)x[0], 1 << 30, 40, -128, -128, 127);',
    runtime: 'y[0] = (float)ep_requant_s8(n[0], n[1], n[2], n[3], n[4], n[5]);',
  },
  'ep_int8_asm.h': { literal: '(void)x; (void)w; (void)b; (void)y;', runtime: '(void)n; (void)f0; (void)f1; (void)ia; (void)ib; (void)ic;' },
  'ep_int8_quant.h': {
    literal: 'ep_quantize_f32_s8(x, S8(y), 784, 0.00392156886f, -128);\n  ep_dequantize_s8_f32(CS8(x), y, 10, 0.1f, 5);',
    runtime: 'ep_quantize_f32_s8(x, S8(y), n[0], f0, n[1]);\n  ep_dequantize_s8_f32(CS8(x), y, n[0], f1, n[1]);',
  },
  'ep_int8_pool.h': {
    literal: [
      'ep_maxpool2d_s8(CS8(x), S8(y), 8, 28, 28, 14, 14, 2, 2, 2, 2, 1, 1, 0, 0);',
      'ep_maxpool2d_s8(CS8(x), S8(y), 3, 9, 10, 5, 5, 3, 3, 2, 2, 1, 1, 1, 1);',
      'ep_avgpool2d_s8(CS8(x), S8(y), 3, 9, 10, 5, 5, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1, CS32(b), CS8(w), 4, -128, 5, -128, 127);',
      'ep_avgpool2d_s8(CS8(x), S8(y), 8, 14, 14, 7, 7, 2, 2, 2, 2, 1, 1, 0, 0, 0, 0, 0, CS32(b), CS8(w), 4, 3, -128, -128, 127);',
      'ep_global_avgpool_s8(CS8(x), S8(y), 16, 49, 1402438301, 35, -128, 7, 7, 127);',
    ].join('\n  '),
    runtime: [
      'ep_maxpool2d_s8(CS8(x), S8(y), n[0], n[1], n[2], n[3], n[4], n[5], n[6], n[7], n[8], n[9], n[10], n[11], n[12]);',
      'ep_avgpool2d_s8(CS8(x), S8(y), n[0], n[1], n[2], n[3], n[4], n[5], n[6], n[7], n[8], n[9], n[10], n[11], n[12], n[13], n[14], n[15], CS32(b), CS8(w), n[16], n[17], n[18], n[19], n[20]);',
      'ep_global_avgpool_s8(CS8(x), S8(y), n[0], n[1], n[2], n[3], n[4], n[5], n[6], n[7]);',
    ].join('\n  '),
  },
  'ep_int8_add.h': {
    literal: [
      '{ static const int s[] = {784}, sa[] = {1}, sb[] = {1}; ep_add_s8(CS8(x), CS8(w), S8(y), 1, s, sa, sb, 1073741824, 31, -3, 1879048192, 32, 5, 1288490189, 50, -128, -128, 127); }',
      '{ static const int s[] = {8, 49}, sa[] = {49, 1}, sb[] = {1, 0}; ep_add_s8(CS8(x), CS8(w), S8(y), 2, s, sa, sb, 1073741824, 31, 0, 1073741824, 62, 0, 1073741824, 20, 7, 7, 100); }',
    ].join('\n  '),
    runtime: 'ep_add_s8(CS8(x), CS8(w), S8(y), n[0], ia, ib, ic, n[1], n[2], n[3], n[4], n[5], n[6], n[7], n[8], n[9], n[10], n[11]);',
  },
  'ep_float_tail.h': {
    literal: 'ep_softmax_tail_f32(x, y, 1, 10, 1);\n  ep_softmax_tail_f32(x, y, 2, 5, 3);',
    runtime: 'ep_softmax_tail_f32(x, y, n[0], n[1], n[2]);',
  },
  'ep_int8_conv.h': {
    literal: [
      'ep_conv2d_s8(CS8(x), CS8(w), CS32(b), CS32(b), CS8(w), S8(y), 8, 14, 14, 16, 5, 5, 14, 14, 1, 1, 1, 1, 2, 2, 1, -128, -128, -128, 127);',
      'ep_conv2d_s8(CS8(x), CS8(w), NULL, CS32(b), CS8(w), S8(y), 16, 16, 16, 16, 3, 3, 8, 8, 2, 2, 1, 1, 1, 1, 16, 3, -5, -5, 100);',
      'ep_conv2d_s8(CS8(x), CS8(w), CS32(b), CS32(b), CS8(w), S8(y), 16, 7, 7, 12, 1, 1, 7, 7, 1, 1, 1, 1, 0, 0, 1, 0, 0, -128, 127);',
      'ep_conv2d_s8(CS8(x), CS8(w), CS32(b), CS32(b), CS8(w), S8(y), 4, 1, 40, 8, 1, 7, 1, 40, 1, 1, 1, 1, 0, 3, 1, 1, 2, -128, 127);',
    ].join('\n  '),
    runtime:
      'ep_conv2d_s8(CS8(x), CS8(w), CS32(b), CS32(b), CS8(w), S8(y), n[0], n[1], n[2], n[3], n[4], n[5], n[6], n[7], n[8], n[9], n[10], n[11], n[12], n[13], n[14], n[15], n[16], n[17], n[18]);',
  },
  'ep_int8_dense.h': {
    literal: 'ep_dense_s8(CS8(x), CS8(w), CS32(b), CS32(b), CS8(w), S8(y), 1, 256, 10, -128, 3, -128, 127);\n  ep_dense_s8(CS8(x), CS8(w), NULL, CS32(b), CS8(w), S8(y), 3, 17, 13, 0, 0, 0, 127);',
    runtime: 'ep_dense_s8(CS8(x), CS8(w), CS32(b), CS32(b), CS8(w), S8(y), n[0], n[1], n[2], n[3], n[4], n[5], n[6]);',
  },
  'ep_int8_sparse.h': {
    literal: [
      'ep_sparse_dense_s8(CS8(x), CU8(w), CU8(b), CS8(w), CS32(b), CS32(b), CS8(w), S8(y), 1, 256, 10, 3, -128, 127);',
      'ep_sparse_dense_s8(CS8(x), CU8(w), CU8(b), CS8(w), CS32(b), CS32(b), CS8(w), S8(y), 3, 300, 13, 0, 0, 100);',
      'ep_sparse_conv2d_s8(CS8(x), CU8(w), CU8(b), CS32(b), CS32(b), CS8(w), S8(y), 8, 14, 14, 16, 5, 5, 14, 14, 1, 1, 1, 1, 2, 2, 1, -128, -128, -128, 127);',
      'ep_sparse_conv2d_s8(CS8(x), CU8(w), CU8(b), CS32(b), CS32(b), CS8(w), S8(y), 2, 12, 12, 3, 7, 7, 12, 12, 1, 1, 1, 1, 3, 3, 1, 5, 0, -128, 127);',
      'ep_sparse_conv2d_s8(CS8(x), CU8(w), CU8(b), CS32(b), CS32(b), CS8(w), S8(y), 16, 8, 8, 16, 3, 3, 4, 4, 2, 2, 1, 1, 1, 1, 16, 0, 3, 3, 100);',
    ].join('\n  '),
    runtime: [
      'ep_sparse_dense_s8(CS8(x), CU8(w), CU8(b), CS8(w), CS32(b), CS32(b), CS8(w), S8(y), n[0], n[1], n[2], n[3], n[4], n[5]);',
      'ep_sparse_conv2d_s8(CS8(x), CU8(w), CU8(b), CS32(b), CS32(b), CS8(w), S8(y), n[0], n[1], n[2], n[3], n[4], n[5], n[6], n[7], n[8], n[9], n[10], n[11], n[12], n[13], n[14], n[15], n[16], n[17], n[18]);',
    ].join('\n  '),
  },
};

/** Which calls a test object compiles: both (the -O2 header objects), or one of the two (the other levels). */
type Calls = 'both' | 'literal' | 'runtime';

function source(header: string, calls: Calls = 'both'): string {
  const use = USES[header];
  const literal = calls === 'runtime' ? '(void)x; (void)w; (void)b; (void)y;' : use.literal;
  const runtime = calls === 'literal' ? '(void)n; (void)f0; (void)f1; (void)ia; (void)ib; (void)ic;' : use.runtime;
  return [
    `#include "${header}"`,
    '#define S8(p) ((int8_t *)(void *)(p))',
    '#define CS8(p) ((const int8_t *)(const void *)(p))',
    '#define CS32(p) ((const int32_t *)(const void *)(p))',
    '#define CU8(p) ((const uint8_t *)(const void *)(p))',
    'void literal_calls(const float *x, const float *w, const float *b, float *y);',
    'void literal_calls(const float *x, const float *w, const float *b, float *y) {',
    '  (void)x; (void)w; (void)b; (void)y;',
    `  ${literal}`,
    '}',
    'void runtime_calls(const float *x, const float *w, const float *b, float *y, const int *n, float f0, float f1, const int *ia, const int *ib, const int *ic);',
    'void runtime_calls(const float *x, const float *w, const float *b, float *y, const int *n, float f0, float f1, const int *ia, const int *ib, const int *ic) {',
    '  (void)x; (void)w; (void)b; (void)y; (void)n; (void)f0; (void)f1; (void)ia; (void)ib; (void)ic;',
    `  ${runtime}`,
    '}',
    '',
  ].join('\n');
}

const HEADERS = readdirSync(KERNEL_DIR).filter((f) => f.endsWith('.h')).sort();

const KERNEL_HEADERS = HEADERS.map((h) => path.join(KERNEL_DIR, h));
const skip = await skipWithoutTools('test/c-kernels/cross-compile.test.ts', ['arm-none-eabi-gcc']);

describe.skipIf(skip)('C kernel headers with arm-none-eabi-gcc (-Werror)', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'ep-kernels-arm-'));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** The object of source(header, calls) for a target at an optimization level (default -O2, both calls), compiled
   * once for the file: the level tests take the -O2 objects the header tests built. */
  const objects = new Map<string, Promise<string>>();
  function headerObject(target: string, header: string, level = '-O2', calls: Calls = 'both'): Promise<string> {
    const stem = path.join(dir, `${target.replace(/\W+/g, '-')}-${header}${level}-${calls}`);
    let obj = objects.get(stem);
    if (!obj) {
      obj = compileCached([...TARGETS[target], ...WARN, level, '-I', KERNEL_DIR], source(header, calls), stem, KERNEL_HEADERS);
      objects.set(stem, obj);
    }
    return obj;
  }

  it('has a use listed for every header', () => {
    expect(HEADERS.filter((h) => h !== 'ep_kernels.h' && !USES[h])).toEqual([]);
  });

  it.each(Object.keys(TARGETS))('compiles each header on its own for %s', async (target) => {
    const headers = HEADERS.filter((h) => h !== 'ep_kernels.h');
    await Promise.all(headers.map((h) => headerObject(target, h)));
    // The umbrella header with every literal use at once (no clashes between the headers: declarations, macros and
    // types, which the front end checks; each use's code generation and its warnings are the per-header objects').
    const all = path.join(dir, `${target.replace(/\W+/g, '-')}-all.c`);
    const body = headers.flatMap((h) => ['  {', `    ${USES[h].literal.replace(/\n  /g, '\n    ')}`, '  }']);
    await writeFile(all, ['#include "ep_kernels.h"', '#define S8(p) ((int8_t *)(void *)(p))', '#define CS8(p) ((const int8_t *)(const void *)(p))', '#define CS32(p) ((const int32_t *)(const void *)(p))', '#define CU8(p) ((const uint8_t *)(const void *)(p))', 'void all_kernels(const float *x, const float *w, const float *b, float *y);', 'void all_kernels(const float *x, const float *w, const float *b, float *y) {', ...body, '}', ''].join('\n'));
    await execa('arm-none-eabi-gcc', [...TARGETS[target], ...WARN, '-I', KERNEL_DIR, '-fsyntax-only', all], { timeout: 300_000 });
  }, 300_000);

  // The other levels compile one form of the calls: -Os and -O3 the literal ones (model.c's form, the one that takes
  // the conv tiles; the run-time form's code paths and warnings are the -O2 objects', and it costs ~12 CPU-s a level);
  // -O0, which has no assembly, the run-time ones (the same C loops, a quarter of the literal ones' compile time).
  it('builds ep_sparse.h at -O0, -Os and -O3 too, and takes its assembly block loop on the M4F only', async () => {
    const objdump = async (obj: string) => String((await execa('arm-none-eabi-objdump', ['-d', obj], { timeout: 30_000 })).stdout);
    for (const level of ['-O0', '-Os', '-O3']) {
      const calls = level === '-O0' ? 'runtime' : 'literal';
      const code = await objdump(await headerObject('cortex-m4 hard float', 'ep_sparse.h', level, calls));
      if (level === '-O0') expect(code, level).not.toMatch(/uxtah/); // (the C loop: the assembly needs the optimizer)
      else expect(code, level).toMatch(/uxtah[\s\S]*tbb/);
    }
    expect(await objdump(await headerObject('cortex-m3 soft float', 'ep_sparse.h'))).not.toMatch(/uxtah/);
  });

  it('loads the one-channel conv tile\'s weights and inputs with VLDM on the M4F only (EP_MAC: fmaf there, the assembly multiply then add on the M3)', async () => {
    const objdump = async (obj: string) => String((await execa('arm-none-eabi-objdump', ['-d', obj], { timeout: 30_000 })).stdout);
    const m4 = await objdump(await headerObject('cortex-m4 hard float', 'ep_conv.h'));
    expect(m4).toMatch(/vldmia\s+r\d+, \{s24-s28\}/); // the 5x5 conv's weight row
    expect(m4).toMatch(/vldmia\s+r\d+, \{s16-s23\}/); // 8 input columns
    const m3 = await objdump(await headerObject('cortex-m3 soft float', 'ep_conv.h'));
    expect(m3).not.toMatch(/vldm|fmaf/);
    expect(m3).toMatch(/\bbl\s+[0-9a-f]+ <ep__mac_thumb2>/);
  });

  it('builds ep_int8_conv.h at -O0, -Os, -O2 and -O3, with the assembly tiles when optimizing (M4: SMLAD, M3: SMLAL)', async () => {
    const objdump = async (obj: string) => String((await execa('arm-none-eabi-objdump', ['-d', obj], { timeout: 30_000 })).stdout);
    // the assembly tiles save the registers they take with one 12-register push; -O0 runs the generic loops
    const tile = /stmdb\s+sp!, \{(r\d+|sl|fp|ip|lr)(, (r\d+|sl|fp|ip|lr)){11}\}/;
    const builds = (['cortex-m4 hard float', 'cortex-m3 soft float'] as const).flatMap((target) => ['-O0', '-Os', '-O2', '-O3'].map((level) => ({ target, level })));
    const codes = await Promise.all(
      // (-O2: the header test's object; the other levels the literal calls, the only ones with constant shapes: tiles)
      builds.map(async ({ target, level }) => objdump(await headerObject(target, 'ep_int8_conv.h', level, level === '-O2' ? 'both' : 'literal'))),
    );
    builds.forEach(({ target, level }, i) => {
      const what = `${target} ${level}`;
      if (level === '-O0') expect(codes[i], what).not.toMatch(tile);
      else {
        expect(codes[i], what).toMatch(tile);
        expect(codes[i], what).toMatch(target.startsWith('cortex-m4') ? /smlad/ : /smlal/);
      }
    });
  }, 300_000);

  it('keeps the MNIST-like CNN kernel code within 4 KiB (cortex-m4, -O2)', async () => {
    const benchDir = path.resolve('bench/kernels');
    const flags = [...TARGETS['cortex-m4 hard float'], ...WARN, '-I', KERNEL_DIR, '-I', benchDir];
    const obj = await compileCached(flags, readFileSync(path.join(benchDir, 'mnist-cnn.c'), 'utf8'), path.join(dir, 'mnist-cnn'), [...KERNEL_HEADERS, path.join(benchDir, 'bench.h')]);
    const nm = await execa('arm-none-eabi-nm', ['-S', obj], { timeout: 30_000 });
    const line = String(nm.stdout).split('\n').find((l) => l.endsWith(' model_run'));
    expect(line, 'model_run in the object').toBeDefined();
    const bytes = parseInt(line!.trim().split(/\s+/)[1], 16);
    expect(bytes).toBeLessThanOrEqual(4096);
  });
});
