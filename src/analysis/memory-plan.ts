// Static arena planning: buffer sharing (views, in-place), lifetimes, greedy-by-size first fit, lower bound, checker.

/** One step of a program, as the planner sees it. */
export interface PlanStep {
  inputs: readonly string[];
  outputs: readonly string[];
  /** Output 0 is a view of input 0 (same bytes, no data movement): Reshape, Flatten, ... */
  view?: boolean;
  /** Pairs (output, input) whose buffers may be the same when the input dies at this step. */
  inPlace?: readonly { output: number; input: number }[];
}

export interface PlanProgram {
  /** Bytes of every run-time value the steps read or write. */
  sizes: ReadonlyMap<string, number>;
  /** Values written before the first step (graph inputs). */
  inputs: readonly string[];
  /** Values read after the last step (graph outputs). */
  outputs: readonly string[];
  /**
   * Keep the inputs' bytes intact until the end: no other value shares them (a model run twice on the same input buffer
   * gives the same outputs). Without it an input's bytes are reused once its last reader has run.
   */
  keepInputs?: boolean;
  steps: readonly PlanStep[];
}

/** A region of the arena shared by one or more values. */
export interface PlannedBuffer {
  values: string[];
  bytes: number;
  /** First and last step (inclusive) at which the buffer holds live data. */
  first: number;
  last: number;
  offset: number;
}

export interface MemoryPlan {
  arenaBytes: number;
  /** The largest sum of simultaneously live buffers: no placement can use less. */
  lowerBoundBytes: number;
  buffers: PlannedBuffer[];
  /** Arena offset of every value. */
  offsets: Map<string, number>;
  alignment: number;
}

const alignUp = (n: number, a: number) => Math.ceil(n / a) * a;

/** Union-find over value names: views and in-place outputs join their input's buffer. */
class Buffers {
  private readonly parent = new Map<string, string>();

  find(v: string): string {
    let root = v;
    for (let p = this.parent.get(root); p !== undefined && p !== root; p = this.parent.get(root)) root = p;
    // Path compression, iteratively (chains of views can be long).
    for (let x = v; x !== root;) {
      const next = this.parent.get(x)!;
      this.parent.set(x, root);
      x = next;
    }
    return root;
  }

  /** Join child's buffer into root's; returns the two roots (equal when already joined). */
  join(child: string, root: string): { from: string; into: string } {
    const from = this.find(child);
    const into = this.find(root);
    if (from !== into) this.parent.set(from, into);
    return { from, into };
  }
}

interface Lifetime {
  first: number;
  last: number;
}

function lifetimes(program: PlanProgram, buffers: Buffers): Map<string, Lifetime> {
  const end = Math.max(0, program.steps.length - 1);
  const life = new Map<string, Lifetime>();
  const touch = (value: string, step: number) => {
    const root = buffers.find(value);
    const l = life.get(root);
    if (l) {
      l.first = Math.min(l.first, step);
      l.last = Math.max(l.last, step);
    } else life.set(root, { first: step, last: step });
  };
  for (const v of program.inputs) touch(v, 0);
  program.steps.forEach((s, k) => {
    for (const v of s.inputs) touch(v, k);
    for (const v of s.outputs) touch(v, k);
  });
  for (const v of program.outputs) touch(v, end);
  if (program.keepInputs) for (const v of program.inputs) touch(v, end);
  return life;
}

/**
 * Merge views and legal in-place outputs into their inputs' buffers. The lifetime of each buffer (the
 * union of its values' lifetimes) and whether it holds a graph output are kept up to date as buffers
 * merge, so the pass is linear in the program's size.
 */
function shareBuffers(program: PlanProgram): Buffers {
  const buffers = new Buffers();
  const life = lifetimes(program, buffers);
  // Buffers no step may overwrite in place: the graph outputs' and, kept intact, the inputs'.
  const holdsOutput = new Set(program.keepInputs ? [...program.outputs, ...program.inputs] : program.outputs);
  const join = (child: string, root: string) => {
    const { from, into } = buffers.join(child, root);
    if (from === into) return;
    const a = life.get(from);
    const b = life.get(into);
    if (a && b) life.set(into, { first: Math.min(a.first, b.first), last: Math.max(a.last, b.last) });
    else if (a) life.set(into, a);
    if (holdsOutput.has(from)) holdsOutput.add(into);
  };
  program.steps.forEach((step, k) => {
    if (step.view) {
      join(step.outputs[0], step.inputs[0]);
      return;
    }
    for (const { output, input } of step.inPlace ?? []) {
      const out = step.outputs[output];
      const inp = step.inputs[input];
      if (!out || !inp || program.sizes.get(out) !== program.sizes.get(inp)) continue;
      // The input's buffer must die at this step: no later reader, no graph output in it,
      // and this step must not read it through another input as well.
      const root = buffers.find(inp);
      const readTwice = step.inputs.filter((i) => i && buffers.find(i) === root).length > 1;
      if (life.get(root)!.last === k && !readTwice && !holdsOutput.has(root)) {
        join(out, inp);
        break;
      }
    }
  });
  return buffers;
}

