// Instructions per element or output of the int8 Add and average pool kernels and the float Softmax tail
// (bench/kernels/int8-ops-micro.c) under QEMU, on mps2-an386 (Cortex-M4F: the DSP path) and lm3s6965 (Cortex-M3).
//
//   npx tsc -p . && node dist/bench/kernels/int8-ops-micro.js [--json]

import { BENCH_TARGETS, buildTarget, functionSizes, isMain, missingTools, runQemu, table, workDir } from './bench-lib.js';

interface Case {
  name: string;
  work: number;
  unit: 'element' | 'output';
}

const CASES: Case[] = [
  { name: 'add_s8_same_4096', work: 4096, unit: 'element' },
  { name: 'add_s8_per_channel_4096', work: 4096, unit: 'element' },
  { name: 'avgpool_s8_3x3p1_8x16x16', work: 8 * 16 * 16, unit: 'output' },
  { name: 'avgpool_s8_2x2s2_16x32x32', work: 16 * 16 * 16, unit: 'output' },
  { name: 'global_avgpool_s8_32x64', work: 32 * 64, unit: 'element' },
  { name: 'softmax_tail_10', work: 10, unit: 'element' },
  { name: 'softmax_f32_10', work: 10, unit: 'element' },
];

export interface Int8OpsResult extends Case {
  target: string;
  instructions: number;
  perUnit: number;
  codeBytes: number;
}

export async function runInt8OpsBench(): Promise<Int8OpsResult[]> {
  const { dir, done } = await workDir();
  try {
    const results: Int8OpsResult[] = [];
    for (const target of BENCH_TARGETS) {
      const elf = await buildTarget('int8-ops-micro', dir, [], target);
      const [report, sizes] = await Promise.all([runQemu(elf, 120_000, target), functionSizes(elf)]);
      for (const c of CASES) {
        const instructions = report.get(`case:${c.name}`);
        if (instructions === undefined) throw new Error(`the bench firmware printed no 'case:${c.name}' on ${target.name}`);
        results.push({ ...c, target: target.name, instructions, perUnit: instructions / c.work, codeBytes: sizes.get(`case_${c.name}`) ?? 0 });
      }
    }
    return results;
  } finally {
    await done();
  }
}

export function formatInt8OpsBench(results: Int8OpsResult[]): string {
  return [
    'int8 Add, average pools and the float Softmax tail, literal arguments, arm-none-eabi-gcc -O2 (QEMU -icount; resolution 40 instructions on mps2-an386, 80 on lm3s6965)',
    '',
    table(
      ['case', 'target', 'work', 'instructions', 'per unit', 'code bytes'],
      results.map((r) => [r.name, r.target, `${r.work.toLocaleString('en-US')} ${r.unit}s`, r.instructions, `${r.perUnit.toFixed(2)}/${r.unit}`, r.codeBytes]),
      2,
    ),
  ].join('\n');
}

async function main(): Promise<void> {
  const missing = (await missingTools()).filter((t) => !t.startsWith('gcc '));
  if (missing.length) {
    console.error(`int8-ops-micro bench: missing ${missing.join(', ')}`);
    process.exit(2);
  }
  const results = await runInt8OpsBench();
  console.log(process.argv.includes('--json') ? JSON.stringify(results, null, 2) : formatInt8OpsBench(results));
}

if (isMain(import.meta.url)) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
