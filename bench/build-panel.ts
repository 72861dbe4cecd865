// Issue 12's panel: `edgeprune build` on models the user trains (digits CNN and MLP over seeds, at ½ and ⅓ of the
// dense model's measured instructions, RAM below the dense figure, on stm32f405 and lm3s6965; Fashion-MNIST
// mnist-cnn), against two baselines on the same model and budgets; prints a row per build and the goals' figures.
//
//   npx tsc -p . && node dist/bench/build-panel.js [--only cnn,mlp,fashion] [--seeds 0-4] [--targets a,b]
//       [--fractions 1/2,1/3] [--criteria l1,redundancy] [--baselines uniform,global|none] [--baselines-at budget,build] [--json]
//       [--fashion-data <idx images file>] [--fashion-limit N] [--drop-reserve S (build's flag)] [--keep <dir>] [-- <more build flags>]
//   node dist/bench/build-panel.js --summarize a.json,b.json     (merge the --json outputs of runs in parts)
// --keep <dir>: the trained models, each build's output folder and its log (stderr) are kept there (to compare two
// checkouts' builds byte for byte: builds are deterministic).
//
// Per model and target the dense model is deployed and measured in QEMU exactly as the build deploys (int8 on a core
// without an FPU, float32 otherwise): the instruction budget is a fraction of those instructions, the RAM budget 90%
// of that RAM (static + stack). Each build is `edgeprune build --seed S` (the split the model was trained on).
// Baselines (bench/baselines/run-baseline.ts) get as many fine-tuning epochs as the first criterion's build kept.

import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import type { Budget } from '../src/build/budgets.js';
import { repoPath } from '../src/util/package-root.js';
import { makeTempDir } from '../src/util/temp-dir.js';
import type { Graph } from '../src/ir/graph.js';
import { analyzePruneGroups, pruneChannels } from '../src/prune/structure/index.js';
import { isMain, missingTools, table } from './kernels/bench-lib.js';
import { BASELINE_KINDS, baselineContext, measureDeployed, runBaseline, type BaselineKind, type BaselineResult } from './baselines/run-baseline.js';
import { summaryLines, type BaselineRow, type BuildRow } from './panel-summary.js';

const BIN = repoPath('bin', 'edgeprune.js');
const DIGITS = repoPath('examples', 'digits', 'digits.csv.gz');
const FASHION = '/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz';
const PROPOSAL_EPOCHS = 1;
const FINAL_EPOCHS = 10;
const RAM_SHARE = 0.9;

interface Family {
  name: string;
  /** Data file and extra data flags (shared by train and build). */
  data: () => { file: string; flags: string[] };
  arch: string;
  seeds: number[];
  targets: string[];
  fractions: number[];
}

interface Flags {
  only: string[];
  /** Where the baselines' instruction limit is: the case's budget, and/or the build's measured instructions. */
  baselinesAt: ('budget' | 'build')[];
  seeds?: number[];
  targets?: string[];
  fractions?: number[];
  criteria: string[];
  baselines: BaselineKind[];
  json: boolean;
  fashionData: string;
  fashionLimit: number;
  summarize?: string[];
  /** build's --drop-reserve (undefined: build's default), for an A/B of the reserve on the same seeds. */
  dropReserve?: string;
  /** Where the models, the builds' output folders and logs are kept (--keep; default: deleted). */
  keep?: string;
}

interface DenseRow {
  family: string;
  seed: number;
  target: string;
  instructions: number;
  ramBytes: number;
  test: number;
}

/** What a run found (its --json output, less the summary lines). */
interface PanelResult {
  dense: DenseRow[];
  builds: BuildRow[];
  baselines: (BaselineRow & BaselineResult)[];
}

function families(f: Flags): Family[] {
  const digits = () => ({ file: DIGITS, flags: [] });
  return [
    { name: 'cnn', arch: 'cnn', data: digits, seeds: [0, 1, 2, 3, 4], targets: ['stm32f405', 'lm3s6965'], fractions: [1 / 2, 1 / 3] },
    { name: 'mlp', arch: 'mlp', data: digits, seeds: [0, 1, 2, 3, 4], targets: ['stm32f405', 'lm3s6965'], fractions: [1 / 2, 1 / 3] },
    { name: 'fashion', arch: 'mnist-cnn', data: () => ({ file: f.fashionData, flags: ['--limit', String(f.fashionLimit)] }), seeds: [0, 1], targets: ['stm32f405'], fractions: [1 / 2] },
  ];
}

