// At most `limit` tasks at once (a runner's worker slots); when a slot frees, the waiting task with the highest priority
// takes it (equal priorities: the one that asked first), not simply the one that asked first. Slots are handed out a
// turn of the event loop after they free (or after the first task asks), so that every task that asks meanwhile
// competes: the first builds of all a sweep's chains, and what a task's end sets off at once (its chain's next build).

interface Waiting {
  priority: number;
  order: number;
  start: () => void;
}

export class PrioritySlots {
  private busy = 0;
  private asked = 0;
  private handing = false;
  private readonly waiting: Waiting[] = [];

  constructor(private readonly limit: number) {
    if (!(limit >= 1)) throw new Error(`slots must be at least 1, got ${limit}`);
  }

  /** Tasks waiting for a slot now. */
  get queued(): number {
    return this.waiting.length;
  }

  /** Run `task` in a slot, when it is the highest-priority waiting task and a slot is free. */
  async use<T>(priority: number, task: () => Promise<T>): Promise<T> {
    await new Promise<void>((start) => {
      this.waiting.push({ priority, order: this.asked++, start });
      this.handOut();
    });
    try {
      return await task();
    } finally {
      this.busy--;
      this.handOut();
    }
  }

  /** On the next turn of the event loop, the free slots to the waiting tasks of highest priority. */
  private handOut(): void {
    if (this.handing) return;
    this.handing = true;
    setImmediate(() => {
      this.handing = false;
      while (this.busy < this.limit && this.waiting.length > 0) {
        this.busy++;
        this.next().start();
      }
    });
  }

  /** The waiting task to start next, taken off the queue. */
  private next(): Waiting {
    let best = 0;
    for (let i = 1; i < this.waiting.length; i++) {
      const w = this.waiting[i];
      const b = this.waiting[best];
      if (w.priority > b.priority || (w.priority === b.priority && w.order < b.order)) best = i;
    }
    return this.waiting.splice(best, 1)[0];
  }
}
