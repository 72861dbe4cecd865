// Does a NaN input change a float kernel's instruction count, and by more than the worst-case calibration's other
// vectors? The calibration suite's cases with a float32 input run in QEMU on their typical vector, the calibration's
// adversarial vectors and the NaN ones (src/verify/adversarial-vectors.ts); one row per case: the data-dependence
// table's entry, the largest count without NaN, each NaN vector's count and NaN's excess over the others.
//
//   npx tsc -p . && node dist/bench/nan-counts.js --target stm32f405 [--cases-per-key 2] [--keys maxpool,RELU] [--json]

import { calibrationContext, loadCalibration } from '../src/cost/calibration.js';
import { coreClassOf, kernelDependence } from '../src/cost/data-dependence.js';
import { analyzeCall } from '../src/cost/kernels.js';
import { lowerForCost } from '../src/cost/lowered.js';
import { measureSuiteCases } from '../src/cost/measure.js';
import { calibrationSuite, type SuiteCase } from '../src/cost/suite.js';
import { worstCaseMeasureCase } from '../src/cost/suite-worst-case.js';
import { staticInfo } from '../src/ir/graph.js';
import { findMcuTarget } from '../src/targets/load-targets.js';
import { calibrationAdversarialVectors, NAN_FILL_NAMES } from '../src/verify/adversarial-vectors.js';
import { isMain, table } from './kernels/bench-lib.js';

export interface NanRow {
  key: string;
  case: string;
  dependent: boolean;
  /** Largest count (library excluded) over the typical vector and the adversarial vectors without NaN. */
  withoutNan: number;
  /** Each NaN vector's count (library excluded), by name. */
  nan: Record<string, number>;
  /** Largest NaN count − withoutNan. */
  excess: number;
}

function keyOf(c: SuiteCase, ctx: ReturnType<typeof calibrationContext>): string | null {
  const calls = lowerForCost(c.graph, { sparse: c.sparse }).steps.flatMap((s) => s.calls);
  return calls.length ? analyzeCall(calls[calls.length - 1], () => 0, ctx).key : null;
}

export async function nanCounts(targetName: string, o: { casesPerKey?: number; keys?: string[]; log?: (l: string) => void } = {}): Promise<NanRow[]> {
  const target = findMcuTarget(targetName, 'nan-counts');
  const cal = loadCalibration(target);
  const ctx = calibrationContext(cal);
  const core = coreClassOf(target);
  const perKey = new Map<string, SuiteCase[]>();
  for (const c of calibrationSuite()) {
    if (!c.graph.inputs.some((v) => staticInfo(c.graph, v.name).dtype === 'float32')) continue;
    const key = keyOf(c, ctx);
    if (!key || (o.keys && !o.keys.some((k) => key.includes(k)))) continue;
    const list = perKey.get(key) ?? [];
    if (list.length < (o.casesPerKey ?? 2)) list.push(c);
    perKey.set(key, list);
  }
  const cases = [...perKey].flatMap(([key, list]) => list.map((c) => ({ key, c, vectors: calibrationAdversarialVectors(c.graph) })));
  o.log?.(`${target.name} (${core}): ${cases.length} cases of ${perKey.size} float keys`);
  const measured = await measureSuiteCases(target, cases.map(({ c, vectors }) => worstCaseMeasureCase(c, vectors)), { log: o.log });
  return cases.map(({ key, c, vectors }, i) => {
    const runs = measured[i].runs.map((n) => n - cal.library.instructions);
    const names = ['typical', ...vectors.map((v) => v.name)];
    const nan = Object.fromEntries(names.flatMap((n, k) => (NAN_FILL_NAMES.has(n) ? [[n, runs[k]]] : [])));
    const withoutNan = Math.max(...runs.filter((_, k) => !NAN_FILL_NAMES.has(names[k])));
    return { key, case: c.name, dependent: kernelDependence(key, core).dependent, withoutNan, nan, excess: Math.max(...Object.values(nan)) - withoutNan };
  });
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const value = (flag: string) => (args.includes(flag) ? args[args.indexOf(flag) + 1] : undefined);
  const target = value('--target');
  if (!target) {
    console.error('nan-counts: give --target <name>');
    process.exit(2);
  }
  const rows = await nanCounts(target, { casesPerKey: Number(value('--cases-per-key') ?? 2), keys: value('--keys')?.split(','), log: (l) => console.error(l) });
  if (args.includes('--json')) {
    console.log(JSON.stringify(rows, null, 2));
    return;
  }
  const nanNames = [...NAN_FILL_NAMES];
  console.log(table(
    ['key', 'case', 'table', 'max without NaN', ...nanNames, 'NaN excess'],
    rows.map((r) => [r.key, r.case, r.dependent ? 'dependent' : 'independent', r.withoutNan, ...nanNames.map((n) => r.nan[n]), r.excess]),
    2,
  ));
  const over = rows.filter((r) => r.excess > 0);
  console.log(`${target}: ${over.length} of ${rows.length} cases count more on a NaN vector than on every other (${[...new Set(over.map((r) => r.key))].join(', ') || 'none'})`);
}

if (isMain(import.meta.url)) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