function parseFraction(s: string): number {
  const m = /^(\d+)\/(\d+)$/.exec(s);
  const v = m ? Number(m[1]) / Number(m[2]) : Number(s);
  if (!(v > 0 && v < 1)) throw new Error(`--fractions: '${s}' is not a fraction in (0, 1) (e.g. 1/2 or 0.5)`);
  return v;
}

function parseSeeds(s: string): number[] {
  return s.split(',').flatMap((part) => {
    const m = /^(\d+)-(\d+)$/.exec(part);
    if (m) return Array.from({ length: Number(m[2]) - Number(m[1]) + 1 }, (_, i) => Number(m[1]) + i);
    if (!/^\d+$/.test(part)) throw new Error(`--seeds: '${part}' is not a seed or a range (e.g. 0-4 or 0,2)`);
    return [Number(part)];
  });
}

const VALUE_FLAGS = ['--only', '--seeds', '--targets', '--fractions', '--criteria', '--baselines', '--baselines-at', '--fashion-data', '--fashion-limit', '--drop-reserve', '--summarize', '--keep'];

/** A flag the panel does not know is an error, not an hour of builds that ignored it (`--help` included). */
function unknownFlag(argv: string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    if (VALUE_FLAGS.includes(argv[i])) i++;
    else if (argv[i] !== '--json') return argv[i];
  }
  return undefined;
}

function parseFlags(argv: string[]): Flags {
  const unknown = unknownFlag(argv);
  if (unknown !== undefined) {
    throw new Error(`unknown argument '${unknown}'; the flags: ${[...VALUE_FLAGS, '--json'].join(' ')} (usage: the comment at the top of bench/build-panel.ts; build flags go after --)`);
  }
  const value = (flag: string) => {
    const at = argv.indexOf(flag);
    if (at < 0) return undefined;
    if (at + 1 >= argv.length) throw new Error(`${flag} needs a value`);
    return argv[at + 1];
  };
  const list = (flag: string) => value(flag)?.split(',').filter((x) => x.length > 0);
  const only = list('--only') ?? ['cnn', 'mlp', 'fashion'];
  for (const o of only) if (!['cnn', 'mlp', 'fashion'].includes(o)) throw new Error(`--only: unknown case '${o}'; known: cnn, mlp, fashion`);
  const baselines = list('--baselines') ?? [...BASELINE_KINDS];
  const kinds = baselines.includes('none') ? [] : baselines;
  for (const k of kinds) if (!(BASELINE_KINDS as readonly string[]).includes(k)) throw new Error(`--baselines: unknown baseline '${k}'; known: ${BASELINE_KINDS.join(', ')}, none`);
  const criteria = list('--criteria') ?? ['l1', 'redundancy'];
  const baselinesAt = list('--baselines-at') ?? ['budget', 'build'];
  for (const a of baselinesAt) if (a !== 'budget' && a !== 'build') throw new Error(`--baselines-at: '${a}' is not budget or build`);
  const limit = Number(value('--fashion-limit') ?? 3000);
  if (!Number.isInteger(limit) || limit < 100) throw new Error('--fashion-limit must be an integer ≥ 100');
  return {
    only, criteria, json: argv.includes('--json'), baselines: kinds as BaselineKind[], baselinesAt: baselinesAt as ('budget' | 'build')[],
    seeds: value('--seeds') === undefined ? undefined : parseSeeds(value('--seeds')!),
    targets: list('--targets'),
    fractions: list('--fractions')?.map(parseFraction),
    fashionData: value('--fashion-data') ?? FASHION,
    fashionLimit: limit,
    summarize: list('--summarize'),
    dropReserve: value('--drop-reserve'),
    keep: value('--keep'),
  };
}

/** A reason the panel cannot run one of its cases on this checkout (exit 2, no row). */
class CaseRefused extends Error {}

/**
 * CPU seconds (user + sys) of this process's finished children and theirs (Linux: /proc/self/stat's cutime + cstime,
 * at the usual 100 ticks a second), or null elsewhere: the difference around one build is that build's CPU.
 */
function childrenCpuSeconds(): number | null {
  try {
    // The fields after the command name (in parentheses, which may hold spaces): cutime and cstime are the 16th and 17th.
    const stat = fs.readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return null;
  }
}

