// A pool of local worker processes (each a guarded child speaking protocol.ts on stdin/stdout): hands each idle
// worker the next job, retries a job whose attempt failed or whose worker died (killed, crashed, past the job
// timeout: the worker is replaced), reports a job that used up its attempts, and ends every worker when done.

import { UserError } from '../../src/errors.js';
import { describeExit, spawnChild, type Child, type ChildExit } from '../process.js';
import type { Tool } from '../build/tools.js';
import { decodeFromWorker, encodeToWorker, lineSplitter, type FromWorker, type PoolJob } from './protocol.js';

export interface PoolOptions {
  /** Worker processes (at most one per job). */
  workers: number;
  /** The worker program and its arguments: it reads ToWorker lines on stdin and writes FromWorker lines on stdout. */
  command: Tool;
  args: string[];
  /** Attempts per job before it is reported failed. */
  attempts: number;
  /** An attempt running longer is ended with its worker. */
  jobTimeoutMs: number;
  /** Lifetime timeout of each worker process (default 24 h). */
  lifetimeMs?: number;
  onSettled?: (outcome: PoolOutcome) => void;
}

export type PoolOutcome = { id: string; ok: true; result: unknown } | { id: string; ok: false; error: string; attempts: number };

interface Task {
  job: PoolJob;
  attempts: number;
}

interface Slot {
  child: Child;
  ready: boolean;
  busy: Task | null;
  timer: NodeJS.Timeout | null;
  timedOut: boolean;
}

const NODE: Tool = { command: process.execPath, debianPackage: 'nodejs' };
export const NODE_TOOL = NODE;

/** How long a worker may take to end after its stdin closed before it is killed. */
const QUIT_GRACE_MS = 3_000;

function lastLine(text: string): string {
  const lines = text.trim().split('\n');
  return lines[lines.length - 1] ?? '';
}

/** Run `jobs` (distinct ids) on a pool of worker processes; one outcome per job, in the order of `jobs`. */
export async function runOnWorkerPool(jobs: PoolJob[], options: PoolOptions): Promise<PoolOutcome[]> {
  if (options.workers < 1 || !Number.isInteger(options.workers)) throw new UserError(`the number of workers must be a whole number of at least 1, got ${options.workers}`);
  const pending: Task[] = jobs.map((job) => ({ job, attempts: 0 }));
  const outcomes = new Map<string, PoolOutcome>();
  const slots = new Set<Slot>();
  const starting = new Set<Promise<unknown>>();
  let closing = false;
  let spawned = 0;
  // Every job's attempts can each cost a worker: more spawns than that means workers die without taking jobs.
  const maxSpawns = options.workers + jobs.length * options.attempts;
  let finish!: (error: Error | null) => void;
  const finished = new Promise<Error | null>((resolve) => (finish = resolve));

  const settle = (outcome: PoolOutcome): void => {
    outcomes.set(outcome.id, outcome);
    options.onSettled?.(outcome);
    if (outcomes.size === jobs.length) finish(null);
  };
  const attemptFailed = (task: Task, error: string): void => {
    task.attempts++;
    if (task.attempts >= options.attempts) settle({ id: task.job.id, ok: false, error, attempts: task.attempts });
    else pending.unshift(task); // next in line: another worker (or this one, once free) retries it
    dispatchAll();
  };
  const dispatch = (slot: Slot): void => {
    if (closing || !slot.ready || slot.busy) return;
    const task = pending.shift();
    if (!task) return;
    slot.busy = task;
    slot.timedOut = false;
    slot.timer = setTimeout(() => {
      slot.timedOut = true;
      void slot.child.kill();
    }, options.jobTimeoutMs);
    slot.child.stdin?.write(encodeToWorker({ type: 'run', job: task.job }));
  };
  function dispatchAll(): void {
    for (const s of slots) dispatch(s);
    // A worker died and work remains: replace it.
    const wanted = Math.min(options.workers, pending.length + [...slots].filter((s) => s.busy).length);
    while (!closing && slots.size + starting.size < wanted && spawned < maxSpawns) startWorker();
    if (!closing && pending.length > 0 && slots.size + starting.size === 0) {
      finish(new Error(`the worker processes kept ending (${spawned} started) with ${pending.length} jobs left`));
    }
  }
  const onMessage = (slot: Slot, m: FromWorker): void => {
    if (m.type === 'ready') {
      slot.ready = true;
      dispatch(slot);
      return;
    }
    const task = slot.busy;
    if (!task || task.job.id !== m.id) return;
    if (slot.timer) clearTimeout(slot.timer);
    slot.busy = null;
    if (m.type === 'done') settle({ id: m.id, ok: true, result: m.result });
    else attemptFailed(task, m.error);
    dispatch(slot);
  };
  const onExit = (slot: Slot, e: ChildExit): void => {
    slots.delete(slot);
    if (slot.timer) clearTimeout(slot.timer);
    if (closing) return;
    const why = lastLine(slot.child.stderrTail());
    if (!slot.ready) {
      finish(new Error(`a worker process ended before it was ready: it ${describeExit(e)}${why ? ` (${why})` : ''}`));
      return;
    }
    if (slot.busy) {
      const task = slot.busy;
      slot.busy = null;
      attemptFailed(task, slot.timedOut ? `ran past the job timeout of ${options.jobTimeoutMs / 1000} s and was stopped` : `its worker process ${describeExit(e)}${why ? ` (${why})` : ''}`);
    } else dispatchAll();
  };
  function startWorker(): void {
    spawned++;
    const p = spawnChild(options.command, options.args, { lifetimeMs: options.lifetimeMs ?? 24 * 3600_000, stdin: true }).then(
      (child) => {
        const slot: Slot = { child, ready: false, busy: null, timer: null, timedOut: false };
        slots.add(slot);
        child.onStdout(
          lineSplitter((line) => {
            const m = decodeFromWorker(line);
            if (m) onMessage(slot, m);
          }),
        );
        void child.exited.then((e) => onExit(slot, e));
        if (closing) void child.kill();
      },
      (e: unknown) => finish(e instanceof Error ? e : new Error(String(e))),
    );
    starting.add(p);
    void p.finally(() => starting.delete(p));
  }

  try {
    if (jobs.length === 0) return [];
    dispatchAll();
    const error = await finished;
    if (error) throw error;
    return jobs.map((j) => outcomes.get(j.id)!);
  } finally {
    closing = true;
    await Promise.allSettled([...starting]);
    await Promise.all(
      [...slots].map(async (s) => {
        if (s.timer) clearTimeout(s.timer);
        s.child.stdin?.end();
        const quit = await Promise.race([s.child.exited, new Promise<null>((r) => setTimeout(r, QUIT_GRACE_MS, null).unref())]);
        if (!quit) await s.child.kill();
      }),
    );
  }
}
