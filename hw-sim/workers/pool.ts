// A pool of local worker processes (each a guarded child speaking protocol.ts on stdin/stdout): hands each idle
// worker the next job (after a warm-up job when one is set), relays the progress lines a job sends, retries a job
// whose attempt failed or whose worker died (killed, crashed, past the job timeout: the worker is replaced), reports a
// job that used up its attempts, and ends every worker when done (after one run, or, for a pool kept open, at close()).
// A kept pool serves several runs at once (a sweep's chains each hand it their builds): their jobs share one queue.

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
  /** Start every worker when the pool opens (default: as the first run needs them), so they start while the command prepares its jobs. */
  prestart?: boolean;
  onSettled?: (outcome: PoolOutcome) => void;
  /** A progress line a worker sent for the job it runs (as sent: escaping is the caller's). */
  onLog?: (id: string, line: string) => void;
}

export type PoolOutcome = { id: string; ok: true; result: unknown } | { id: string; ok: false; error: string; attempts: number };

interface Task {
  job: PoolJob;
  attempts: number;
  /** The run the job belongs to; absent for the pool's warm-up job (WorkerPool.warm), whose outcome is dropped. */
  run?: Run;
}

interface Slot {
  child: Child;
  ready: boolean;
  busy: Task | null;
  timer: NodeJS.Timeout | null;
  timedOut: boolean;
  /** Whether it ran (or is running) the warm-up job. */
  warmed: boolean;
}

const NODE: Tool = { command: process.execPath, debianPackage: 'nodejs' };
export const NODE_TOOL = NODE;

/** How long a worker may take to end after its stdin closed before it is killed. */
const QUIT_GRACE_MS = 3_000;

function lastLine(text: string): string {
  const lines = text.trim().split('\n');
  return lines[lines.length - 1] ?? '';
}

/** A pool of worker processes kept between runs: each run hands out its jobs; close() ends the workers. */
export interface WorkerPool {
  /** Run `jobs` (distinct ids); one outcome per job, in the order of `jobs`. Runs may overlap: their jobs queue in the order the runs began. */
  run(jobs: PoolJob[], onSettled?: (outcome: PoolOutcome) => void): Promise<PoolOutcome[]>;
  /**
   * Every worker runs `job` before its next job: the idle ones at once, the others when they are ready (a worker started
   * later too). For a job that loads what the jobs to come share (a data file), while the command does other work. Its
   * result and its failure are dropped: the jobs that need what it loads fail the same way, and report it.
   */
  warm(job: PoolJob): void;
  close(): Promise<void>;
}

/** The settings of a pool that outlives a run: everything of PoolOptions but the per-run callback. */
export type WorkerPoolOptions = Omit<PoolOptions, 'onSettled'>;

interface Run {
  outcomes: Map<string, PoolOutcome>;
  total: number;
  finish: (error: Error | null) => void;
  onSettled?: (outcome: PoolOutcome) => void;
}

/** Run `jobs` (distinct ids) on a pool of worker processes started for them; one outcome per job, in the order of `jobs`. */
export async function runOnWorkerPool(jobs: PoolJob[], options: PoolOptions): Promise<PoolOutcome[]> {
  const pool = openWorkerPool(options);
  try {
    return await pool.run(jobs, options.onSettled);
  } finally {
    await pool.close();
  }
}

/**
 * A pool whose workers stay up between runs (started as the first run needs them): a command that hands out work in
 * many small batches (build's candidate fine-tunes) pays a worker's start and its first data load once.
 */
