// The build's default tuner on 2 or more cores (src/build/side-by-side-tuner.ts): a batch shared between this process
// and one worker, longest first, each lane taking the next when free; the results in the requests' order; a failure
// stops both lanes and is thrown.
import { describe, expect, it } from 'vitest';
import type { FineTuner, TuneRequest } from '../../src/build/fine-tuner.js';
import { sideBySideTuner } from '../../src/build/side-by-side-tuner.js';
import { digitsMlp } from '../../src/models/sample-models.js';
import { masksFromZeros } from '../../src/prune/weight-masks.js';

const graph = digitsMlp();
const request = (seed: number, epochs: number): TuneRequest => ({ graph, masks: masksFromZeros(graph), epochs, seed, what: `fine-tune ${seed}` });

/** A lane that takes `ms` per epoch (a timer: the other lane runs meanwhile) and scores a request by its seed. */
function lane(name: string, ms: number, ran: string[], failOn?: number): FineTuner {
  return {
    description: name,
    trainsOnValidation: true,
    async tuneMany(list) {
      const out = [];
      for (const r of list) {
        ran.push(`${name}:${r.seed}`);
        await new Promise((resolve) => setTimeout(resolve, ms * r.epochs));
        if (r.seed === failOn) throw new Error(`${r.what} failed`);
        out.push({ graph: r.graph, validation: r.seed / 100 });
      }
      return out;
    },
  };
}

describe('sideBySideTuner', () => {
  it('shares a batch between both lanes, longest first, and returns the results in the requests\' order', async () => {
    const ran: string[] = [];
    const tuner = sideBySideTuner(lane('here', 5, ran), lane('there', 5, ran));
    expect(tuner.slots).toBe(2);
    expect(tuner.trainsOnValidation).toBe(true);
    const requests = [request(1, 1), request(2, 4), request(3, 1), request(4, 1), request(5, 3)];
    const results = await tuner.tuneMany(requests);
    expect(results.map((r) => r.validation)).toEqual([0.01, 0.02, 0.03, 0.04, 0.05]);
    // The worker's lane takes the longest (4 epochs), this process the next (3): then each the next when free.
    expect(ran.slice(0, 2)).toEqual(['there:2', 'here:5']);
    expect(ran.filter((r) => r.startsWith('there')).length).toBeGreaterThan(0);
    expect(ran.filter((r) => r.startsWith('here')).length).toBeGreaterThan(1);
    expect(ran.length).toBe(5);
  });

  it('runs a single request in this process', async () => {
    const ran: string[] = [];
    const results = await sideBySideTuner(lane('here', 1, ran), lane('there', 1, ran)).tuneMany([request(7, 1)]);
    expect(results.map((r) => r.validation)).toEqual([0.07]);
    expect(ran).toEqual(['here:7']);
  });

  it('throws a lane\'s failure, and the other lane takes no more requests', async () => {
    const ran: string[] = [];
    const requests = [request(1, 2), request(2, 1), request(3, 1), request(4, 1), request(5, 1), request(6, 1)];
    await expect(sideBySideTuner(lane('here', 5, ran), lane('there', 5, ran, 1)).tuneMany(requests)).rejects.toThrow('fine-tune 1 failed');
    expect(ran.length).toBeLessThan(requests.length);
  });

  it('cannot train on validation unless both lanes can', () => {
    const ran: string[] = [];
    const plain: FineTuner = { description: 'plain', tuneMany: async () => [] };
    expect(sideBySideTuner(lane('here', 1, ran), plain).trainsOnValidation).toBeUndefined();
  });
});