async function cli(args: string[]): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const r = await execa(process.execPath, [BIN, ...args], { reject: false, timeout: 1_800_000 });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

async function train(family: Family, seed: number, out: string): Promise<void> {
  const { file, flags } = family.data();
  if (!fs.existsSync(file)) throw new CaseRefused(`${family.name}: the data file ${file} does not exist (Fashion-MNIST: make setup installs Debian's dataset-fashion-mnist; or pass --fashion-data <train images file>)`);
  const r = await cli(['train', file, '--arch', family.arch, '--seed', String(seed), ...flags, '--out', out, '--json']);
  if (r.exitCode === 2) {
    throw new CaseRefused(`${family.name}: this edgeprune refuses \`train ${path.basename(file)} --arch ${family.arch} ${flags.join(' ')}\` (${r.stderr.trim().split('\n').at(-1)}); the case needs IDX --data and --arch ${family.arch} (issue 12 §2): no row written`);
  }
  if (r.exitCode !== 0) throw new Error(`edgeprune train failed (exit ${r.exitCode}): ${r.stderr.split('\n').slice(-3).join(' ')}`);
}

interface BuildOutcome {
  row: BuildRow;
  /** Fine-tuning epochs on the deployed model's path (report.fineTuning; the baselines get as many). */
  keptEpochs: number;
}

/** Flags every build of this run gets on top of the panel's (--drop-reserve, and those after `--`: an A/B on the same seeds). */
let extraBuildFlags: string[] = [];
/** --keep: the folder the builds' outputs and logs are copied to. */
let keepDir: string | undefined;

async function build(family: Family, seed: number, target: string, fraction: number, criterion: string, model: string, limits: { instructions: number; ramBytes: number }, out: string): Promise<BuildOutcome> {
  const { file, flags } = family.data();
  const started = performance.now();
  const cpuBefore = childrenCpuSeconds();
  const r = await cli([
    'build', model, '--target', target, '--data', file, ...flags, '--seed', String(seed), '--criterion', criterion,
    '--max-instructions', String(limits.instructions), '--ram-kb', String(limits.ramBytes / 1024),
    '--proposal-epochs', String(PROPOSAL_EPOCHS), '--final-epochs', String(FINAL_EPOCHS), '--out', out, '--json', ...extraBuildFlags,
  ]);
  const seconds = (performance.now() - started) / 1000;
  const cpuAfter = childrenCpuSeconds();
  const cpuSeconds = cpuBefore !== null && cpuAfter !== null ? Math.round((cpuAfter - cpuBefore) * 100) / 100 : undefined;
  if (keepDir) {
    fs.writeFileSync(path.join(keepDir, `${path.basename(out)}.log`), r.stderr);
    if (fs.existsSync(out)) fs.cpSync(out, path.join(keepDir, path.basename(out)), { recursive: true });
  }
  if (r.exitCode !== 0 && r.exitCode !== 3) throw new Error(`edgeprune build failed (exit ${r.exitCode}): ${r.stderr.split('\n').slice(-3).join(' ')}`);
  const report = JSON.parse(r.stdout);
  const measured = (name: string) => (report.budgets.find((b: { name: string }) => b.name === name)?.measured ?? null) as number | null;
  return {
    row: {
      family: family.name, seed, target, fraction, criterion, met: r.exitCode === 0 && report.passed === true,
      instructionLimit: limits.instructions, ramLimit: limits.ramBytes,
      instructions: measured('instructions'), ramBytes: measured('ramBytes'), drop: report.accuracy.dropPoints, seconds, ...(cpuSeconds !== undefined ? { cpuSeconds } : {}),
      stoppedBecause: report.stoppedBecause, epochs: report.fineTuning.epochs,
      ...(report.contender ? { contender: { description: report.contender.description, chosen: report.contender.chosen } } : {}),
    },
    keptEpochs: report.fineTuning.keptEpochs,
  };
}

/** The RAM the build's cost model predicts with every prune group cut to one channel: the least structural pruning reaches. */
export function ramFloor(ctx: { graph: Graph; cost: { costs(g: Graph): { ramBytes: number } } }): number {
  const analysis = analyzePruneGroups(ctx.graph);
  const removals = new Map(analysis.groups.map((g) => [g.id, Array.from({ length: g.size - 1 }, (_, c) => c)]));
  return ctx.cost.costs(pruneChannels(ctx.graph, removals, analysis)).ramBytes;
}

