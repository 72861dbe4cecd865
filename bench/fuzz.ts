// The fuzz bench: mutated models (byte-level and structure-aware, seeded) and crafted hostile ones, each run through
// `edgeprune inspect` and `edgeprune compile` as child processes with a time limit and a peak-memory measurement.
// Goals (issue 8): 0 exit 1, 0 crashes or signals, 0 timeouts (10 s), every file under 1 MB answered in under
// 10 s and 500 MB.
//
//   make build && node dist/bench/fuzz.js [--mutants 1000] [--seed 1] [--jobs 2] [--timeout-ms 10000]

import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { craftedModels } from './fuzz-hostile.js';
import { byteMutant, prepareFuzzFolder, seedModels, structureMutant } from './fuzz-mutations.js';
import { runEdgeprune, type ChildRun } from './fuzz-run.js';
import { Random } from '../src/util/random.js';
import { makeTempDir } from '../src/util/temp-dir.js';

const GOAL_MS = 10_000;
const GOAL_RSS_MIB = 500;
const MAX_FILE_BYTES = 1024 * 1024;

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

interface Case {
  kind: 'byte' | 'structure' | 'crafted';
  name: string;
  file: string;
}

interface Result {
  c: Case;
  command: string;
  run: ChildRun;
}

async function main(): Promise<void> {
  const mutants = option('--mutants', 1000);
  const seed = option('--seed', 1);
  const jobs = option('--jobs', 2);
  const timeoutMs = option('--timeout-ms', GOAL_MS);
  const root = makeTempDir('fuzz-bench');
  try {
    const folder = path.join(root, 'models');
    const { fifo } = prepareFuzzFolder(folder);
    await execa('mkfifo', [fifo], { timeout: 10_000 });

    const cases: Case[] = [];
    let skipped = 0;
    const add = (kind: Case['kind'], name: string, bytes: Uint8Array) => {
      if (bytes.length >= MAX_FILE_BYTES) {
        skipped++;
        return;
      }
      const file = path.join(folder, `case-${cases.length}.onnx`);
      fs.writeFileSync(file, bytes);
      cases.push({ kind, name, file });
    };
    for (const c of craftedModels()) add('crafted', c.name, c.bytes);
    const rng = new Random(seed);
    const seeds = seedModels(1);
    for (let i = 0; i < mutants; i++) {
      const s = seeds[rng.int(seeds.length)];
      const m = i % 2 === 0 ? byteMutant(rng, s, seeds) : structureMutant(rng, s);
      add(i % 2 === 0 ? 'byte' : 'structure', m.name, m.bytes);
    }
    const counts = { byte: 0, structure: 0, crafted: 0 };
    for (const c of cases) counts[c.kind]++;
    console.log(`fuzz bench: ${cases.length} models under 1 MB (${counts.byte} byte-mutated, ${counts.structure} structure-mutated, ${counts.crafted} crafted; seed ${seed}${skipped ? `; ${skipped} of 1 MB or more skipped` : ''}), inspect and compile each, ${jobs} at a time, limit ${timeoutMs / 1000} s`);

    const runs: { c: Case; args: string[]; command: string }[] = [];
    cases.forEach((c, i) => {
      runs.push({ c, command: 'inspect', args: ['inspect', c.file] });
      runs.push({ c, command: 'compile', args: ['compile', c.file, '--out', path.join(root, 'out', String(i))] });
    });
    const results: Result[] = [];
    let next = 0;
    const started = performance.now();
    const worker = async () => {
      for (let k = next++; k < runs.length; k = next++) {
        const r = runs[k];
        const run = await runEdgeprune(r.args, { timeoutMs, scratch: root });
        if (r.command === 'compile') fs.rmSync(r.args[3], { recursive: true, force: true });
        results.push({ c: r.c, command: r.command, run });
        if (results.length % 200 === 0) process.stderr.write(`  ${results.length}/${runs.length} runs (${((performance.now() - started) / 1000).toFixed(0)} s)\n`);
      }
    };
    await Promise.all(Array.from({ length: jobs }, worker));
    report(results);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

function report(results: Result[]): void {
  const by = (f: (r: Result) => boolean) => results.filter(f);
  const crashed = by((r) => !r.run.timedOut && (r.run.signal !== undefined || (r.run.exitCode ?? 0) >= 128));
  const timedOut = by((r) => r.run.timedOut);
  const exit1 = by((r) => r.run.exitCode === 1);
  const other = by((r) => !r.run.timedOut && r.run.signal === undefined && ![0, 1, 2].includes(r.run.exitCode ?? -1) && (r.run.exitCode ?? 0) < 128);
  const measured = results.filter((r) => r.run.maxRssMiB !== undefined);
  const maxRss = measured.reduce((a, b) => (b.run.maxRssMiB! > a.run.maxRssMiB! ? b : a));
  const slowest = results.reduce((a, b) => (b.run.ms > a.run.ms ? b : a));
  const mostCpu = measured.reduce((a, b) => ((b.run.cpuMs ?? 0) > (a.run.cpuMs ?? 0) ? b : a));
  const overMemory = measured.filter((r) => r.run.maxRssMiB! > GOAL_RSS_MIB);
  const overTime = results.filter((r) => r.run.ms > GOAL_MS);
  const describe = (r: Result) => `${r.command} ${path.basename(r.c.file)} [${r.c.kind}] ${r.c.name.slice(0, 120)}`;
  console.log(`runs: ${results.length} (${results.length / 2} models x inspect, compile)`);
  console.log(`exit 0: ${by((r) => r.run.exitCode === 0).length}`);
  console.log(`exit 2: ${by((r) => r.run.exitCode === 2).length}`);
  console.log(`exit 1 (must be 0): ${exit1.length}`);
  console.log(`other exit codes: ${other.length}`);
  console.log(`crashes or signals (must be 0): ${crashed.length}`);
  console.log(`timeouts past ${GOAL_MS / 1000} s (must be 0): ${timedOut.length}`);
  console.log(`max RSS: ${maxRss.run.maxRssMiB!.toFixed(0)} MiB (goal <= ${GOAL_RSS_MIB}): ${describe(maxRss)}`);
  console.log(`runs over ${GOAL_RSS_MIB} MiB: ${overMemory.length}; runs over ${GOAL_MS / 1000} s: ${overTime.length}`);
  console.log(`slowest: ${(slowest.run.ms / 1000).toFixed(1)} s wall: ${describe(slowest)}`);
  console.log(`most CPU: ${(mostCpu.run.cpuMs! / 1000).toFixed(1)} s (${(mostCpu.run.ms / 1000).toFixed(1)} s wall): ${describe(mostCpu)}`);
  const median = [...results].sort((a, b) => a.run.ms - b.run.ms)[Math.floor(results.length / 2)].run.ms;
  console.log(`median run: ${(median / 1000).toFixed(2)} s`);
  for (const r of new Set([...exit1, ...crashed, ...timedOut, ...other, ...overMemory, ...overTime])) {
    console.log(`  ${r.run.timedOut ? 'timeout' : r.run.signal ?? `exit ${r.run.exitCode}`} ${(r.run.ms / 1000).toFixed(1)} s ${r.run.maxRssMiB?.toFixed(0) ?? '?'} MiB: ${describe(r)}: ${r.run.stderr.slice(0, 200)}`);
  }
  const failed = new Set([...exit1, ...crashed, ...timedOut, ...other, ...overMemory, ...overTime]).size;
  process.exitCode = failed > 0 ? 1 : 0;
}

await main();