export function openWorkerPool(options: WorkerPoolOptions): WorkerPool {
  if (options.workers < 1 || !Number.isInteger(options.workers)) throw new UserError(`the number of workers must be a whole number of at least 1, got ${options.workers}`);
  const slots = new Set<Slot>();
  const starting = new Set<Promise<unknown>>();
  let closing = false;
  let spawned = 0;
  /**
   * Every attempt of every job can cost a worker, and each run may need its workers started: more spawns than that
   * means workers die without taking jobs. Raised by each run as it begins.
   */
  let spawnLimit = 0;
  /** The runs under way, and their jobs not yet handed to a worker (first come, first served; a retry goes first). */
  const runs = new Set<Run>();
  let pending: Task[] = [];
  let warmJob: PoolJob | null = null;
  /** Why the pool broke between runs (a worker that ended before it was ready): the next run fails with it. */
  let broken: Error | null = null;
  const fail = (error: Error): void => {
    if (runs.size) for (const run of runs) run.finish(error);
    else broken ??= error;
  };

  const settle = (run: Run, outcome: PoolOutcome): void => {
    run.outcomes.set(outcome.id, outcome);
    run.onSettled?.(outcome);
    if (run.outcomes.size === run.total) run.finish(null);
  };
  const attemptFailed = (task: Task, error: string): void => {
    const run = task.run;
    if (!run || !runs.has(run)) return;
    task.attempts++;
    if (task.attempts >= options.attempts) settle(run, { id: task.job.id, ok: false, error, attempts: task.attempts });
    else pending.unshift(task); // next in line: another worker (or this one, once free) retries it
    dispatchAll();
  };
  const dispatch = (slot: Slot): void => {
    if (closing || !slot.ready || slot.busy) return;
    const task: Task | undefined = warmJob && !slot.warmed ? { job: warmJob, attempts: 0 } : pending.shift();
    if (!task) return;
    if (!task.run) slot.warmed = true;
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
    if (!runs.size) return;
    // A worker died and work remains (or the first run needs its workers): start one.
    const wanted = Math.min(options.workers, pending.length + [...slots].filter((s) => s.busy).length);
    while (!closing && slots.size + starting.size < wanted && spawned < spawnLimit) startWorker();
    if (!closing && pending.length > 0 && slots.size + starting.size === 0) {
      fail(new Error(`the worker processes kept ending (${spawned} started) with ${pending.length} jobs left`));
    }
  }
  const onMessage = (slot: Slot, m: FromWorker): void => {
    if (m.type === 'log') {
      // Only the job this worker runs: a line of an attempt that was given up on (timed out) is not relayed.
      if (slot.busy?.job.id === m.id) options.onLog?.(m.id, m.line);
      return;
    }
    if (m.type === 'ready') {
      slot.ready = true;
      dispatch(slot);
      return;
    }
    const task = slot.busy;
    if (!task || task.job.id !== m.id) return;
    if (slot.timer) clearTimeout(slot.timer);
    slot.busy = null;
    if (!task.run) {
      dispatch(slot);
      return;
    }
    if (m.type === 'done' && runs.has(task.run)) settle(task.run, { id: m.id, ok: true, result: m.result });
    else if (m.type === 'failed') attemptFailed(task, m.error);
    dispatch(slot);
  };
  const onExit = (slot: Slot, e: ChildExit): void => {
    slots.delete(slot);
    if (slot.timer) clearTimeout(slot.timer);
    if (closing) return;
    const why = lastLine(slot.child.stderrTail());
    if (!slot.ready) {
      fail(new Error(`a worker process ended before it was ready: it ${describeExit(e)}${why ? ` (${why})` : ''}`));
      return;
    }
    if (slot.busy?.run) {
      const task = slot.busy;
      slot.busy = null;
      attemptFailed(task, slot.timedOut ? `ran past the job timeout of ${options.jobTimeoutMs / 1000} s and was stopped` : `its worker process ${describeExit(e)}${why ? ` (${why})` : ''}`);
    } else dispatchAll();
  };
  function startWorker(): void {
    spawned++;
    const p = spawnChild(options.command, options.args, { lifetimeMs: options.lifetimeMs ?? 24 * 3600_000, stdin: true }).then(
      (child) => {
        const slot: Slot = { child, ready: false, busy: null, timer: null, timedOut: false, warmed: false };
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
      (e: unknown) => fail(e instanceof Error ? e : new Error(String(e))),
    );
    starting.add(p);
    void p.finally(() => starting.delete(p));
  }

  if (options.prestart) for (let i = 0; i < options.workers; i++) startWorker();

  return {
    async run(jobs, onSettled) {
      if (closing) throw new Error('the worker pool is closed');
      if (broken) throw broken;
      if (jobs.length === 0) return [];
      let finish!: (error: Error | null) => void;
      const finished = new Promise<Error | null>((resolve) => (finish = resolve));
      const run: Run = { outcomes: new Map(), total: jobs.length, finish, onSettled };
      runs.add(run);
      pending.push(...jobs.map((job) => ({ job, attempts: 0, run })));
      spawnLimit = Math.max(spawnLimit, spawned + options.workers) + jobs.length * options.attempts;
      try {
        dispatchAll();
        const error = await finished;
        if (error) throw error;
        return jobs.map((j) => run.outcomes.get(j.id)!);
      } finally {
        runs.delete(run);
        pending = pending.filter((t) => t.run !== run); // a run that failed leaves no job behind
      }
    },

    warm(job) {
      warmJob = job;
      for (const s of slots) {
        s.warmed = false;
        dispatch(s);
      }
    },

    async close() {
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
    },
  };
}
