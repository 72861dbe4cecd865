// The soft-float multiply then add (templates/c/lib/ep_mac_thumb2.h) on QEMU lm3s6965 (Cortex-M3): bit for bit against
// libgcc's `acc + x * w` on --triples triples of each operand class of bench/kernels/soft-mac.c, and the instructions
// per multiply-accumulate of a dot product on each kind of operand, against libgcc's.
//
//   make build && node dist/bench/kernels/soft-mac.js [--triples 1000000] [--constant-time] [--json]
//
// --constant-time: EP_MAC from ep_mac_ct.h (compile --constant-time-mac) instead, any NaN matching any NaN.

import { buildTarget, isMain, LM3S6965, missingTools, runQemu, table, workDir } from './bench-lib.js';

export interface SoftMacClass {
  name: string;
  triples: number;
  mismatches: number;
  /** The first mismatch's bits (x, w, acc, got, want), when there is one. */
  first?: number[];
}

export interface SoftMacCost {
  /** Operands of the dot product: normal, zero-x, zero-w, subnormal-x (the library's path). */
  operands: string;
  /** Instructions per multiply-accumulate, the dot product loop included: EP_MAC and libgcc's acc + x * w. */
  epMac: number;
  libgcc: number;
}

export interface SoftMacReport {
  /** The header EP_MAC came from: ep_mac_thumb2.h, or ep_mac_ct.h (constantTime). */
  header: string;
  classes: SoftMacClass[];
  costs: SoftMacCost[];
}

const SPECIAL_GRID = 18 ** 3;

/** constantTime: EP_MAC from ep_mac_ct.h (--constant-time-mac), NaN matching any NaN. */
export async function runSoftMac(opts: { triples?: number; keep?: string; constantTime?: boolean } = {}): Promise<SoftMacReport> {
  const triples = opts.triples ?? 10_000;
  const { dir, done } = await workDir(opts.keep);
  try {
    const elf = await buildTarget('soft-mac', dir, [`-DSOFT_MAC_TRIPLES=${triples}`, ...(opts.constantTime ? ['-DSOFT_MAC_CT=1'] : [])], LM3S6965);
    const report = await runQemu(elf, 60_000 + triples / 10, LM3S6965);
    const names = [...report.keys()].filter((k) => k.startsWith('mismatches:')).map((k) => k.slice('mismatches:'.length));
    if (names.length === 0) throw new Error('the soft-mac firmware printed no mismatch counts');
    const classes = names.map((name): SoftMacClass => {
      const mismatches = report.get(`mismatches:${name}`)!;
      const first = mismatches > 0 ? ['x', 'w', 'acc', 'got', 'want'].map((k) => report.get(`first:${name}:${k}`) ?? -1) : undefined;
      return { name, triples: name === 'special-grid' ? SPECIAL_GRID : triples, mismatches, ...(first ? { first } : {}) };
    });
    const length = report.get('dot-length') ?? NaN;
    const costs = [...report.keys()].filter((k) => k.startsWith('mac:')).map((k): SoftMacCost => {
      const operands = k.slice('mac:'.length);
      return { operands, epMac: report.get(k)! / length, libgcc: (report.get(`gcc:${operands}`) ?? NaN) / length };
    });
    return { header: opts.constantTime ? 'ep_mac_ct.h' : 'ep_mac_thumb2.h', classes, costs };
  } finally {
    await done();
  }
}

const hex = (n: number) => `0x${n.toString(16).padStart(8, '0')}`;

export function formatSoftMac(r: SoftMacReport): string {
  return [
    `EP_MAC on QEMU lm3s6965 (Cortex-M3, soft float, ${r.header}) against libgcc's acc + x * w, bit for bit${r.header === 'ep_mac_ct.h' ? ' (any NaN matching any NaN)' : ''}:`,
    table(
      ['operands', 'triples', 'mismatches', 'first (x, w, acc, got, want)'],
      r.classes.map((c) => [c.name, c.triples, c.mismatches, c.first ? c.first.map(hex).join(' ') : '']),
    ),
    '',
    'Instructions per multiply-accumulate in a dot product of 4,096 (the loop included; resolution 0.02):',
    table(['operands', 'EP_MAC', 'libgcc'], r.costs.map((c) => [c.operands, c.epMac.toFixed(2), c.libgcc.toFixed(2)])),
  ].join('\n');
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const missing = (await missingTools()).filter((t) => !t.startsWith('gcc '));
  if (missing.length) {
    console.error(`soft-mac bench: missing ${missing.join(', ')}`);
    process.exit(2);
  }
  const at = args.indexOf('--triples');
  const triples = at >= 0 ? Number(args[at + 1]) : 1_000_000;
  if (!Number.isInteger(triples) || triples < 1) {
    console.error(`soft-mac bench: --triples ${args[at + 1]}: expected a positive integer`);
    process.exit(2);
  }
  const keepAt = args.indexOf('--keep');
  const r = await runSoftMac({ triples, keep: keepAt >= 0 ? args[keepAt + 1] : undefined, constantTime: args.includes('--constant-time') });
  console.log(args.includes('--json') ? JSON.stringify(r, null, 2) : formatSoftMac(r));
  if (r.classes.some((c) => c.mismatches > 0)) process.exit(1);
}

if (isMain(import.meta.url)) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
