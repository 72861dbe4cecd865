// The transcendental kernels (ep_math.h: exp, log, tanh, erf, pow, used by sigmoid, softmax, ...) on the
// host (gcc) and on QEMU mps2-an386: the output bits must be identical, and the target cost per element.
//
//   make build && node dist/bench/kernels/math-identity.js [--json]

import { buildHost, buildTarget, isMain, missingTools, runHost, runQemu, table, workDir } from './bench-lib.js';

export interface MathIdentityRow {
  name: string;
  targetHash: number;
  hostHash: number;
  identical: boolean;
  /** Instructions per element on the target (-1 when not measured). */
  instructionsPerElement: number;
}

export async function runMathIdentity(opts: { keep?: string } = {}): Promise<MathIdentityRow[]> {
  const { dir, done } = await workDir(opts.keep);
  try {
    const [elf, host] = await Promise.all([buildTarget('math-identity', dir), buildHost('math-identity', dir)]);
    const [target, hostReport] = await Promise.all([runQemu(elf), runHost(host)]);
    const names = [...target.keys()].filter((k) => !k.startsWith('cost:'));
    if (names.length === 0) throw new Error('the math-identity firmware printed nothing');
    return names.map((name) => {
      const targetHash = target.get(name)!;
      const hostHash = hostReport.get(name) ?? -1;
      return { name, targetHash, hostHash, identical: targetHash === hostHash, instructionsPerElement: target.get(`cost:${name}`) ?? -1 };
    });
  } finally {
    await done();
  }
}

export function formatMathIdentity(rows: MathIdentityRow[]): string {
  return [
    'Transcendental kernels: output bits on the host (gcc, x86-64) vs QEMU mps2-an386 (arm-none-eabi-gcc), 4096 inputs each',
    '',
    table(
      ['function', 'host = target', 'instructions/element (target)'],
      rows.map((r) => [r.name, r.identical ? 'identical' : 'DIFFERENT', r.instructionsPerElement >= 0 ? r.instructionsPerElement : '-']),
    ),
  ].join('\n');
}

async function main(): Promise<void> {
  const missing = await missingTools();
  if (missing.length) {
    console.error(`math-identity bench: missing ${missing.join(', ')}`);
    process.exit(2);
  }
  const rows = await runMathIdentity();
  console.log(process.argv.includes('--json') ? JSON.stringify(rows, null, 2) : formatMathIdentity(rows));
  if (rows.some((r) => !r.identical)) process.exit(1);
}

if (isMain(import.meta.url)) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
