// The sweep's slots: never more tasks at once than the limit; a free slot goes to the highest-priority waiting task
// (FIFO would start them in the order they asked), equal priorities in the order they asked; the tasks that ask in the
// same turn compete for the free slots, and so does a task that a finished task's end queues at once.
import { describe, expect, it } from 'vitest';
import { PrioritySlots } from '../../src/sweep/priority-slots.js';

/** A task that records its start and end and ends when `release` is called. */
function gate(): { done: Promise<void>; release: () => void } {
  let release!: () => void;
  const done = new Promise<void>((r) => (release = r));
  return { done, release };
}

const turn = () => new Promise<void>((r) => setImmediate(r));

describe('PrioritySlots', () => {
  it('starts the highest-priority waiting task when a slot frees, not the first that asked', async () => {
    const slots = new PrioritySlots(1);
    const started: string[] = [];
    const first = gate();
    const running = slots.use(0, async () => {
      started.push('first');
      await first.done;
    });
    await turn();
    await turn();
    expect(started).toEqual(['first']);
    const others = [['low', 1], ['high', 5], ['middle', 3], ['high too', 5]].map(([name, priority]) =>
      slots.use(priority as number, async () => void started.push(name as string)),
    );
    await turn();
    expect(started).toEqual(['first']);
    expect(slots.queued).toBe(4);
    first.release();
    await Promise.all([running, ...others]);
    // FIFO would give first, low, high, middle, high too.
    expect(started).toEqual(['first', 'high', 'high too', 'middle', 'low']);
  });

  it('hands the free slots to the highest-priority tasks of those that asked in the same turn', async () => {
    const slots = new PrioritySlots(2);
    const started: string[] = [];
    const gates = new Map<string, ReturnType<typeof gate>>();
    const all = [['a', 1], ['b', 4], ['c', 2], ['d', 3]].map(([name, priority]) => {
      gates.set(name as string, gate());
      return slots.use(priority as number, async () => {
        started.push(name as string);
        await gates.get(name as string)!.done;
      });
    });
    await turn();
    await turn();
    // FIFO would start a and b.
    expect(started).toEqual(['b', 'd']);
    gates.get('d')!.release();
    await turn();
    await turn();
    expect(started).toEqual(['b', 'd', 'c']);
    for (const g of gates.values()) g.release();
    await Promise.all(all);
    expect(started).toEqual(['b', 'd', 'c', 'a']);
  });

  it('runs at most `limit` tasks at once, also when tasks ask while a slot is being handed on', async () => {
    const slots = new PrioritySlots(2);
    let running = 0;
    let most = 0;
    const task = (ms: number) => async () => {
      running++;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, ms));
      running--;
    };
    const all: Promise<void>[] = [];
    for (let i = 0; i < 12; i++) {
      all.push(slots.use(i % 3, task(1 + (i % 4))));
      if (i % 4 === 0) await new Promise((r) => setTimeout(r, 2));
    }
    await Promise.all(all);
    expect(most).toBe(2);
    expect(running).toBe(0);
    expect(slots.queued).toBe(0);
  });

  it('lets the task a finished task queues at once compete for its slot (a chain goes on before a lower one starts)', async () => {
    const slots = new PrioritySlots(1);
    const started: string[] = [];
    // A chain of two tasks of priority 9, and a lone task of priority 1 that asked while the chain's first ran.
    const chain = (async () => {
      await slots.use(9, async () => {
        started.push('chain 1');
        await turn();
      });
      await slots.use(9, async () => void started.push('chain 2'));
    })();
    const lone = slots.use(1, async () => void started.push('lone'));
    await Promise.all([chain, lone]);
    expect(started).toEqual(['chain 1', 'chain 2', 'lone']);
  });

  it('refuses a limit below 1', () => {
    expect(() => new PrioritySlots(0)).toThrow(/at least 1/);
  });
});
