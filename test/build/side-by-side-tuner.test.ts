// The build's default tuner on 2 or more cores (src/build/side-by-side-tuner.ts): a batch shared between this process
// and one worker, longest first, each lane taking the next when free, then the follow-ups a free lane is given; the
// results in the requests' order (the follow-ups' after); a failure stops both lanes and is thrown. tuneFollowed on a
// tuner without follow-ups of its own asks for them once the batch is done and runs those given as one batch.
import { describe, expect, it } from 'vitest';
import { tuneFollowed, type FineTuner, type FollowUp, type TuneRequest } from '../../src/build/fine-tuner.js';
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

  it('gives a lane with nothing of the batch left the follow-up it is given, and asks again when a fine-tune ends', async () => {
    const ran: string[] = [];
    const tuner = sideBySideTuner(lane('here', 5, ran), lane('there', 5, ran));
    const asked: string[] = [];
    // The batch: 4 epochs (the worker) and 1 (this process). After the short one, a follow-up (seed 10) at once; after
    // the long one, another (seed 11) that needs its result.
    const followUp: FollowUp = (sofar) => {
      asked.push(sofar.map((r) => (r ? 'done' : 'running')).join(','));
      if (sofar[1] !== undefined && sofar.length === 2) return request(10, 1);
      if (sofar[0] !== undefined && sofar.length === 3) return request(11, 1);
      return null;
    };
    const results = await tuner.tuneFollowed!([request(1, 4), request(2, 1)], followUp);
    expect(results.map((r) => r.validation)).toEqual([0.01, 0.02, 0.1, 0.11]);
    expect(ran).toEqual(['there:1', 'here:2', 'here:10', 'there:11']);
    // Asked by the lane freed first (the short one done); again when each fine-tune ended, until none ran.
    expect(asked[0]).toBe('running,done');
    expect(asked.at(-1)).toBe('done,done,done,done');
  });

  it('stops at a follow-up\'s failure', async () => {
    const ran: string[] = [];
    let given = 0;
    const followUp: FollowUp = () => (given++ < 3 ? request(9, 1) : null);
    await expect(sideBySideTuner(lane('here', 5, ran, 9), lane('there', 5, ran)).tuneFollowed!([request(1, 3)], followUp)).rejects.toThrow('fine-tune 9 failed');
    expect(ran.filter((r) => r === 'here:9').length).toBe(1);
  });

  it('tuneFollowed on a tuner without follow-ups of its own: the batch, then the follow-ups given at its end as one batch, and again', async () => {
    const ran: string[] = [];
    const asked: string[] = [];
    // Two follow-ups once the batch is done (the second asked for while the first is given, not yet run), then one
    // more once both are in.
    const followUp: FollowUp = (sofar) => {
      asked.push(sofar.map((r) => (r ? 'd' : 'r')).join(''));
      if (sofar.length < 4) return request(10 + sofar.length, 1);
      return sofar.length === 4 && sofar[3] !== undefined ? request(20, 1) : null;
    };
    const results = await tuneFollowed(lane('alone', 1, ran), [request(1, 1), request(2, 1)], followUp);
    expect(results.map((r) => r.validation)).toEqual([0.01, 0.02, 0.12, 0.13, 0.2]);
    expect(ran).toEqual(['alone:1', 'alone:2', 'alone:12', 'alone:13', 'alone:20']);
    expect(asked).toEqual(['dd', 'ddr', 'ddrr', 'dddd', 'ddddr', 'ddddd']);
  });
});