/**
 * The case's RAM budget: RAM_SHARE of the dense model's measured RAM, unless no pruning can reach it (a model whose
 * peak is its input buffer: the int8 digits MLP's float input is 256 of its 320 arena bytes); then the predicted
 * floor, so that the budget the row shows is one the search can meet, and the table says so.
 */
export function ramLimit(denseRam: number, floor: number): number {
  return Math.max(Math.floor(denseRam * RAM_SHARE), floor);
}

const FRACTION_NAMES: [number, string][] = [[1 / 2, '½'], [1 / 3, '⅓'], [1 / 4, '¼']];
const fractionName = (f: number) => FRACTION_NAMES.find(([v]) => Math.abs(v - f) < 1e-9)?.[1] ?? f.toFixed(3);
const count = (x: number | null) => (x === null ? '-' : x.toLocaleString('en-US'));

async function main(): Promise<void> {
  const dashes = process.argv.indexOf('--');
  const f = parseFlags(dashes >= 0 ? process.argv.slice(2, dashes) : process.argv.slice(2));
  extraBuildFlags = [...(f.dropReserve !== undefined ? ['--drop-reserve', f.dropReserve] : []), ...(dashes >= 0 ? process.argv.slice(dashes + 1) : [])];
  if (f.summarize) {
    const parts = f.summarize.map((file) => JSON.parse(fs.readFileSync(file, 'utf8')) as PanelResult);
    render({ dense: parts.flatMap((p) => p.dense), builds: parts.flatMap((p) => p.builds), baselines: parts.flatMap((p) => p.baselines) }, f.json);
    return;
  }
  if (f.keep) {
    keepDir = path.resolve(f.keep);
    fs.mkdirSync(keepDir, { recursive: true });
  }
  const missing = await missingTools();
  if (missing.length > 0) throw new CaseRefused(`missing tools: ${missing.join(', ')} (run make setup as root)`);
  const work = makeTempDir('build-panel');
  const builds: BuildRow[] = [];
  const baselines: PanelResult['baselines'] = [];
  const dense: DenseRow[] = [];
  const log = (s: string) => console.error(s);
  try {
    for (const family of families(f).filter((x) => f.only.includes(x.name))) {
      for (const seed of f.seeds ?? family.seeds) {
        const model = path.join(work, `${family.name}-${seed}.onnx`);
        log(`${family.name} seed ${seed}: training`);
        await train(family, seed, model);
        if (keepDir) fs.copyFileSync(model, path.join(keepDir, path.basename(model)));
        for (const target of f.targets ?? family.targets) {
          const ctx = await baselineContext(model, family.data().file, target, seed, family.name === 'fashion' ? { limit: f.fashionLimit } : {});
          try {
            const d = await measureDeployed(ctx, ctx.graph);
            dense.push({ family: family.name, seed, target, instructions: d.costs.instructions, ramBytes: d.costs.ramBytes, test: ctx.denseTest });
            log(`${family.name} seed ${seed} ${target}: dense ${ctx.precision.precision} ${count(d.costs.instructions)} instructions, RAM ${count(d.costs.ramBytes)} B, test ${(ctx.denseTest * 100).toFixed(2)}%`);
            for (const fraction of f.fractions ?? family.fractions) {
              const limits = { instructions: Math.floor(d.costs.instructions * fraction), ramBytes: ramLimit(d.costs.ramBytes, ramFloor(ctx)) };
              let epochs: number | undefined;
              for (const criterion of f.criteria) {
                const o = await build(family, seed, target, fraction, criterion, model, limits, path.join(work, `out-${family.name}-${seed}-${target}-${fraction}-${criterion}`));
                epochs ??= o.keptEpochs;
                builds.push(o.row);
                log(`  ${fractionName(fraction)} ${criterion}: ${o.row.met ? 'met' : 'NOT MET'}, ${count(o.row.instructions)} instructions, ${count(o.row.ramBytes)} B, drop ${o.row.drop.toFixed(2)}, ${o.row.seconds.toFixed(0)} s${o.row.cpuSeconds !== undefined ? ` (CPU ${o.row.cpuSeconds.toFixed(0)} s)` : ''}`);
              }
              const budgets: Budget[] = [
                { name: 'instructions', limit: limits.instructions, givenAs: 'panel' },
                { name: 'ramBytes', limit: limits.ramBytes, givenAs: 'panel' },
              ];
              // At the case's budget, and (accuracy at equal measured instructions) at the first build's measured
              // instructions when it met the budgets below their limit.
              const first = builds[builds.length - f.criteria.length];
              const atBuild = first.met && first.instructions !== null && first.instructions < limits.instructions ? first.instructions : null;
              for (const kind of f.baselines) {
                for (const at of f.baselinesAt) {
                  if (at === 'build' && atBuild === null) continue;
                  const limited = at === 'build' ? budgets.map((b) => (b.name === 'instructions' ? { ...b, limit: atBuild! } : b)) : budgets;
                  const b = await runBaseline(kind, ctx, limited, epochs ?? FINAL_EPOCHS);
                  baselines.push({ ...b, family: family.name, seed, target, fraction, instructions: b.measured?.instructions ?? null, at });
                  log(`  ${fractionName(fraction)} baseline ${kind}${at === 'build' ? ` at the build's ${count(atBuild)} instructions` : ''}: ${b.met ? 'met' : `NOT MET${b.floor.length > 0 ? ` (floor: ${b.floor.join('; ')})` : ''}`}, ${count(b.measured?.instructions ?? null)} instructions, ${count(b.measured?.ramBytes ?? null)} B, drop ${b.drop?.toFixed(2) ?? '-'}, ${b.epochs} epochs`);
                }
              }
            }
          } finally {
            ctx.trainer.dispose();
          }
        }
      }
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  render({ dense, builds, baselines }, f.json);
}

function render({ dense, builds, baselines }: PanelResult, json: boolean): void {
  const summary = summaryLines(builds, baselines);
  if (json) {
    console.log(JSON.stringify({ dense, builds, baselines, summary }, null, 2));
    return;
  }
  console.log(`edgeprune build panel: instruction budget = fraction × the dense model's measured instructions, RAM budget = ${RAM_SHARE * 100}% of its measured RAM (static + stack), or the cost model's RAM floor (every prune group at one channel) where that is higher\n`);
  const denseOf = (r: BuildRow) => dense.find((d) => d.family === r.family && d.seed === r.seed && d.target === r.target)!;
  console.log(table(['case', 'seed', 'target', 'budget', 'criterion', 'dense instr.', 'limit', 'measured', 'dense RAM', 'limit', 'measured', 'drop (pts)', 'time (s)', 'result'], builds.map((r) => [
    r.family, r.seed, r.target, fractionName(r.fraction), r.criterion, count(denseOf(r).instructions), count(r.instructionLimit), count(r.instructions),
    count(denseOf(r).ramBytes), count(r.ramLimit), count(r.ramBytes), r.drop.toFixed(2), r.seconds.toFixed(0), r.met ? 'met' : 'NOT MET',
  ]), 5));
  const stops = builds.filter((r) => !r.met && r.stoppedBecause);
  if (stops.length > 0) console.log(`\nwhy the searches not met stopped:\n${stops.map((r) => `  ${r.family} seed ${r.seed} ${r.target} ${fractionName(r.fraction)} ${r.criterion}: ${r.stoppedBecause}`).join('\n')}`);
  if (baselines.length > 0) {
    console.log('\nbaselines (same model, budgets and cost model; fine-tuned as many epochs as the build kept):\n');
    console.log(table(['case', 'seed', 'target', 'budget', 'baseline', 'level', 'epochs', 'instr. measured', 'RAM measured', 'drop (pts)', 'result'], baselines.map((b) => [
      b.family, b.seed, b.target, fractionName(b.fraction), b.kind, b.level === null ? '-' : `${(b.level * 100).toFixed(0)}%`, b.epochs,
      count(b.measured?.instructions ?? null), count(b.measured?.ramBytes ?? null), b.drop?.toFixed(2) ?? '-',
      b.met ? 'met' : b.floor.length > 0 ? `NOT MET: cost floor (${b.floor.join('; ')})${b.budgetsUsed === 'instructions' ? '; run at the instruction budget alone' : ''}` : 'NOT MET (measured over)',
    ]), 5));
  }
  console.log(`\n${summary.join('\n')}`);
}

if (isMain(import.meta.url)) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exitCode = e instanceof CaseRefused ? 2 : 1;
  });
}