function collectBuffers(program: PlanProgram, shared: Buffers, alignment: number): PlannedBuffer[] {
  const life = lifetimes(program, shared);
  const byRoot = new Map<string, PlannedBuffer>();
  for (const [value, size] of program.sizes) {
    const root = shared.find(value);
    const l = life.get(root);
    if (!l) continue; // never read or written
    const b = byRoot.get(root) ?? { values: [], bytes: 0, first: l.first, last: l.last, offset: -1 };
    b.values.push(value);
    b.bytes = Math.max(b.bytes, alignUp(size, alignment));
    byRoot.set(root, b);
  }
  return [...byRoot.values()];
}

/** The largest sum of buffer sizes live at one step. */
export function lowerBound(buffers: readonly PlannedBuffer[], steps: number): number {
  const delta = new Array<number>(steps + 2).fill(0);
  for (const b of buffers) {
    delta[b.first] += b.bytes;
    delta[b.last + 1] -= b.bytes;
  }
  let live = 0;
  let best = 0;
  for (const d of delta) {
    live += d;
    best = Math.max(best, live);
  }
  return best;
}

const overlapInTime = (a: PlannedBuffer, b: PlannedBuffer) => a.first <= b.last && b.first <= a.last;

/** Index of the first element of `sorted` (ascending by offset) whose offset is above `offset`. */
function upperBound(sorted: readonly PlannedBuffer[], offset: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid].offset <= offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Place buffers in the given order, each at the lowest offset free during its lifetime. Placed buffers
 * are kept sorted by offset, so each placement is one scan that stops at the first gap large enough:
 * no sorting per buffer.
 */
function placeFirstFit(order: readonly PlannedBuffer[]): number {
  const placed: PlannedBuffer[] = [];
  let arena = 0;
  for (const b of order) {
    let offset = 0;
    for (const p of placed) {
      if (offset + b.bytes <= p.offset) break;
      if (overlapInTime(p, b)) offset = Math.max(offset, p.offset + p.bytes);
    }
    b.offset = offset;
    placed.splice(upperBound(placed, offset), 0, b);
    arena = Math.max(arena, offset + b.bytes);
  }
  return arena;
}

/** Orderings tried; the smallest arena wins (ties: the first). */
const ORDERINGS: ((a: PlannedBuffer, b: PlannedBuffer) => number)[] = [
  // Greedy by size (TFLite's arena planner), earlier first on ties.
  (a, b) => b.bytes - a.bytes || a.first - b.first,
  // Greedy by size, longer-lived first on ties.
  (a, b) => b.bytes - a.bytes || (b.last - b.first) - (a.last - a.first) || a.first - b.first,
  // Greedy by breadth: buffers of the busiest steps first.
  (a, b) => b.bytes * (b.last - b.first + 1) - a.bytes * (a.last - a.first + 1) || a.first - b.first,
];

export function planMemory(program: PlanProgram, alignment = 4): MemoryPlan {
  const shared = shareBuffers(program);
  let best: { arena: number; buffers: PlannedBuffer[] } | undefined;
  for (const order of ORDERINGS) {
    const buffers = collectBuffers(program, shared, alignment);
    // A stable sort: ties keep the program's order, so names (and the locale) never change the plan.
    const arena = placeFirstFit([...buffers].sort(order));
    if (!best || arena < best.arena) best = { arena, buffers };
  }
  const buffers = best!.buffers.sort((a, b) => a.offset - b.offset);
  const offsets = new Map<string, number>();
  for (const b of buffers) for (const v of b.values) offsets.set(v, b.offset);
  return { arenaBytes: best!.arena, lowerBoundBytes: lowerBound(buffers, program.steps.length), buffers, offsets, alignment };
}

/**
 * Buffers live at the same time whose bytes overlap (empty when the plan is sound). A sweep over time
 * keeps the live buffers sorted by offset; while no overlap has been found they are disjoint, so a
 * buffer coming alive can only overlap its nearest live neighbours in offset order.
 */
export function checkMemoryPlan(plan: MemoryPlan): string[] {
  const problems: string[] = [];
  for (const a of plan.buffers) {
    if (a.offset < 0 || a.offset % plan.alignment !== 0) problems.push(`buffer of ${a.values.join(', ')} has a bad offset ${a.offset}`);
    if (a.offset + a.bytes > plan.arenaBytes) problems.push(`buffer of ${a.values.join(', ')} ends past the arena`);
  }
  const overlap = (a: PlannedBuffer, b: PlannedBuffer) => {
    problems.push(`buffers of ${a.values.join(', ')} [${a.first}..${a.last}] and ${b.values.join(', ')} [${b.first}..${b.last}] overlap in memory while both live`);
  };
  const live: PlannedBuffer[] = [];
  const dead = (x: PlannedBuffer, now: number) => x.last < now;
  for (const b of plan.buffers.filter((x) => x.bytes > 0).sort((x, y) => x.first - y.first || x.offset - y.offset)) {
    let at = upperBound(live, b.offset);
    // The nearest live buffer below (dropping dead ones on the way), then the nearest above.
    while (at > 0 && dead(live[at - 1], b.first)) live.splice(--at, 1);
    if (at > 0 && live[at - 1].offset + live[at - 1].bytes > b.offset) overlap(live[at - 1], b);
    while (at < live.length && dead(live[at], b.first)) live.splice(at, 1);
    if (at < live.length && live[at].offset < b.offset + b.bytes) overlap(b, live[at]);
    live.splice(at, 0, b);
  }
  return problems;
}
