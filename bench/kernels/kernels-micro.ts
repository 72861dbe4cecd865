// Rough instruction counts of each kernel family (bench/kernels/kernels-micro.c) under QEMU
// mps2-an386: instructions per MAC for the multiply-accumulate kernels, per element otherwise.
//
//   make build && node dist/bench/kernels/kernels-micro.js [--json]

import { buildTarget, functionSizes, isMain, missingTools, runQemu, table, workDir } from './bench-lib.js';

interface MicroCase {
  name: string;
  /** MACs (nominal, padding taps included, as `edgeprune inspect` counts them) or elements. */
  work: number;
  unit: 'MAC' | 'output' | 'element';
}

const CASES: MicroCase[] = [
  { name: 'dense_128x64', work: 128 * 64, unit: 'MAC' },
  { name: 'dense_rows4_64x32', work: 4 * 64 * 32, unit: 'MAC' },
  { name: 'matmul_16x32x16', work: 16 * 32 * 16, unit: 'MAC' },
  { name: 'conv3x3_8to16_16x16', work: 16 * 16 * 16 * 8 * 9, unit: 'MAC' },
  { name: 'conv3x3s2_3to8_32x32', work: 8 * 16 * 16 * 3 * 9, unit: 'MAC' },
  { name: 'depthwise3x3_16ch_16x16', work: 16 * 16 * 16 * 9, unit: 'MAC' },
  { name: 'pointwise_16to32_16x16', work: 32 * 16 * 16 * 16, unit: 'MAC' },
  { name: 'conv1d_k5_8to8_w64', work: 8 * 64 * 8 * 5, unit: 'MAC' },
  { name: 'convtranspose4x4s2_8to4_8x8', work: 8 * 8 * 8 * 4 * 16, unit: 'MAC' },
  { name: 'maxpool2x2_16x32x32', work: 16 * 16 * 16, unit: 'output' },
  { name: 'maxpool3x3s2p1_8x16x16', work: 8 * 8 * 8, unit: 'output' },
  { name: 'avgpool3x3p1_8x16x16', work: 8 * 16 * 16, unit: 'output' },
  { name: 'global_avgpool_32x64', work: 32 * 64, unit: 'element' },
  { name: 'relu_4096', work: 4096, unit: 'element' },
  { name: 'sigmoid_1024', work: 1024, unit: 'element' },
  { name: 'add_same_4096', work: 4096, unit: 'element' },
  { name: 'add_per_channel_4096', work: 4096, unit: 'element' },
  { name: 'softmax_10', work: 10, unit: 'element' },
  { name: 'transpose_nchw_nhwc_4096', work: 4096, unit: 'element' },
  { name: 'pad_reflect_16x16x16', work: 16 * 18 * 18, unit: 'output' },
];

export interface MicroResult extends MicroCase {
  instructions: number;
  perUnit: number;
  codeBytes: number;
}

export async function runMicroBench(opts: { keep?: string } = {}): Promise<MicroResult[]> {
  const { dir, done } = await workDir(opts.keep);
  try {
    const elf = await buildTarget('kernels-micro', dir);
    const [report, sizes] = await Promise.all([runQemu(elf), functionSizes(elf)]);
    return CASES.map((c) => {
      const instructions = report.get(`case:${c.name}`);
      if (instructions === undefined) throw new Error(`the bench firmware printed no 'case:${c.name}'`);
      return { ...c, instructions, perUnit: instructions / c.work, codeBytes: sizes.get(`case_${c.name}`) ?? 0 };
    });
  } finally {
    await done();
  }
}

export function formatMicroBench(results: MicroResult[]): string {
  return [
    'Kernel calls with literal shapes on QEMU mps2-an386 (Cortex-M4F), arm-none-eabi-gcc -O2 -ffp-contract=off',
    '(conv MACs are nominal: taps on the padding count, as edgeprune inspect counts them; resolution 40 instructions)',
    '',
    table(
      ['case', 'work', 'instructions', 'per unit', 'code bytes'],
      results.map((r) => [r.name, `${r.work.toLocaleString('en-US')} ${r.unit}s`, r.instructions, `${r.perUnit.toFixed(2)}/${r.unit}`, r.codeBytes]),
    ),
  ].join('\n');
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const missing = (await missingTools()).filter((t) => !t.startsWith('gcc '));
  if (missing.length) {
    console.error(`kernels-micro bench: missing ${missing.join(', ')}`);
    process.exit(2);
  }
  const keepAt = args.indexOf('--keep');
  const results = await runMicroBench({ keep: keepAt >= 0 ? args[keepAt + 1] : undefined });
  console.log(args.includes('--json') ? JSON.stringify(results, null, 2) : formatMicroBench(results));
}

if (isMain(import.meta.url)) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
